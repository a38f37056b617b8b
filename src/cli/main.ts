import os from 'node:os';
import { settingsFrom, testHookWarning, type Settings } from '../settings.js';
import { packageVersion } from './package-root.js';
import type { Deps } from '../deps.js';
import { EXIT, MfaLoginError } from '../errors.js';
import type { Command, Tool } from './args.js';
import { definitionOf, type Planned, type Table } from './definition.js';

export type { Tool } from './args.js';
import { during, realDeps } from './real-deps.js';
import { openSecretStore } from '../secrets/open-store.js';
import type { KeyStores } from '../secrets/store.js';
import { awsSdkSts } from '../sts/aws-sdk-sts.js';
import type { Sts } from '../sts/sts.js';
import { withoutCoreDumps } from '../endpoint/no-core-dumps.js';

/**
 * Runs one command; returns the exit status. Everything that prints an error is here. `table`:
 * the tool's commands (by default its own table, loaded only when the line is not a quick one).
 */
export async function main(argv: string[], deps: Deps, debug: boolean, tool: Tool = 'mfa-login', table?: Table): Promise<number> {
  try {
    // Bare `mfa-login` shows what it can do rather than logging in to a profile that may not exist.
    if (tool === 'mfa-login' && argv.length === 0) argv = ['--help'];
    const quick = quickParse(tool, argv);
    if (quick !== undefined && table === undefined) {
      // Only the one definition: the quick lines are the ones every AWS call makes.
      const d = quick.name === 'env' ? (await import('./definitions/env.js')).env : (await import('./definitions/credential-process.js')).credentialProcess;
      return (await dispatch(deps, quick, [d])) ?? EXIT.ok;
    }
    const t = table ?? (await import('./definitions/table.js'))[tool === 'mfa-env' ? 'ENV_TABLE' : 'LOGIN_TABLE'];
    const { command } = await (await import('./args.js')).parseWith(tool, t, argv, packageVersion());
    return (await dispatch(deps, command, t)) ?? EXIT.ok;
  } catch (e) {
    return report(deps, e, debug, tool);
  }
}

/** Runs a parsed command with the definition of its name; returns the exit status (exec passes on its child's). */
export async function dispatch(deps: Deps, c: Planned, table: Table): Promise<number | void> {
  const d = definitionOf(table, c.name);
  if (d === undefined) throw new Error(`no definition runs ${c.name}`);
  return d.run(deps, c, { table });
}

function withSpinners(sts: Sts): Sts {
  return {
    getSessionToken: (i) => during('asking STS for an MFA session', () => sts.getSessionToken(i)),
    assumeRole: (i) => during(`assuming ${i.roleArn}`, () => sts.assumeRole(i)),
    getCallerIdentity: (c, t) => during('checking the keys with STS', () => sts.getCallerIdentity(c, t)),
    listMfaDevices: (c, t) => during('looking up your MFA devices', () => sts.listMfaDevices(c, t)),
    createVirtualMfaDevice: (c, t, n) => during('creating the MFA device', () => sts.createVirtualMfaDevice(c, t, n)),
    enableMfaDevice: (c, t, x) => during('enabling the MFA device', () => sts.enableMfaDevice(c, t, x)),
    resyncMfaDevice: (c, t, x) => during('resynchronising the MFA device', () => sts.resyncMfaDevice(c, t, x)),
    deleteVirtualMfaDevice: (c, t, s) => during('deleting the MFA device', () => sts.deleteVirtualMfaDevice(c, t, s)),
    createAccessKey: (c, t, u) => during('creating a new access key', () => sts.createAccessKey(c, t, u)),
    listAccessKeys: (c, t, u) => during('listing your access keys', () => sts.listAccessKeys(c, t, u)),
    deleteAccessKey: (c, t, u, k) => during(`deleting access key ${k}`, () => sts.deleteAccessKey(c, t, u, k)),
  };
}

/** One line saying what is wrong, one saying what to do; the stack only with --debug. */
export function report(deps: Pick<Deps, 'stderr'>, e: unknown, debug: boolean, tool: Tool = 'mfa-login'): number {
  if (e instanceof MfaLoginError) {
    deps.stderr(`${tool}: ${e.message.replace(/\n\s*/g, ' ')}\n`);
    if (e.hint) deps.stderr(`  hint: ${e.hint}\n`);
    if (debug) deps.stderr(`${e.stack ?? ''}\n${e.cause instanceof Error ? `caused by: ${e.cause.stack}\n` : ''}`);
    return e.exitStatus;
  }
  const err = e as Error;
  deps.stderr(`${tool}: unexpected error: ${err?.message ?? String(e)}\n`);
  deps.stderr(debug ? `${err?.stack ?? ''}\n` : '  hint: run again with --debug for details\n');
  return EXIT.internal;
}

/**
 * The two calls that run on every AWS request (credential_process, and mfa-env in a prompt hook)
 * are recognised without loading the argument parser; anything else goes to yargs.
 */
export function quickParse(tool: Tool, argv: string[]): Command | undefined {
  const plain = (a: string | undefined) => a !== undefined && a !== '' && !a.startsWith('-');
  if (tool === 'mfa-login') {
    return argv.length === 2 && argv[0] === 'credential-process' && plain(argv[1]) ? { name: 'credential-process', profile: argv[1]! } : undefined;
  }
  if (argv.length === 0) return { name: 'env', unset: false };
  if (argv.length === 1 && plain(argv[0])) return { name: 'env', unset: false, profile: argv[0]! };
  return undefined;
}

/** Entry point of the `mfa-login` and `mfa-env` commands. */
export async function run(argv: string[], tool: Tool = 'mfa-login'): Promise<void> {
  const debug = argv.includes('--debug');
  // First of all: from here on the long-term keys may be decrypted, and the key file's passphrase
  // is in our environment already. A core file (a crash, a SIGQUIT at a prompt) would hold them.
  const reran = await withoutCoreDumps({
    env: process.env,
    stderr: (t) => void process.stderr.write(t),
    debug: debug ? (m) => void process.stderr.write(`mfa-login: debug: ${m}\n`) : () => {},
  });
  if (reran !== undefined) {
    process.exitCode = reran;
    return;
  }
  const homeDir = process.env.HOME || os.homedir();
  let settings: Settings;
  try {
    settings = settingsFrom(process.env, homeDir);
  } catch (e) {
    process.exitCode = report({ stderr: (t) => void process.stderr.write(t) }, e, debug, tool);
    return;
  }
  if (settings.testHooks.set.length > 0) process.stderr.write(testHookWarning(tool, settings.testHooks.set));
  let store: KeyStores | undefined;
  let sts: Sts | undefined;
  // Both open nothing until a method is called: the keychain binding and the AWS SDK are
  // imported on first use, so paths that never touch them never pay for loading them.
  const deps: Deps = realDeps({
    debug,
    settings,
    homeDir,
    secrets: () =>
      (store ??= openSecretStore({
        settings,
        io: deps,
        warn: (line) => deps.stderr(`mfa-login: warning: ${line}\n`),
        debug: deps.debug,
        askPassphrase: async (p, file) => {
          if (!deps.terminal.available()) {
            const shown = file.startsWith(`${homeDir}/`) ? `~${file.slice(homeDir.length)}` : file;
            throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', `the key file ${shown} needs its passphrase and there is no terminal to ask on`, { hint: 'set MFA_LOGIN_FILE_PASSPHRASE, or run the command in a terminal' });
          }
          return deps.terminal.askSecret(p.trim());
        },
      })),
    sts: () =>
      (sts ??= withSpinners(
        awsSdkSts({
          debug: deps.debug,
          timeoutMs: settings.stsTimeoutMs,
          onClockSkew: (s) => deps.stderr(`mfa-login: warning: this computer's clock is ${Math.abs(s)}s ${s > 0 ? 'ahead of' : 'behind'} AWS; MFA codes and signatures will start to fail (enable NTP: timedatectl set-ntp true)\n`),
        }),
      )),
  });
  process.on('SIGINT', () => process.exit(EXIT.interrupted));
  // `mfa-login doctor | head`: a reader that stops early is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(argv, deps, debug, tool);
}
