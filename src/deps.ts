import type { RouteNotes, SessionStore } from './session-store/store.js';
import type { Env, Settings } from './settings.js';
import type { KeyStores } from './secrets/store.js';
import type { Sts } from './sts/sts.js';
import type { Terminal } from './terminal/terminal.js';
import type { ProcessRunner } from './mfa/code-source.js';
import type { FileAccess } from './files/edit-file.js';

/**
 * Everything the commands touch outside themselves, built once at the edge (cli/real-deps.ts)
 * and passed down. Tests build it from fakes or local real parts. The expensive parts (keychain
 * binding, AWS SDK) are functions so that a command that does not need them never loads them.
 * Files are read and changed through FileAccess (files/edit-file.ts: readFile, editFile).
 */
export interface Deps extends FileAccess {
  env: Env;
  /** Every setting taken from the environment, derived once (settings.ts). */
  settings: Settings;
  homeDir: string;
  now(): Date;
  stdout(text: string): void;
  stderr(text: string): void;
  stdinIsTty: boolean;
  readStdin(): Promise<string>;
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
