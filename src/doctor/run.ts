import type { Deps } from '../deps.js';
import { EXIT, MfaLoginError } from '../errors.js';
import { count } from '../output/count.js';
import { fail, tilde, type Check, type Finding, type Learnt } from './check.js';
import { keyStore } from './key-store.js';
import { configFiles } from './config-files.js';
import { profiles } from './profiles.js';
import { regions } from './regions.js';
import { keyAge } from './key-age.js';
import { clock } from './clock.js';
import { sessionCache } from './session-cache.js';
import { credentialProcess } from './credential-process.js';
import { awsCli } from './aws-cli.js';
import { testHooks } from './test-hooks.js';

/** The checks, in the order their lines are printed. */
export const CHECKS: readonly Check[] = [keyStore, configFiles, profiles, regions, keyAge, clock, sessionCache, credentialProcess, awsCli, testHooks];

export interface DoctorOptions {
  isTty?: boolean;
  /** How long the clock check waits for STS. */
  clockTimeoutMs?: number;
}

/**
 * Runs every check and prints one line per finding, each with its fix. Returns the exit status:
 *
 * - 0 when nothing failed (warnings do not count);
 * - 7 (EXIT.keychain) when the key store is the only thing that failed;
 * - 3 (EXIT.config) when anything else failed: config files, profiles, credential_process hooks,
 *   the cache's permissions, the clock. These are all the machine's setup, which is what the
 *   config status stands for; the lines say which.
 */
export async function runChecks(deps: Deps, options: DoctorOptions = {}): Promise<number> {
  const color = (options.isTty ?? process.stdout.isTTY === true) && !deps.env.NO_COLOR;
  const learnt: Learnt = { storeName: 'the key store', clockTimeoutMs: options.clockTimeoutMs ?? 3000 };
  // The slow checks (a network round trip, starting the AWS CLI) run while the others do.
  const started = new Map(CHECKS.filter((c) => c.slow).map((c) => [c, guard(deps, c, learnt)]));

  const findings: Finding[] = [];
  for (const check of CHECKS) {
    const list = await (started.get(check) ?? guard(deps, check, learnt));
    for (const f of list) deps.stdout(formatFinding(f, color));
    findings.push(...list);
  }

  const failed = findings.filter((f) => f.level === 'FAIL');
  const warned = findings.filter((f) => f.level === 'warn').length;
  if (failed.length === 0) {
    deps.stdout(`\nNo problems found${warned > 0 ? ` (${count(warned, 'warning')})` : ''}.\n`);
    return EXIT.ok;
  }
  deps.stdout(`\n${count(failed.length, 'check')} failed${warned > 0 ? `, ${count(warned, 'warning')}` : ''}.\n`);
  return failed.every((f) => f.area === 'keychain') ? EXIT.keychain : EXIT.config;
}

export function formatFinding(f: Finding, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const level = f.level === 'ok' ? paint('32', 'ok  ') : f.level === 'warn' ? paint('33', 'warn') : paint('31', 'FAIL');
  return `${level}  ${f.text}\n${f.fix ? `      fix: ${f.fix}\n` : ''}`;
}

/** Runs one check; whatever it throws becomes a FAIL line of its own, so the others still run. */
async function guard(deps: Deps, check: Check, learnt: Learnt): Promise<Finding[]> {
  try {
    return await check.run(deps, learnt);
  } catch (e) {
    const what = check.name;
    if (e instanceof MfaLoginError) e = new MfaLoginError(e.code, tilde(deps, e.message), e.hint === undefined ? {} : { hint: tilde(deps, e.hint) });
    if (e instanceof MfaLoginError) return [fail(check.area, `${what}: ${e.message}`, e.hint ?? (e.code === 'E_CONFIG_SYNTAX' || e.code === 'E_FILE' ? 'correct that line or file: mfa-login reads them as strictly as the AWS CLI does' : 'see the message above'))];
    return [fail(check.area, `${what}: unexpected error: ${(e as Error)?.message ?? String(e)}`, 'run mfa-login doctor --debug, and report it if it persists')];
  }
}
