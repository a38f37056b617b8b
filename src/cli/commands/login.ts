import { checkBeforeWriting } from '../../files/file-safety.js';
import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { resolveChain, withScope } from '../../config/chain.js';
import type { SessionScope } from '../../config/session-scope.js';
import { configHeaderFor, defaultProfileName, loadProfiles, type ProfileSet } from '../../config/profiles.js';
import { removeSectionKeys, setSectionValues } from '../../output/ini-edit.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { editProfileFile, readProfiles, shortPath } from '../../session/profiles-io.js';
import { checkPlan, obtain, withRegionFlag } from '../../session/session.js';
import { closest } from '../../config/near-miss.js';
import { MARKER_KEY, markerValue } from '../../session/written-sessions.js';
import { regionFor } from '../../settings.js';

/** Keys in a config profile that make the SDKs and the AWS CLI ignore static keys of the same name. */
const OVERRIDING_KEYS = ['role_arn', 'credential_process', 'web_identity_token_file', 'sso_start_url', 'sso_session', 'sso_account_id', 'sso_role_name'];

export interface LoginInput {
  profile: string;
  to?: string;
  mfaToken?: string;
  duration?: number;
  region?: string;
  /** --session-tags, --policy-arn and the like: the written session is the narrowed one. */
  scope?: SessionScope;
  /** Given as `mfa-login <profile>`, with no command: the name may be a mistyped command. */
  bare?: boolean;
}

/**
 * `mfa-login <profile>`: obtain the session and write it to the shared credentials file.
 * `commands`: mfa-login's commands, for a bare name that is a typo of one.
 */
export async function login(deps: Deps, input: LoginInput, commands: readonly string[]): Promise<void> {
  const profile = input.profile || defaultProfileName(deps.env);
  const files = await readProfiles(deps);
  const resolved = await (async () => {
    try {
      return resolveChain(files, profile);
    } catch (e) {
      // `mfa-login statsu` is a typo of a command more often than of a profile name, but `prd` is
      // one of `prod` (not of `add`): the closer of the two is suggested, a profile on a tie.
      // After `login`, the name can only be a profile.
      if (!(e instanceof MfaLoginError) || e.code !== 'E_PROFILE_UNKNOWN' || !input.bare || !input.profile || files.profiles.has(input.profile)) throw e;
      const near = closest(input.profile, [...files.profiles.keys(), ...commands]);
      if (near === undefined || !commands.includes(near) || files.profiles.has(near)) throw e;
      throw new MfaLoginError('E_USAGE', `${input.profile} is neither a command nor a profile; did you mean ${near}?`, { hint: `see: mfa-login ${near} --help` });
    }
  })();
  checkPlan(deps, files, resolved, 'mfa-login');
  const plan = withScope(resolved, input.scope ?? {});
  // The region the AWS tools would use now, kept in the written profile so that it still works
  // where the environment no longer says it.
  const { region } = regionFor(deps.env, plan.region, input.region);
  deps = withRegionFlag(deps, input.region);
  const target = chooseTarget(files, profile, input.to);
  // Found out before a code is spent on a session that could not be written: every file this
  // login will change (the config only when it gets a region).
  const tooOpen = await checkBeforeWriting(files.credentialsFile);
  if (region !== undefined && regionEdit(deps, files, target.name, region).edit(files.configText ?? '') !== (files.configText ?? '')) {
    await checkBeforeWriting(files.configFile);
  }

  const got = await obtain(deps, plan, {
    byHand: `mfa-login ${profile}`,
    ...(input.mfaToken !== undefined ? { mfaToken: input.mfaToken } : {}),
    ...(input.duration !== undefined ? { duration: input.duration } : {}),
  });
  const c = got.credentials;

  // Read under the lock just before writing: an edit made while the user was typing the code, and
  // one another mfa-login makes at the same moment, are both kept.
  await editProfileFile(deps, files.credentialsFile, (current) =>
    setSectionValues(
      // aws_security_token is the old name of aws_session_token, still read by some tools (and
      // written by aws-mfa): one left from an earlier session would be a stale token beside ours.
      removeSectionKeys(current, target.name, ['aws_security_token']),
      target.name,
      [
        ['aws_access_key_id', c.accessKeyId],
        ['aws_secret_access_key', c.secretAccessKey],
        ['aws_session_token', c.sessionToken],
        ['expiration', toRfc3339(c.expiration)],
        // So that logout can take it away again, and nothing else.
        [MARKER_KEY, markerValue(plan)],
      ],
    ),
  );
  const regionNote = region !== undefined ? await giveRegion(deps, files, target.name, region) : undefined;
  if (tooOpen !== undefined) deps.stderr(`mfa-login: warning: ${tooOpen}\n`);

  if (target.redirected) {
    deps.stderr(`mfa-login: note: [profile ${profile}] in ${shortPath(deps, files.configFile)} has ${target.redirected}, which makes AWS tools ignore keys written under [${profile}]; wrote to [${target.name}] instead\n`);
  }
  if (regionNote !== undefined) deps.stderr(`mfa-login: note: ${regionNote}\n`);
  if (region === undefined && !hasOwnRegion(files, target.name)) deps.stderr(`mfa-login: warning: ${noRegion(deps, files, profile, target.name, input.to)}\n`);
  const left = Math.round((c.expiration.getTime() - deps.now().getTime()) / 60000);
  deps.stdout(
    `Wrote ${plan.roles.length > 0 ? `a session of ${plan.roles[plan.roles.length - 1]!.roleArn}` : 'an MFA session'} to [${target.name}] in ${shortPath(deps, files.credentialsFile)}, valid until ${toRfc3339(c.expiration)} (${formatMinutes(left)}${got.fromCache ? ', cached' : ''}).\n` +
      `Use it with: aws --profile ${target.name} ...  or  export AWS_PROFILE=${target.name}\n`,
  );
}

/**
 * Where to write. Never under a name whose config profile makes AWS tools ignore static keys, and
 * never over long-term keys still sitting in the file: both would silently lose something.
 */
function chooseTarget(files: ProfileSet, profile: string, to: string | undefined): { name: string; redirected?: string } {
  const name = to ?? profile;
  if (!/^[\w+=,.@:/-]+$/.test(name)) {
    throw new MfaLoginError('E_USAGE', `--to ${JSON.stringify(name)} is not a usable profile name`, { hint: 'use letters, digits and - _ . @ + = , : /' });
  }
  const blocker = (n: string) => {
    const p = files.profiles.get(n);
    if (p === undefined) return undefined;
    const key = OVERRIDING_KEYS.find((k) => p.settings[k] !== undefined && !p.where[k]!.startsWith(files.credentialsFile));
    if (key !== undefined) return key;
    const s = p.settings;
    if (s.aws_access_key_id !== undefined && s.aws_session_token === undefined && p.where.aws_access_key_id!.startsWith(files.credentialsFile)) return 'long-term keys';
    return undefined;
  };
  const free = () => {
    for (let i = 1; ; i++) {
      // Not -mfa: that is the name `mfa-login setup` gives credential_process profiles.
      const candidate = i === 1 ? `${name}-session` : `${name}-session-${i}`;
      if (blocker(candidate) === undefined) return candidate;
    }
  };
  const why = blocker(name);
  if (why === undefined) return { name };
  if (why === 'long-term keys') {
    throw new MfaLoginError('E_PROFILE_CONFLICT', `[${name}] in ${files.credentialsFile} holds long-term keys; writing a session there would overwrite them`, {
      hint: `move them into the keychain with: mfa-login add ${name} --import   or write elsewhere with: --to ${free()}`,
    });
  }
  if (to !== undefined) {
    throw new MfaLoginError('E_PROFILE_CONFLICT', `[profile ${name}] in ${files.configFile} has ${why}, so AWS tools would ignore keys written under [${name}]`, {
      hint: `write to a free name instead: --to ${free()}`,
    });
  }
  return { name: free(), redirected: why };
}

/**
 * The AWS CLI refuses a profile with no region ("You must specify a region"), so the written
 * profile gets one in the config: only `region`, only when known, and never over a region the
 * user set in a profile of their own (a section that holds more than a region). Returns a note.
 */
async function giveRegion(deps: Deps, files: ProfileSet, name: string, region: string): Promise<string | undefined> {
  const change = regionEdit(deps, files, name, region);
  await editProfileFile(deps, files.configFile, change.edit);
  return change.note();
}

/** The config edit that gives `name` its region (see giveRegion), and the note it leaves. */
function regionEdit(deps: Deps, files: ProfileSet, name: string, region: string): { edit: (text: string) => string; note: () => string | undefined } {
  const header = configHeaderFor(name);
  let note: string | undefined;
  const edit = (text: string): string => {
    const own = loadProfiles({ configFile: files.configFile, credentialsFile: files.credentialsFile }, text, undefined).profiles.get(name);
    const current = own?.settings.region;
    if (current === region) return text;
    if (current !== undefined && Object.keys(own!.settings).some((k) => k !== 'region')) {
      note = `[${header}] in ${shortPath(deps, files.configFile)} keeps its region = ${current} (not ${region})`;
      return text;
    }
    note = `set region = ${region} in [${header}] in ${shortPath(deps, files.configFile)}`;
    return setSectionValues(text, header, [['region', region]], 'config');
  };
  return { edit, note: () => note };
}

/** Whether the written profile has a region of its own in the config, which the AWS CLI reads. */
function hasOwnRegion(files: ProfileSet, name: string): boolean {
  const p = files.profiles.get(name);
  return p?.settings.region !== undefined && p.where.region!.startsWith(`${files.configFile} line `);
}

/**
 * No --region, no AWS_REGION or AWS_DEFAULT_REGION, no region up the profile's chain: the session
 * is written, but the `aws --profile NAME` printed below fails with "You must specify a region".
 * One line with both fixes: log in again with --region, or give the profile a region.
 */
function noRegion(deps: Deps, files: ProfileSet, profile: string, target: string, to: string | undefined): string {
  const again = `mfa-login login ${profile}${to !== undefined ? ` --to ${to}` : ''} --region REGION`;
  return `no region is known for ${profile} (no --region, AWS_REGION, AWS_DEFAULT_REGION or region in its profile), so "aws --profile ${target}" will fail with "You must specify a region": run ${again}, or add region = REGION to [${configHeaderFor(target)}] in ${shortPath(deps, files.configFile)}`;
}

function formatMinutes(m: number): string {
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r === 0 ? `${h} h` : `${h} h ${r} min`;
}

