import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { resolveChain, type ChainPlan } from '../../config/chain.js';
import type { SessionInfo } from '../../session-store/store.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { formatTable } from '../../terminal/table.js';
import { readProfiles, shortPath } from '../../session/profiles-io.js';
import { ageInDays, readKeyInfo, type KeyInfo } from '../../secrets/key-info.js';
import type { KeyInventory, StorePlace } from '../../secrets/store.js';

export interface StatusInput {
  json: boolean;
  /** Colour is for a person at a terminal; defaults to whether stdout is one. */
  isTty?: boolean;
}

/** One cached session as status shows it. Never the secret or the token: only what identifies it. */
export interface SessionView {
  expiration: string;
  secondsLeft: number;
  expired: boolean;
  /** The temporary access key id (ASIA...), which is not secret and shows up in CloudTrail. */
  accessKeyId: string;
}

/** One line of `mfa-login status`, and one object of `mfa-login status --json`. */
export type StatusRow =
  | {
      profile: string;
      /** `user`: an IAM user whose keys are stored; `role`: assumed through `source`. */
      kind: 'user' | 'role';
      /** The IAM user at the root of the chain (the profile itself for a user). */
      source: string;
      /** The backend that holds the source's keys (or is recorded to, or would take them). */
      keyStore: 'keychain' | 'file';
      /** Whether the source's keys are in it (null when the store could not be read). */
      keysStored: boolean | null;
      mfaSerial: string | null;
      mfaSession: SessionView | null;
      roleArn: string | null;
      roleSession: SessionView | null;
      /** The stored key's age (users with stored keys; null when not known: see secrets/key-info.ts). */
      key?: KeyAgeView | null;
    }
  | { profile: string; error: string };

export interface KeyAgeView {
  accessKeyId: string;
  /** IAM's CreateDate. */
  created: string;
  days: number;
  /** Older than MFA_LOGIN_KEY_MAX_AGE_DAYS. */
  tooOld: boolean;
}

type GoodRow = Extract<StatusRow, { kind: unknown }>;

/** Nominal lengths the bar is drawn against: a fresh default MFA session, a chained role's cap. */
const FULL_BAR_MS = { 'mfa-session': 12 * 3600_000, role: 3600_000 } as const;
const BAR_CELLS = 8;

/**
 * `mfa-login status`: every profile that has stored keys, a cached session, or is a role in the
 * config, with where its keys live and the time left on its sessions. Reads the config, the key
 * store's list of names and the cache; asks STS nothing and never prints a secret.
 */
export async function status(deps: Deps, input: StatusInput): Promise<void> {
  const isTty = input.isTty ?? process.stdout.isTTY === true;
  const files = await readProfiles(deps);
  const store = deps.secrets();
  const cache = deps.cache();

  // Where each profile's keys are, from every store that holds some (secrets/key-stores.ts).
  const keys = await store.inventory();
  const stored = [...keys.profiles.keys()];
  const unreadable = (p: StorePlace) => keys.unreadable.find((u) => u.backend === p.backend && u.location === p.location);
  const storeProblem = keys.unreadable.map((u) => u.problem.message).join('; ') || undefined;
  /** The store a profile's keys are in, or are recorded to be in, or would go to; and whether they are there. */
  const keyPlace = (profile: string): { keyStore: StorePlace['backend']; keysStored: boolean | null } => {
    const found = keys.profiles.get(profile);
    if (found !== undefined) return { keyStore: found.backend, keysStored: true };
    const place = keys.recorded.get(profile) ?? keys.newKeys;
    return { keyStore: place.backend, keysStored: unreadable(place) !== undefined ? null : false };
  };
  const sessions = await cache.list();
  const keyInfo = (await readKeyInfo(deps)).keys;
  const { maxAgeDays } = deps.settings.keys;

  const names = new Set<string>(stored);
  for (const s of sessions) for (const p of s.profiles) names.add(p);
  for (const [name, p] of files.profiles) if (p.settings.role_arn !== undefined) names.add(name);

  const now = deps.now().getTime();
  const rows: StatusRow[] = [];
  for (const name of names) {
    let plan: Pick<ChainPlan, 'source' | 'roles' | 'mfaSerial'>;
    try {
      plan = files.profiles.has(name) || !stored.includes(name) ? resolveChain(files, name) : { source: { profile: name, sts: {} }, roles: [] };
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      rows.push({ profile: name, error: e.code === 'E_PROFILE_UNKNOWN' && !files.profiles.has(name) ? `not in ${shortPath(deps, files.configFile)} any more` : e.message.replaceAll(`${deps.homeDir}/`, '~/') });
      continue;
    }
    const role = plan.roles[plan.roles.length - 1];
    const source = plan.source.profile;
    const mfa = latest(sessions.filter((s) => s.kind === 'mfa-session' && s.profiles[0] === source), (s) => s.subject === plan.mfaSerial);
    const own = role && latest(sessions.filter((s) => s.kind === 'role' && s.subject === role.roleArn && s.profiles[s.profiles.length - 1] === name));
    rows.push({
      profile: name,
      kind: role ? 'role' : 'user',
      source,
      ...keyPlace(source),
      mfaSerial: plan.mfaSerial ?? null,
      mfaSession: mfa ? view(mfa, now) : null,
      roleArn: role?.roleArn ?? null,
      roleSession: own ? view(own, now) : null,
      ...(role ? {} : { key: keyAge(keyInfo[name], deps.now(), maxAgeDays) }),
    });
  }
  rows.sort(byChain);

  if (input.json) {
    if (storeProblem !== undefined) deps.stderr(`mfa-login: cannot list the stored keys: ${storeProblem}\n`);
    deps.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }

  const color = isTty && !deps.env.NO_COLOR;
  let out = `Key store:     ${keyStores(deps, keys)}\n`;
  out += `Session cache: ${cache.mode}, ${shortPath(deps, cache.location)}\n\n`;
  if (rows.length === 0) {
    out += 'No profiles with stored keys or sessions. Store an IAM user\'s keys with: mfa-login add PROFILE\n';
    deps.stdout(out);
    return;
  }
  out += formatStatusTable(rows, { color, now });
  const old = rows.filter((r): r is GoodRow => 'kind' in r && r.key?.tooOld === true);
  if (old.length > 0) {
    out += `\n${old.map((r) => `The key of ${r.profile} is ${r.key!.days} days old (more than ${maxAgeDays}): replace it with: mfa-login rotate ${r.profile}`).join('\n')}\n`;
  }
  if (sessions.length === 0) {
    // Only a profile whose keys are there can start one: after `remove alice`, prod (through
    // alice) cannot, and its keys are the next step.
    const good = rows.filter((r): r is GoodRow => 'kind' in r);
    const first = good.find((r) => r.keysStored !== false);
    const keyless = good.find((r) => r.keysStored === false);
    // `login` spelled out: a profile may be named like a command (`demo`, `status`).
    if (first !== undefined) out += `\nNo sessions cached. Start one with: mfa-login login ${first.profile}  (or mfa-login session ${first.profile})\n`;
    else if (keyless !== undefined) out += `\nNo sessions cached, and no profile here has its keys stored. Store ${keyless.source}'s with: mfa-login add ${keyless.source}\n`;
  }
  if (rows.some((r) => 'error' in r)) out += '\nFor what is wrong with a profile and how to fix it, run: mfa-login doctor\n';
  deps.stdout(out);
}

/**
 * The stores that hold keys (or, with none, the one new keys go to), each as `backend, where`,
 * and why one cannot be read.
 */
function keyStores(deps: Deps, keys: KeyInventory): string {
  const places: StorePlace[] = [];
  for (const p of [...keys.profiles.values(), ...keys.recorded.values(), ...keys.unreadable]) {
    if (!places.some((q) => q.backend === p.backend && q.location === p.location)) places.push(p);
  }
  if (places.length === 0) places.push(keys.newKeys);
  return places
    .map((p) => {
      const problem = keys.unreadable.find((u) => u.backend === p.backend && u.location === p.location)?.problem.message;
      return `${p.backend}, ${shortPath(deps, p.location)}${problem !== undefined ? ` (cannot be read: ${problem})` : ''}`;
    })
    .join('; ');
}

/** The table part of `status`, a pure function of the rows for tests. */
export function formatStatusTable(rows: StatusRow[], options: { color: boolean; now: number }): string {
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const time = (v: SessionView | null, kind: keyof typeof FULL_BAR_MS): string => {
    if (v === null) return paint('2', 'none');
    if (v.expired) return paint('31', 'expired');
    const ms = v.secondsLeft * 1000;
    const filled = Math.max(1, Math.min(BAR_CELLS, Math.round((ms / FULL_BAR_MS[kind]) * BAR_CELLS)));
    const text = `${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)} ${formatLeft(ms)}`;
    return paint(ms > 3600_000 ? '32' : ms > 15 * 60_000 ? '33' : '31', text);
  };
  const table = rows.map((r): string[] => {
    // The first clause only: the rest (known profiles, expected forms) is for doctor and --json.
    if ('error' in r) return [r.profile, paint('31', `cannot resolve: ${shorten(r.error.split('; ')[0]!, 90)}`)];
    const keys = r.kind === 'role' ? `via ${r.source}` : r.keysStored === null ? `${r.keyStore}?` : r.keysStored ? r.keyStore : paint('31', 'none');
    const age = r.kind === 'role' || r.keysStored === false ? '-' : !r.key ? paint('2', 'unknown') : r.key.tooOld ? paint('31', `${r.key.days}d, rotate`) : `${r.key.days}d`;
    return [r.profile, keys, r.mfaSerial ?? '-', time(r.mfaSession, 'mfa-session'), r.kind === 'role' ? time(r.roleSession, 'role') : '-', age];
  });
  return formatTable(['PROFILE', 'KEYS', 'MFA DEVICE', 'MFA SESSION', 'ROLE SESSION', 'KEY AGE'], table);
}

/** The age of the stored key, from what add or rotate remembered. */
export function keyAge(info: KeyInfo | undefined, now: Date, maxAgeDays: number): KeyAgeView | null {
  if (info === undefined) return null;
  const days = ageInDays(info.created, now);
  return { accessKeyId: info.accessKeyId, created: info.created, days, tooOld: days > maxAgeDays };
}

/** `5h 12m`, `12m`, `40s`. */
export function formatLeft(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

function view(s: SessionInfo, now: number): SessionView {
  const left = s.expiration.getTime() - now;
  return { expiration: toRfc3339(s.expiration), secondsLeft: Math.max(0, Math.floor(left / 1000)), expired: left <= 0, accessKeyId: s.accessKeyId };
}

/** The session that lasts longest, among those matching `prefer` if any do. */
function latest(sessions: SessionInfo[], prefer: (s: SessionInfo) => boolean = () => true): SessionInfo | undefined {
  const pool = sessions.some(prefer) ? sessions.filter(prefer) : sessions;
  return pool.reduce<SessionInfo | undefined>((a, b) => (a === undefined || b.expiration > a.expiration ? b : a), undefined);
}

/** Users first, each followed by the roles reached from it; broken profiles last. */
function byChain(a: StatusRow, b: StatusRow): number {
  const key = (r: StatusRow) => ('error' in r ? ['~', '', r.profile] : [r.source, r.kind === 'user' ? '' : 'r', r.profile]);
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
