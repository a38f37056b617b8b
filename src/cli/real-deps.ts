import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { fileCache } from '../cache/file-cache.js';
import { noCache, type SessionCache } from '../cache/session-cache.js';
import { controllingTerminal } from '../terminal/terminal.js';
import { runProcess } from '../mfa/run-process.js';
import type { SecretStore } from '../secrets/store.js';
import type { Sts } from '../sts/sts.js';

/** The cache directory: MFA_LOGIN_CACHE_DIR, else $XDG_CACHE_HOME/mfa-login, else ~/.cache/mfa-login. */
export function cacheDir(env: Deps['env'], homeDir: string): string {
  return env.MFA_LOGIN_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homeDir, '.cache'), 'mfa-login');
}

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
      try {
        return await fs.readFile(p, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        throw new MfaLoginError('E_FILE', `cannot read ${p}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
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
        const mode = env.MFA_LOGIN_CACHE || 'file';
        if (mode === 'none') cache = noCache;
        else if (mode === 'file') cache = fileCache(cacheDir(env, homeDir));
        else throw new MfaLoginError('E_USAGE', `MFA_LOGIN_CACHE=${mode} is not a cache mode`, { hint: 'use MFA_LOGIN_CACHE=file or MFA_LOGIN_CACHE=none' });
      }
      return cache;
    },
    terminal: controllingTerminal(),
    runProcess,
    debug: options.debug ? (m) => void process.stderr.write(`mfa-login: debug: ${m}\n`) : () => {},
  };
}
