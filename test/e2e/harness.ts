import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalSts, type LocalSts, type LocalStsOptions } from '../../src/aws-stand-in/server.js';
import { totp } from '../../src/mfa/totp.js';
import { RECENT_MS } from '../../src/session-store/route.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MFA_LOGIN = path.join(ROOT, 'bin/mfa-login.js');
export const MFA_ENV = path.join(ROOT, 'bin/mfa-env.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A user in the identity account with a virtual MFA device; secrets carry `/` and `+` like real ones. */
export function user(name: string, account = '111111111111') {
  const tag = name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, 'X').slice(0, 8);
  return {
    userName: name,
    accountId: account,
    accessKeyId: `AKIA${tag}00000001`,
    secretAccessKey: `${name}Secret/+${'0'.repeat(40)}`.slice(0, 40),
    mfaDevices: [{ serial: `arn:aws:iam::${account}:mfa/${name}`, seed: 'JBSWY3DPEHPK3PXP' + tag.replace(/[^A-Z2-7]/g, 'A') }],
  };
}

export type TestUser = ReturnType<typeof user>;

/** A role in another account that demands MFA and trusts the identity account: `.start({ roles: [ADMIN_ROLE] })`. */
export const ADMIN = 'arn:aws:iam::222222222222:role/Admin';
export const ADMIN_ROLE = { roleArn: ADMIN, requireMfa: true, trustedPrincipals: ['111111111111'] };

/** ~/.aws/config text: `u`'s profile (its MFA device, region us-east-1) and `<u>-admin`, ADMIN reached from it. */
export function userAndAdminConfig(u: TestUser): string {
  return `[profile ${u.userName}]
mfa_serial = ${u.mfaDevices[0]!.serial}
region = us-east-1

[profile ${u.userName}-admin]
role_arn = ${ADMIN}
source_profile = ${u.userName}
`;
}

/**
 * A throw-away HOME with its own ~/.aws and a local STS, and a runner for the built CLI. The CLI
 * runs detached (no controlling terminal), so a missing code source fails instead of prompting.
 */
export class Sandbox {
  readonly home: string;
  /** XDG_RUNTIME_DIR for the CLI: a private directory on tmpfs, as systemd makes one at login. */
  readonly runtime: string;
  sts!: LocalSts;
  private lastStep = new Map<string, number>();
  /** Whether the STS was started with allowCodeReuse: any code of the window then serves, again and again. */
  private codeReuse = false;

  constructor(readonly users: TestUser[]) {
    this.home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-e2e-'));
    this.runtime = mkdtempSync('/dev/shm/mfa-login-e2e-run-');
    mkdirSync(path.join(this.home, '.aws'), { recursive: true });
  }

  async start(options: Partial<LocalStsOptions> = {}): Promise<this> {
    this.sts = await startLocalSts({ users: this.users, ...options });
    this.codeReuse = options.allowCodeReuse === true;
    return this;
  }

  async stop(): Promise<void> {
    await this.sts?.close();
    // An agent a test started (MFA_LOGIN_CACHE=agent) listens in the runtime directory.
    await this.run(['agent', 'stop'], { env: { MFA_LOGIN_CACHE: 'agent' } }).catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
    rmSync(this.runtime, { recursive: true, force: true });
  }

  file(rel: string): string {
    return path.join(this.home, rel);
  }

  write(rel: string, text: string): void {
    mkdirSync(path.dirname(this.file(rel)), { recursive: true });
    writeFileSync(this.file(rel), text);
  }

  read(rel: string): string | undefined {
    return existsSync(this.file(rel)) ? readFileSync(this.file(rel), 'utf8') : undefined;
  }

  /**
   * A code STS will accept and, unless it was started with allowCodeReuse, has not seen. The local
   * STS, like AWS, takes the current step and one on either side, but once a step is accepted it
   * refuses that step and every earlier one; so codes are handed out in increasing step order,
   * waiting for the next step when the window is used up. A test that needs more than three codes
   * gives each part its own user (user(name)), or, when codes are not what it is about, names
   * allowCodeReuse when it starts the STS.
   */
  async code(u: TestUser): Promise<string> {
    const seed = u.mfaDevices[0]!.seed;
    // The current step's code is accepted until the end of the next step: 30 s at least.
    if (this.codeReuse) return totp(seed, Date.now());
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / 30_000);
      // The previous step's code is accepted only until the current step ends: skip it when too
      // little of that is left for a slow machine to get the request there.
      const oldest = (current + 1) * 30_000 - now >= 5000 ? current - 1 : current;
      const next = Math.max((this.lastStep.get(seed) ?? -Infinity) + 1, oldest);
      if (next <= current + 1) {
        this.lastStep.set(seed, next);
        return totp(seed, next * 30_000 + 1000);
      }
      await new Promise((r) => setTimeout(r, (current + 1) * 30_000 - now + 50));
    }
  }

  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: this.home,
      XDG_RUNTIME_DIR: this.runtime,
      LANG: 'C.UTF-8',
      AWS_ENDPOINT_URL: this.sts?.url,
      AWS_REGION: 'us-east-1',
      MFA_LOGIN_BACKEND: 'file',
      MFA_LOGIN_FILE_PASSPHRASE: 'correct horse battery staple',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The private keyring session of test/with-keyring.sh, when there is one.
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
      ...extra,
    };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
  }

  run(args: string[], options: { env?: Record<string, string | undefined>; input?: string; bin?: string } = {}): Promise<RunResult> {
    return runCommand(process.execPath, [options.bin ?? MFA_LOGIN, ...args], this.env(options.env), options.input);
  }

  /** Stores keys for a user through `add`, the way a person would (piped on stdin). */
  async add(profile: string, u: TestUser, extra: string[] = []): Promise<RunResult> {
    const r = await this.run(['add', profile, '--yes', ...extra], { input: `${u.accessKeyId}\n${u.secretAccessKey}\n` });
    if (r.status !== 0) throw new Error(`add failed: ${r.stderr}`);
    return r;
  }
}

export interface RunOptions {
  /** Written to its stdin, which is then closed (default: nothing, closed at once). */
  input?: string;
  /** Its working directory (default: the test's). */
  cwd?: string;
  /** Killed, with everything it started, once it outlives this: a hang fails the test, never blocks it. */
  limitMs?: number;
}

/**
 * The one way the tests run a program and collect what it prints: the built CLI, the AWS CLI,
 * shells, tmux. Detached (a process group of its own, no controlling terminal), so that a kill
 * reaches everything it started. The fourth argument is its stdin, or the options. `killed` says
 * the limit was reached; `ms` how long it ran.
 */
export function runCommand(cmd: string, args: string[], env: Record<string, string>, options: string | RunOptions = {}): Promise<RunResult & { ms: number; killed: boolean }> {
  const { input = '', cwd, limitMs } = typeof options === 'string' ? { input: options } : options;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { env, ...(cwd !== undefined ? { cwd } : {}), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer =
      limitMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, limitMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0, killed });
    });
    child.stdin.on('error', () => {}); // a child that exits without reading its stdin
    child.stdin.end(input);
  });
}

/** In CI every component must be there; on a developer machine a missing one skips with a reason. */
export function requireComponent(present: boolean, what: string): string | false {
  if (present) return false;
  if (process.env.CI === 'true') throw new Error(`${what} is missing, and CI must not skip it`);
  return `${what} is not installed`;
}

export const AWS_CLI = '/usr/bin/aws';

/**
 * Waits until files written just now count as settled: the full path notes a profile's route
 * (which the cached path follows) only for config files that did not change in the last
 * RECENT_MS (src/session-store/route.ts). A test that edits a config and then needs the cached path waits
 * this long before the full path answers.
 */
export function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, RECENT_MS + 20));
}
