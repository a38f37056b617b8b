import type { Deps } from '../deps.js';
import { editFile } from '../files/edit-file.js';
import { readConfigFile } from '../files/config-text.js';
import { openStore, type OpenedStore } from '../session-store/open.js';
import { sayingWaits } from '../session-store/waiting.js';
import type { SessionStore } from '../session-store/store.js';
import type { Settings } from '../settings.js';
import { controllingTerminal } from '../terminal/terminal.js';
import { startSpinner } from '../terminal/spinner.js';
import { runProcess } from '../mfa/run-process.js';
import type { KeyStores } from '../secrets/store.js';
import type { Sts } from '../sts/sts.js';


/**
 * The real parts, built once per process. The key stores and STS come in as functions (main.ts):
 * each opens its part, importing the keychain binding or the AWS SDK, on its first call only.
 */
export function realDeps(options: { debug: boolean; settings: Settings; homeDir: string; secrets: () => KeyStores; sts: () => Sts }): Deps {
  const env = process.env;
  const homeDir = options.homeDir;
  let opened: OpenedStore | undefined;
  // Opened once for both: the routes are noted beside the entries of the store in use.
  const store = () => (opened ??= openStore(options.settings, (t) => void process.stderr.write(t)));
  let cache: SessionStore | undefined;
  return {
    env,
    settings: options.settings,
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
    // Refuses what is not a regular file, or too large, without blocking on a FIFO.
    readFile: async (p) => readConfigFile(p),
    editFile: (p, edit, o) => editFile(p, edit, { waitMs: options.settings.lockTimeoutMs, read: async (f) => readConfigFile(f), ...(o?.mode !== undefined ? { mode: o.mode } : {}) }),
    secrets: options.secrets,
    sts: options.sts,
    cache: () => (cache ??= sayingWaits(store().sessions, during)),
    routes: () => store().routes,
    terminal: controllingTerminal(),
    runProcess,
    debug: options.debug ? (m) => void process.stderr.write(`mfa-login: debug: ${m}\n`) : () => {},
  };
}

/** A spinner on stderr while `work` runs, only on a terminal (never under credential_process). */
export function during<T>(text: string, work: () => Promise<T>, delayMs = 0): Promise<T> {
  if (process.stderr.isTTY !== true || process.env.NO_COLOR) return work();
  let spinner: { stop(): void } | undefined;
  const timer = setTimeout(() => (spinner = startSpinner(text, { stream: process.stderr, enabled: true })), delayMs);
  return work().finally(() => {
    clearTimeout(timer);
    spinner?.stop();
  });
}
