import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLockNote, takeLock, tryLock, type HeldLock } from '../../src/files/lock-file.js';
import { settledWithin } from '../session-store/helpers.js';

/**
 * The kernel keeps the locks (lock-file.ts): a holder that dies holds nothing, wherever it ran
 * and whoever it was, and a waiter never judges a holder by a pid.
 */
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../e2e/writer.js');
const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;
const hasUnshare = linux && spawnSync('unshare', ['--version']).status === 0;
const NOBODY = 65534;

const options = (waitMs: number) => ({ waitMs, pollMs: 20, busy: (_: unknown, waited: number) => Object.assign(new Error(`busy after ${waited} ms`), { code: 'BUSY' }), cannotTake: (e: NodeJS.ErrnoException) => e });
const isBusy = (e: unknown) => (e as { code?: string }).code === 'BUSY';

function tmp(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfl-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A process (argv) that prints `ready` once it holds what it is told to; killed when the test ends. */
async function started(t: { after: (f: () => void) => void }, argv: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`${argv.join(' ')} did not say ${ready} within 30 s (said: ${out})`)), 30_000);
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes(ready)) {
        clearTimeout(bound);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(bound);
      reject(new Error(`${argv.join(' ')} exited (${code}) before saying ${ready}: ${out}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

test('a lock is held until released: a second taker waits, then gets it; the file goes with the last holder', async (t) => {
  const lock = path.join(tmp(t), 'x.lock');
  const a = await takeLock(lock, { ...options(5000), fields: { profile: 'alice' } });
  assert.ok('held' in a);
  const note = await readLockNote(lock);
  assert.equal(note?.pid, process.pid);
  assert.equal(note?.fields.profile, 'alice');
  const waiting = takeLock(lock, options(30_000));
  assert.equal(await settledWithin(waiting, 300), false, 'the second taker waits');
  await a.held.release();
  const b = await waiting;
  assert.ok('held' in b);
  assert.equal(await tryLock(lock), undefined, 'held by the second');
  await b.held.release();
  assert.equal(existsSync(lock), false, 'removed by its last holder');
});

test('a wait ends with what `found` sees, or past waitMs with the busy error', async (t) => {
  const lock = path.join(tmp(t), 'x.lock');
  const a = (await takeLock(lock, options(5000))) as { held: HeldLock };
  t.after(() => a.held.release());
  let done: string | undefined;
  const waiting = takeLock(lock, { ...options(30_000), found: async () => done });
  await new Promise((r) => setTimeout(r, 100));
  done = 'made by the holder';
  assert.deepEqual(await waiting, { found: 'made by the holder' });
  const started = Date.now();
  await assert.rejects(takeLock(lock, options(300)), isBusy);
  assert.ok(Date.now() - started >= 300);
  await a.held.release();
  const got = await takeLock(lock, options(5000));
  assert.ok('held' in got, 'free again once released');
  await got.held.release();
});

test('the lock of a holder killed with SIGKILL is taken at once, whatever its file says', async (t) => {
  const lock = path.join(tmp(t), 'x.lock');
  const holder = await started(t, [process.execPath, WRITER, 'hold', lock], 'held');
  await assert.rejects(takeLock(lock, options(200)), isBusy, 'held while the holder lives');
  await kill(holder);
  // What a holder wrote is never judged: here it names a live process (this one).
  writeFileSync(lock, JSON.stringify({ pid: process.pid, started: Date.now() }));
  const got = await takeLock(lock, options(5000));
  assert.ok('held' in got);
  await got.held.release();
});

test('a waiter that locked the file its holder removed does not hold it beside a new holder', async (t) => {
  const lock = path.join(tmp(t), 'x.lock');
  const a = (await takeLock(lock, options(5000))) as { held: HeldLock };
  // b waits on the file a holds; a removes it as it lets go; c then makes a new one.
  const b = takeLock(lock, options(30_000));
  await new Promise((r) => setTimeout(r, 200));
  await a.held.release();
  const c = takeLock(lock, options(30_000));
  const first = await Promise.race([b.then(() => 'b'), c.then(() => 'c')]);
  const [winner, other] = first === 'b' ? [b, c] : [c, b];
  assert.equal(await settledWithin(other, 300), false, `${first} holds the lock: the other waits`);
  await ((await winner) as { held: HeldLock }).held.release();
  await ((await other) as { held: HeldLock }).held.release();
});

test('tryLock: undefined while another holds the lock, the lock once it is free', async (t) => {
  const lock = path.join(tmp(t), 'agent.lock');
  const held = await tryLock(lock, { socket: 's' });
  assert.ok(held);
  assert.equal(await tryLock(lock), undefined);
  await held.release();
  const again = await tryLock(lock);
  assert.ok(again);
  await again.release();
});

test('a holder in another pid namespace keeps the lock, and its death frees it at once', { skip: !(root && hasUnshare) && 'needs root and unshare(1) to start a process in its own pid namespace' }, async (t) => {
  const lock = path.join(tmp(t), 'x.lock');
  // --kill-child: the namespace's first process (the holder) dies with unshare.
  const holder = await started(t, ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, WRITER, 'hold', lock], 'held');
  assert.equal((await readLockNote(lock))?.pid, 1, 'the holder is pid 1 of its own namespace, a pid that is alive here too');
  await assert.rejects(takeLock(lock, options(500)), isBusy, 'held although its pid means another process here');
  await kill(holder);
  const got = await takeLock(lock, options(5000));
  assert.ok('held' in got);
  await got.held.release();
});

/**
 * The pid of a process that just died, given to a new process of root's: the kernel hands out the
 * number after ns_last_pid, so that is set just below it (other processes starting at the same
 * moment may take it first: tried again).
 */
async function takePid(t: { after: (f: () => void) => void }, pid: number): Promise<ChildProcess | undefined> {
  for (let attempt = 0; attempt < 200; attempt++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    t.after(() => void child.kill('SIGKILL'));
    await once(child, 'spawn');
    if (child.pid === pid) return child;
    await kill(child);
  }
  return undefined;
}

test('with /proc mounted hidepid=invisible, a dead holder whose pid went to another user\'s process: its lock is taken at once', { skip: !(root && hasUnshare) && 'needs root (another user, a proc mount, ns_last_pid) and unshare(1)' }, async (t) => {
  const dir = tmp(t);
  chownSync(dir, NOBODY, NOBODY);
  const file = path.join(dir, 'credentials');
  writeFileSync(file, '[work]\nregion = eu-west-1\n');
  chownSync(file, NOBODY, NOBODY);
  const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
  // The first writer (nobody) takes the lock and is killed; its pid goes to a process of root's.
  const holder = await started(t, [...asNobody, process.execPath, WRITER, 'hold', `${file}.lock`], 'held');
  const pid = holder.pid!; // setpriv execs: the holder itself
  await kill(holder);
  const squatter = await takePid(t, pid);
  if (squatter === undefined) return t.skip(`pid ${pid} could not be handed to a new process`);
  // The second writer, also nobody, sees /proc as hidepid=invisible shows it: root's processes are
  // not there, and signalling one is EPERM. Nothing in that decides the lock.
  const mount = 'mount -t proc -o hidepid=invisible proc /proc && exec "$@"';
  const unseen = `test ! -e /proc/${pid}/stat && exec "$@"`;
  const r = spawnSync('unshare', ['--mount', 'sh', '-c', mount, 'sh', ...asNobody, 'sh', '-c', unseen, 'sh', process.execPath, WRITER, 'edit', file, 'second', '5000'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout + r.stderr, 'wrote\n');
  assert.equal(r.status, 0);
  assert.match(readFileSync(file, 'utf8'), /^\[work\]\nregion = eu-west-1\n[\s\S]*^\[second\]\naws_access_key_id = ASIAEDITEDIT/m);
  await kill(squatter);
});
