/**
 * A Deps for unit tests (not a test file): files in memory, the settings of a given environment,
 * stored keys in a map, and everything said on stdout, stderr and the terminal recorded. What a
 * test does not hand in fails the test when used, rather than reaching for the real thing.
 */
import assert from 'node:assert/strict';
import type { Deps } from '../src/deps.js';
import type { LongTermKeys } from '../src/credentials.js';
import type { MfaLoginError } from '../src/errors.js';
import type { KeyStores } from '../src/secrets/store.js';
import { settingsFrom, type Env } from '../src/settings.js';

export const HOME = '/home/alice';

export interface MemoryDeps {
  deps: Deps;
  /** Path → text: what readFile reads and editFile changes. */
  files: Map<string, string>;
  /** The mode each file was last written with through editFile. */
  modes: Map<string, number | undefined>;
  keys: Map<string, LongTermKeys>;
  stdout: string[];
  stderr: string[];
  said: string[];
}

export function memoryDeps(options: { env?: Env; files?: Record<string, string>; keys?: Record<string, LongTermKeys>; now?: Date; listKeys?: () => Promise<string[]> } = {}): MemoryDeps {
  const env: Env = { HOME, ...options.env };
  const files = new Map(Object.entries(options.files ?? {}));
  const modes = new Map<string, number | undefined>();
  const keys = new Map(Object.entries(options.keys ?? {}));
  const stdout: string[] = [];
  const stderr: string[] = [];
  const said: string[] = [];
  const place = { backend: 'file', location: `${HOME}/.config/mfa-login/keys.enc` } as const;
  const secrets: KeyStores = {
    ...place,
    get: async (p) => keys.get(p),
    set: async (p, k) => void keys.set(p, k),
    remove: async (p) => keys.delete(p),
    list: options.listKeys ?? (async () => [...keys.keys()].sort()),
    inventory: async () => ({ profiles: new Map([...keys.keys()].map((k) => [k, place] as const)), unreadable: [] as Array<typeof place & { problem: MfaLoginError }>, recorded: new Map(), newKeys: place }),
    ready: async () => {},
  };
  const unused = (what: string) => () => assert.fail(`${what} is not used here`);
  const deps: Deps = {
    env,
    settings: settingsFrom(env, HOME, { os: 'linux', uid: 1000 }),
    homeDir: HOME,
    now: () => options.now ?? new Date('2025-06-01T12:00:00Z'),
    stdout: (t) => void stdout.push(t),
    stderr: (t) => void stderr.push(t),
    stdinIsTty: false,
    readStdin: async () => '',
    readFile: async (p) => files.get(p),
    editFile: async (p, edit, opts) => {
      const before = files.get(p);
      const after = edit(before);
      if (after === undefined || after === before) return false;
      files.set(p, after);
      modes.set(p, opts?.mode);
      return true;
    },
    secrets: () => secrets,
    sts: unused('STS'),
    cache: unused('the session store'),
    routes: unused('the route notes'),
    terminal: {
      available: () => false,
      ask: unused('a question'),
      askSecret: unused('a secret question'),
      confirm: unused('a confirmation'),
      choose: unused('a choice'),
      say: (line) => void said.push(line),
      write: (text) => void said.push(text),
    },
    runProcess: unused('a process'),
    debug: () => {},
  };
  return { deps, files, modes, keys, stdout, stderr, said };
}
