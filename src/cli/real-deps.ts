import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { fileCache, fileCacheOptions } from '../cache/file-cache.js';
import { agentCache, agentOptions } from '../agent/client.js';
import { noCache, type SessionCache } from '../cache/session-cache.js';
import { controllingTerminal } from '../terminal/terminal.js';
import { runProcess } from '../mfa/run-process.js';
import type { SecretStore } from '../secrets/store.js';
import type { Sts } from '../sts/sts.js';

/** Real config files are a few KiB; anything this big is a wrong path, not a config. */
const MAX_FILE_BYTES = 10 * 1048576;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest prefix that decodes: binary search, since a prefix may end mid-character.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

export { cacheDir } from '../cache/cache-dir.js';
import { cacheDir } from '../cache/cache-dir.js';

/**
 * The real parts, built once per process. The keychain binding and the AWS SDK are loaded by the
 * first call that needs them, through `loadLazy` handles created on demand.
 */
export function realDeps(options: { debug: boolean; secrets: () => SecretStore; sts: () => Sts }): Deps {
  const env = process.env;
  const homeDir = env.HOME || os.homedir();
  let cache: SessionCache | undefined;
  return {
    env,
    homeDir,
    now: () => new Date(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdinIsTty: process.stdin.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: async (p) => {
      let bytes: Buffer;
      try {
        const st = await fs.stat(p);
        if (st.isFile() && st.size > MAX_FILE_BYTES) {
          throw new MfaLoginError('E_FILE', `${p} is ${(st.size / 1048576).toFixed(1)} MiB; an AWS config or credentials file is never that large, so it is not read`, { hint: 'check that the path points to the right file' });
        }
        bytes = await fs.readFile(p);
      } catch (e) {
        if (e instanceof MfaLoginError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        throw new MfaLoginError('E_FILE', `cannot read ${p}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
      }
      try {
        return utf8.decode(bytes);
      } catch {
        // Decoding leniently would turn the bad bytes into U+FFFD inside a key or a value, and an
        // edit would then write them back changed.
        const at = firstInvalidUtf8(bytes);
        throw new MfaLoginError('E_FILE', `${p} is not UTF-8 text (invalid byte at line ${bytes.subarray(0, at).toString('latin1').split('\n').length})`, { hint: 'save the file as UTF-8' });
      }
    },
    writeFile: async (p, text, mode) => {
      try {
        await writeFileAtomic(p, text, mode === undefined ? {} : { mode });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ESYMLINK' ? 'it is a symbolic link (edit the file it points to, or replace the link with the file)' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
        throw new MfaLoginError('E_FILE', `cannot write ${p}: ${why}; nothing was changed`);
      }
    },
    secrets: options.secrets,
    sts: options.sts,
    cache: () => {
      if (cache === undefined) {
        const mode = env.MFA_LOGIN_CACHE || 'agent';
        const dir = cacheDir(env, homeDir);
        if (mode === 'agent') cache = agentCache(agentOptions(env, dir));
        else if (mode === 'file') cache = fileCache(dir, fileCacheOptions(env));
        else if (mode === 'none') cache = noCache;
        else throw new MfaLoginError('E_USAGE', `MFA_LOGIN_CACHE=${mode} is not a cache mode`, { hint: 'use MFA_LOGIN_CACHE=agent (the default), file or none' });
      }
      return cache;
    },
    terminal: controllingTerminal(),
    runProcess,
    debug: options.debug ? (m) => void process.stderr.write(`mfa-login: debug: ${m}\n`) : () => {},
  };
}
