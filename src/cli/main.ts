import { readFileSync } from 'node:fs';
import type { Deps } from '../deps.js';
import { EXIT, MfaLoginError } from '../errors.js';
import { parseArgs, parseEnvArgs, type Command } from './args.js';

export type Tool = 'mfa-login' | 'mfa-env';
import { realDeps } from './real-deps.js';
import { openSecretStore } from '../secrets/open-store.js';
import type { SecretStore } from '../secrets/store.js';
import { awsSdkSts } from '../sts/aws-sdk-sts.js';
import type { Sts } from '../sts/sts.js';

/** Runs one command; returns the exit status. Everything that prints an error is here. */
export async function main(argv: string[], deps: Deps, debug: boolean, tool: Tool = 'mfa-login'): Promise<number> {
  try {
    const { command } = tool === 'mfa-env' ? await parseEnvArgs(argv, version()) : await parseArgs(argv, version());
    return (await dispatch(deps, command)) ?? EXIT.ok;
  } catch (e) {
    return report(deps, e, debug, tool);
  }
}

/** Runs a parsed command; returns the exit status (exec passes on its child's). */
async function dispatch(deps: Deps, c: Command): Promise<number | void> {
  switch (c.name) {
    case 'help':
      deps.stdout(`${c.text}\n`);
      return;
    case 'version':
      deps.stdout(`${version()}\n`);
      return;
    case 'login':
      return (await import('./commands/login.js')).login(deps, c);
    case 'add':
      return (await import('./commands/add.js')).add(deps, c);
    case 'remove':
      return (await import('./commands/keys.js')).remove(deps, c.profile);
    case 'list':
      return (await import('./commands/keys.js')).list(deps, c.json);
    case 'logout':
      return (await import('./commands/keys.js')).logout(deps, c.profile, c.all);
    case 'credential-process':
      return (await import('./commands/deliver.js')).credentialProcess(deps, c);
    case 'session':
      return (await import('./commands/deliver.js')).session(deps, c);
    case 'env':
      return (await import('./commands/deliver.js')).env(deps, c);
    case 'exec':
      return (await import('./commands/exec.js')).exec(deps, c);
    case 'completion':
      deps.stdout(readFileSync(new URL(`../../../completions/mfa-login.${c.shell}`, import.meta.url), 'utf8'));
      return;
    case 'profiles': {
      const { readProfiles } = await import('./profiles-io.js');
      const names = [...(await readProfiles(deps)).profiles.keys()].sort();
      deps.stdout(names.map((n) => `${n}\n`).join(''));
      return;
    }
    case 'setup':
      return (await import('./commands/setup.js')).setup(deps, { profile: c.profile, ...(c.as !== undefined ? { name: c.as } : {}) });
  }
}

/** One line saying what is wrong, one saying what to do; the stack only with --debug. */
export function report(deps: Deps, e: unknown, debug: boolean, tool: Tool = 'mfa-login'): number {
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

let cachedVersion: string | undefined;
function version(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

/** Entry point of the `mfa-login` and `mfa-env` commands. */
export async function run(argv: string[], tool: Tool = 'mfa-login'): Promise<void> {
  const debug = argv.includes('--debug');
  let store: SecretStore | undefined;
  let sts: Sts | undefined;
  // Both open nothing until a method is called: the keychain binding and the AWS SDK are
  // imported on first use, so paths that never touch them never pay for loading them.
  const deps: Deps = realDeps({
    debug,
    secrets: () => (store ??= openSecretStore({ env: process.env, homeDir: deps.homeDir, askPassphrase: (p) => deps.terminal.askSecret(p.trim()) })),
    sts: () => (sts ??= awsSdkSts({ debug: deps.debug })),
  });
  process.on('SIGINT', () => process.exit(EXIT.interrupted));
  process.exitCode = await main(argv, deps, debug, tool);
}
