/**
 * One credential_process-like caller in its own process, for the end-to-end sharing test (not a
 * test file): resolves profile `target` from $HOME/.aws/config and obtains its credentials through
 * the real provider chain, the real STS adapter and the given cache, with the MFA code from
 * MFA_TEST_CODE. Prints {accessKeyId, fromCache} or {error}. With no arguments it does nothing.
 *   node chain-child.js agent SOCKET | file DIR
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { agentCache } from '../../src/agent/client.js';
import { fileCache } from '../../src/cache/file-cache.js';
import { resolveChain } from '../../src/config/chain.js';
import { loadProfiles, sharedFilePaths } from '../../src/config/profiles.js';
import type { Deps } from '../../src/deps.js';
import { credentialsFor } from '../../src/providers/credentials-for.js';
import { awsSdkSts } from '../../src/sts/aws-sdk-sts.js';

const [mode, location] = process.argv.slice(2);

async function main(): Promise<void> {
  const env = process.env;
  const home = env.HOME!;
  const cache = mode === 'agent' ? agentCache({ socket: location!, idleMs: 5000 }) : fileCache(location!);
  const fail = (what: string) => () => {
    throw new Error(`unexpected: ${what}`);
  };
  const deps: Deps = {
    env,
    homeDir: home,
    now: () => new Date(),
    stdout: () => {},
    stderr: () => {},
    stdinIsTty: false,
    readStdin: async () => '',
    readFile: async (p) => fs.readFile(p, 'utf8').catch(() => undefined),
    writeFile: fail('writeFile'),
    secrets: () => ({
      backend: 'file',
      location: 'memory',
      get: async () => ({ accessKeyId: env.MFA_TEST_KEY_ID!, secretAccessKey: env.MFA_TEST_SECRET! }),
      set: fail('set'),
      remove: fail('remove'),
      list: async () => [],
    }),
    sts: () => awsSdkSts(),
    cache: () => cache,
    terminal: { available: () => false, ask: fail('ask'), askSecret: fail('askSecret'), confirm: fail('confirm'), choose: fail('choose'), say: () => {} },
    runProcess: fail('runProcess'),
    debug: () => {},
  };
  const files = sharedFilePaths(env, home);
  const set = loadProfiles(files, await fs.readFile(path.join(home, '.aws/config'), 'utf8'), undefined);
  const got = await credentialsFor(deps, resolveChain(set, 'target'), {
    codeSource: () => ({ kind: 'flag', canRetry: false, get: async () => env.MFA_TEST_CODE! }),
  });
  process.stdout.write(`${JSON.stringify({ accessKeyId: got.credentials.accessKeyId, fromCache: got.fromCache })}\n`);
}

if (mode !== undefined) {
  main().catch((e: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    process.exitCode = 1;
  });
}
