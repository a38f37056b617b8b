/**
 * The cached credential path. `credential_process` runs on every AWS call and `mfa-env` in shell
 * hooks, so a cache hit is answered here with a handful of small modules and Node's fs: no
 * argument parser, no AWS SDK, no keychain binding, no crypto, and no socket unless the agent's
 * mailbox (agent/mailbox.ts) happens to be empty.
 * Anything this path does not handle plainly (flags, a miss, a warning to show, an error to
 * explain) returns false, and the full command line takes over and does it properly.
 */
import { readFileSync, writeSync } from 'node:fs';
import { defaultProfileName, loadProfiles, sharedFilePaths } from '../config/profiles.js';
import { accountOf, resolveChain } from '../config/chain.js';
import { chainKeys, MIN_VALIDITY_MS } from '../providers/chain-keys.js';
import { cacheDir } from '../cache/cache-dir.js';
import { decodeConfigText } from '../files/config-text.js';
import { keyFileName } from '../cache/key-file-name.js';
import type { CachedSession } from '../cache/session-cache.js';
import { agentSocketPath } from '../agent/socket-path.js';
import { peekAgent } from '../agent/peek.js';
import { takeFromMailbox } from '../agent/mailbox.js';
import { sessionFromJson } from '../agent/session-json.js';
import { formatCredentialProcess } from '../output/credential-process.js';
import { detectShell, formatExports } from '../output/exports.js';


export async function fastPath(tool: 'mfa-login' | 'mfa-env', argv: string[]): Promise<boolean> {
  const plain = (a: string | undefined) => a !== undefined && a !== '' && !a.startsWith('-');
  let profile: string | undefined;
  if (tool === 'mfa-login') {
    if (argv.length !== 2 || argv[0] !== 'credential-process' || !plain(argv[1])) return false;
    profile = argv[1];
  } else {
    if (argv.length > 1 || (argv.length === 1 && !plain(argv[0]))) return false;
    profile = argv[0];
  }
  const env = process.env;
  const home = env.HOME;
  const mode = env.MFA_LOGIN_CACHE || 'agent';
  if (!home || (mode !== 'agent' && mode !== 'file')) return false;
  if (env.MFA_LOGIN_BACKEND && env.MFA_LOGIN_BACKEND !== 'keychain' && env.MFA_LOGIN_BACKEND !== 'file') return false;
  let output: string;
  try {
    const paths = sharedFilePaths(env, home);
    const plan = resolveChain(loadProfiles(paths, read(paths.configFile), read(paths.credentialsFile)), profile ?? defaultProfileName(env));
    if (plan.warnings.length > 0) return false;
    const keys = chainKeys(plan, env);
    const key = plan.roles.length > 0 ? keys.roleKeys[keys.roleKeys.length - 1]! : keys.mfaKey;
    const validUntil = new Date(Date.now() + MIN_VALIDITY_MS);
    const dir = cacheDir(env, home);
    const session = mode === 'agent' ? await fromAgent(agentSocketPath(env, dir), key, validUntil) : await peekFile(dir, key, validUntil);
    if (session === undefined) return false;
    const c = session.credentials;
    output =
      tool === 'mfa-login'
        ? formatCredentialProcess(c, accountOf(plan))
        : formatExports(c, { shell: detectShell(env, parentProcessName()), ...(plan.region !== undefined ? { region: plan.region } : {}) });
  } catch {
    return false;
  }
  // Past this point the answer is given: a failing write must not hand over to the full path,
  // which would print it a second time.
  write(output);
  return true;
}

/** The name of the process that started us: the shell that will evaluate `$(mfa-env)`. */
export function parentProcessName(): string | undefined {
  try {
    return readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim();
  } catch {
    return undefined; // not Linux: the environment decides
  }
}

function read(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return decodeConfigText(bytes, file); // an error here hands over to the full path, which reports it
}

/** A copy from the agent's mailbox; only when that is empty, a question over its socket. */
async function fromAgent(socket: string, key: string, validUntil: Date): Promise<CachedSession | undefined> {
  return takeFromMailbox(socket, key, validUntil) ?? (await peekAgent(socket, key, validUntil));
}

async function peekFile(dir: string, key: string, validUntil: Date): Promise<CachedSession | undefined> {
  let o: { version?: unknown; key?: unknown };
  try {
    o = JSON.parse(readFileSync(`${dir}/${keyFileName(key)}.json`, 'utf8')) as { version?: unknown; key?: unknown };
  } catch {
    return undefined;
  }
  if (o.key !== key) return undefined;
  const s = o.version === 1 ? sessionFromJson(o) : undefined;
  return s !== undefined && s.credentials.expiration.getTime() >= validUntil.getTime() ? s : undefined;
}

/** Straight to file descriptor 1: creating process.stdout would load the stream machinery. */
function write(text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(1, buf, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    process.stdout.write(buf.subarray(off));
  }
}
