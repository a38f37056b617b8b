/**
 * Shared set-up for the consumer tests: a sandbox with alice's keys stored and a role profile
 * `prod` on top, wrapper commands named like the installed ones, and codes with time to spare.
 */
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Sandbox, user, MFA_LOGIN, MFA_ENV, requireComponent, AWS_CLI, runCommand, type TestUser, type RunResult } from '../e2e/harness.js';
import { totp } from '../../src/mfa/totp.js';

export const ROLE_ARN = 'arn:aws:iam::222222222222:role/Admin';
/** What GetCallerIdentity returns for credentials of that role, whatever the session name. */
export const ASSUMED_ROLE = /^arn:aws:sts::222222222222:assumed-role\/Admin\/[\w+=,.@-]{2,64}$/;

export interface ProdSandbox {
  sb: Sandbox;
  alice: TestUser;
  /** A directory with `mfa-login` and `mfa-env` commands in it, to put first on PATH. */
  bin: string;
}

/**
 * A sandbox whose STS knows alice and the Admin role (which demands MFA), with alice's keys stored
 * through `mfa-login add` and `[profile prod]` assuming the role from alice.
 */
export async function prodSandbox(extraUsers: TestUser[] = []): Promise<ProdSandbox> {
  const alice = user('alice');
  const sb = await new Sandbox([alice, ...extraUsers]).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }] });
  await sb.add('alice', alice);
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}[profile prod]\nrole_arn = ${ROLE_ARN}\nsource_profile = alice\nregion = eu-west-1\n`);
  const bin = sb.file('bin');
  mkdirSync(bin, { recursive: true });
  // exec: the shell that evaluates `$(mfa-env)` must be mfa-env's parent, for the shell detection.
  for (const [name, script] of [['mfa-login', MFA_LOGIN], ['mfa-env', MFA_ENV]] as const) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\nexec ${sq(process.execPath)} ${sq(script)} "$@"\n`, { mode: 0o755 });
  }
  return { sb, alice, bin };
}

/**
 * A code with at least `marginMs` of validity left. The harness hands out the previous step's
 * code first, which STS stops accepting at the end of the current 30 s window; a code that has to
 * survive a prompt, a keystroke or a process start must not be that close to the edge.
 */
export async function codeWithTime(sb: Sandbox, u: TestUser, marginMs = 5000): Promise<string> {
  const seed = u.mfaDevices[0]!.seed;
  for (;;) {
    const now = Date.now();
    const current = Math.floor(now / 30_000);
    const code = await sb.code(u);
    const previous = totp(seed, (current - 1) * 30_000 + 1000);
    const windowLeft = (current + 1) * 30_000 - now;
    if (code !== previous || windowLeft >= marginMs) return code;
  }
}

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One word for sh, bash, zsh and fish: single quotes, with a single quote written as '\''. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What `mfa-login credential-process prod` gives from the cache: what a shell must end up holding. */
export type ProcessCredentials = { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };

/**
 * A prod sandbox whose session is started beforehand (mfa-env in a shell has no code to give),
 * with the credentials the cache now holds.
 */
export async function warmProdSandbox(): Promise<ProdSandbox & { expected: ProcessCredentials }> {
  const p = await prodSandbox();
  const warm = await p.sb.run(['session', 'prod', '--mfa-token', await codeWithTime(p.sb, p.alice)]);
  if (warm.status !== 0) throw new Error(`session prod failed: ${warm.stderr}`);
  const r = await p.sb.run(['credential-process', 'prod']);
  if (r.status !== 0) throw new Error(`credential-process prod failed: ${r.stderr}`);
  return { ...p, expected: JSON.parse(r.stdout) as ProcessCredentials };
}

/** Why a shell test cannot run here (the AWS CLI or the shell missing), or false. */
export function missingShell(shell: string): string | false {
  return requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)') || requireComponent(executable(shell), shell);
}

export const BASH = '/usr/bin/bash';
export const ZSH = '/usr/bin/zsh';
export const FISH = '/usr/bin/fish';

/** Runs a script in a shell without its rc files, with `bin` (the wrapper commands) first on PATH and the sandbox's environment. */
export function inShell(sb: Sandbox, bin: string, shell: string, script: string, env: Record<string, string> = {}): Promise<RunResult> {
  const args = shell === FISH ? ['--no-config', '-c', script] : shell === ZSH ? ['-f', '-c', script] : ['--noprofile', '--norc', '-c', script];
  return runCommand(shell, args, sb.env({ PATH: `${bin}:${process.env.PATH}`, ...env }));
}
