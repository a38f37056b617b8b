/**
 * Fakes for the provider tests (not a test file): an STS that counts and records its calls and
 * refuses the way real STS does (the local STS's own error codes and messages), an in-memory
 * session cache that keeps the acquire/lease/forget contract, a clock, and code sources.
 */
import type { Acquired, CachedSession, Lease, SessionStore } from '../../src/session-store/store.js';
import { resolveChain, type ChainPlan } from '../../src/config/chain.js';
import { loadProfiles } from '../../src/config/profiles.js';
import type { LongTermKeys, SessionCredentials } from '../../src/credentials.js';
import { assumeRoleMfaFailed, expiredToken, invalidClientTokenId, roleChainingTooLong, sessionTokenMfaFailed, type StsFault } from '../../src/aws-stand-in/faults.js';
import type { CodeRequest, CodeSource } from '../../src/mfa/code-source.js';
import type { ChainDeps } from '../../src/providers/chain-runner.js';
import { StsError, type AssumedRole, type AssumeRoleInput, type GetSessionTokenInput, type Sts } from '../../src/sts/sts.js';

export const ENDPOINT = 'http://127.0.0.1:1';
export const ALICE_KEYS: LongTermKeys = { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'alice-secret' };
export const ALICE_MFA = 'arn:aws:iam::111111111111:mfa/alice';
export const USER = `[profile alice]\nmfa_serial = ${ALICE_MFA}\nendpoint_url = ${ENDPOINT}\n`;
export const role = (name: string, source: string, extra = '') =>
  `[profile ${name}]\nrole_arn = arn:aws:iam::222222222222:role/${name}\nsource_profile = ${source}\n${extra}`;

export function plan(config: string, target: string): ChainPlan {
  return resolveChain(loadProfiles({ configFile: 'config', credentialsFile: 'credentials' }, config, undefined), target);
}

export const stsError = (f: StsFault) => new StsError(f.code, f.message, f.status, undefined, ENDPOINT);
export const refusals = {
  ExpiredToken: () => stsError(expiredToken()),
  InvalidClientTokenId: () => stsError(invalidClientTokenId()),
};

export class Clock {
  constructor(public ms = Date.parse('2025-01-01T00:00:00Z')) {}
  now = () => new Date(this.ms);
  advanceMinutes(m: number): void {
    this.ms += m * 60_000;
  }
}

/**
 * Hands out sessions that expire by the clock. Codes in `refusedCodes` are refused as real STS
 * refuses them; `failNext` scripts the next refusals of one action.
 */
export class FakeSts implements Pick<Sts, 'getSessionToken' | 'assumeRole' | 'getCallerIdentity' | 'listMfaDevices'> {
  readonly sessionTokenCalls: GetSessionTokenInput[] = [];
  readonly assumeRoleCalls: AssumeRoleInput[] = [];
  readonly refusedCodes = new Set<string>();
  private scripted: Array<{ action: 'getSessionToken' | 'assumeRole'; error: StsError }> = [];
  private issued = 0;

  constructor(private readonly clock: Clock) {}

  failNext(action: 'getSessionToken' | 'assumeRole', error: () => StsError, times = 1): void {
    for (let i = 0; i < times; i++) this.scripted.push({ action, error: error() });
  }

  async getSessionToken(input: GetSessionTokenInput): Promise<SessionCredentials> {
    this.sessionTokenCalls.push(input);
    this.refuse('getSessionToken', input.tokenCode);
    return this.issue('MFA', input.durationSeconds);
  }

  async assumeRole(input: AssumeRoleInput): Promise<AssumedRole> {
    this.assumeRoleCalls.push(input);
    const chained = input.credentials.sessionToken !== undefined;
    if (chained && (input.durationSeconds ?? 3600) > 3600) throw stsError(roleChainingTooLong());
    this.refuse('assumeRole', chained ? undefined : input.tokenCode);
    return { credentials: this.issue('ROLE', input.durationSeconds ?? 3600), assumedRoleArn: `${input.roleArn}/${input.roleSessionName}` };
  }

  async getCallerIdentity(): Promise<never> {
    throw new Error('not used by the providers');
  }

  async listMfaDevices(): Promise<never> {
    throw new Error('not used by the providers');
  }

  private refuse(action: 'getSessionToken' | 'assumeRole', code: string | undefined): void {
    const i = this.scripted.findIndex((s) => s.action === action);
    if (i >= 0) throw this.scripted.splice(i, 1)[0]!.error;
    if (code !== undefined && this.refusedCodes.has(code)) throw stsError(action === 'getSessionToken' ? sessionTokenMfaFailed() : assumeRoleMfaFailed());
  }

  private issue(kind: string, seconds: number): SessionCredentials {
    const n = ++this.issued;
    return { accessKeyId: `ASIA${kind}${n}`, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiration: new Date(this.clock.ms + seconds * 1000) };
  }
}

/**
 * The SessionStore contract in memory: a session valid until `validUntil`, else a lease; while a
 * lease for a key is held, other callers for that key wait for its put or release.
 */
export class MemoryCache implements SessionStore {
  readonly mode = 'file' as const;
  readonly location = 'memory';
  readonly entries = new Map<string, CachedSession>();
  readonly puts: string[] = [];
  readonly releases: string[] = [];
  readonly forgotten: Array<string | undefined> = [];
  private held = new Map<string, Promise<void>>();

  async read(key: string, validUntil: Date): Promise<CachedSession | undefined> {
    const s = this.entries.get(key);
    return s !== undefined && s.credentials.expiration.getTime() >= validUntil.getTime() ? s : undefined;
  }

  async put(key: string, session: CachedSession): Promise<void> {
    this.entries.set(key, session);
  }

  async acquire(key: string, validUntil: Date): Promise<Acquired> {
    // Bounded, so that a lease a provider forgot to give back fails the test instead of hanging it.
    while (this.held.has(key)) await within(this.held.get(key)!, 5000, `the lease for ${key} was never given back`);
    const s = this.entries.get(key);
    if (s !== undefined && s.credentials.expiration.getTime() >= validUntil.getTime()) return { session: s };
    let end!: () => void;
    this.held.set(key, new Promise<void>((r) => (end = r)));
    const finish = () => {
      this.held.delete(key);
      end();
    };
    const lease: Lease = {
      put: async (session) => {
        this.entries.set(key, session);
        this.puts.push(key);
        finish();
      },
      release: async () => {
        this.releases.push(key);
        finish();
      },
    };
    return { lease };
  }

  async forget(profile?: string): Promise<number> {
    this.forgotten.push(profile);
    let n = 0;
    for (const [k, s] of this.entries) {
      if (profile === undefined || s.profiles.includes(profile)) {
        this.entries.delete(k);
        n++;
      }
    }
    return n;
  }

  async list(): Promise<never[]> {
    return [];
  }
}

async function within(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A code source that hands out `codes` in turn and records each request. */
export function codes(kind: CodeSource['kind'], ...answers: string[]): CodeSource & { requests: CodeRequest[] } {
  const requests: CodeRequest[] = [];
  return {
    kind,
    canRetry: kind === 'terminal',
    requests,
    async get(req) {
      requests.push(req);
      const code = answers[requests.length - 1];
      if (code === undefined) throw new Error(`no code left for attempt ${req.attempt}`);
      return code;
    },
  };
}

/** Deps for the providers, with what they said on the terminal and in --debug. */
export function fakeDeps(clock = new Clock()) {
  const sts = new FakeSts(clock);
  const cache = new MemoryCache();
  const said: string[] = [];
  const debug: string[] = [];
  let keyReads = 0;
  const deps: ChainDeps = {
    env: {},
    now: clock.now,
    sts: () => sts,
    cache: () => cache,
    secrets: () => ({
      backend: 'file',
      location: 'memory',
      get: async (p: string) => {
        keyReads++;
        return p === 'alice' ? ALICE_KEYS : undefined;
      },
      set: async () => {},
      remove: async () => false,
      list: async () => ['alice'],
      inventory: async () => ({ profiles: new Map([['alice', { backend: 'file', location: 'memory' }]]), unreadable: [], recorded: new Map(), newKeys: { backend: 'file', location: 'memory' } }),
      ready: async () => {},
    }),
    terminal: { say: (line) => said.push(line) },
    debug: (m) => debug.push(m),
  };
  return { deps, sts, cache, clock, said, debug, keyReads: () => keyReads };
}
