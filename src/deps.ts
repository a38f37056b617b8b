import type { RouteNotes, SessionStore } from './session-store/store.js';
import type { Env, Settings } from './settings.js';
import type { KeyStores } from './secrets/store.js';
import type { Sts } from './sts/sts.js';
import type { Terminal } from './terminal/terminal.js';
import type { ProcessRunner } from './mfa/code-source.js';

/**
 * Everything the commands touch outside themselves, built once at the edge (cli/real-deps.ts)
 * and passed down. Tests build it from fakes or local real parts. The expensive parts (keychain
 * binding, AWS SDK) are functions so that a command that does not need them never loads them.
 */
export interface Deps {
  env: Env;
  /** Every setting taken from the environment, derived once (settings.ts). */
  settings: Settings;
  homeDir: string;
  now(): Date;
  stdout(text: string): void;
  stderr(text: string): void;
  stdinIsTty: boolean;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string | undefined>;
  /**
   * The one way a command changes a file: `edit` runs on the file's current text (undefined:
   * none) under the file's lock, and what it returns replaces the file atomically (files/edit-file.ts).
   * Returns whether the file changed.
   */
  editFile(path: string, edit: (text: string | undefined) => string | undefined, options?: { mode?: number }): Promise<boolean>;
  /** Every profile's long-term keys, each in the store that holds it (secrets/key-stores.ts). */
  secrets(): KeyStores;
  sts(): Sts;
  cache(): SessionStore;
  /** Where the full path notes a profile's route for the cached path (session-store/route.ts). */
  routes(): RouteNotes;
  terminal: Terminal;
  runProcess: ProcessRunner;
  debug(message: string): void;
}
