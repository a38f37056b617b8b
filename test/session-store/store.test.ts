import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSessionStore, agentOptions } from '../../src/session-store/open.js';
import { encodeEntry, entryFile } from '../../src/session-store/entry.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { stopAgent, agentStatus } from '../../src/session-store/agent/client.js';
import { settingsFrom, type CacheMode } from '../../src/settings.js';
import { MfaLoginError } from '../../src/errors.js';
import { Child, agentPids, alive, inMinutes, session, settledWithin, sleep, waitFor } from './helpers.js';

/** A HOME and a private tmpfs runtime directory for one test, removed afterwards with any agent it started. */
function place(mode: CacheMode, extra: Record<string, string> = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfl-home-'));
  const runtime = mkdtempSync('/dev/shm/mfl-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, XDG_RUNTIME_DIR: runtime, MFA_LOGIN_CACHE: mode, ...extra };
  const settings = settingsFrom(env, home);
  return {
    env,
    settings,
    store: () => openSessionStore(settingsFrom(env, home)),
    async done() {
      if (mode === 'agent') {
        await stopAgent(agentOptions(settings)).catch(() => false);
        for (const pid of agentPids(settings.cache.socket)) process.kill(pid, 'SIGKILL');
      }
      rmSync(home, { recursive: true, force: true });
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}

const isError = (code: string, pattern: RegExp) => (e: unknown) => e instanceof MfaLoginError && e.code === code && pattern.test(e.message);

for (const mode of ['runtime', 'file', 'agent'] as const) {
  describe(`${mode} store`, () => {
    test('a second caller waits for the first to put and gets its session; another key does not wait; release passes the lease on', async (t) => {
      const p = place(mode);
      t.after(() => p.done());
      const a = p.store();
      const b = p.store();
      const first = await a.acquire('k', inMinutes(15), 'alice');
      assert.ok(first.lease);
      const waiting = b.acquire('k', inMinutes(15), 'alice');
      assert.equal(await settledWithin(waiting, 300), false, 'the second caller waits');
      assert.ok((await b.acquire('other', inMinutes(15), 'alice')).lease, 'another key has its own lease');
      await first.lease.put(session('ASIAFIRST'));
      assert.equal((await waiting).session?.credentials.accessKeyId, 'ASIAFIRST');

      const again = await a.acquire('k2', inMinutes(15), 'alice');
      const next = b.acquire('k2', inMinutes(15), 'alice');
      await again.lease!.release();
      assert.ok((await next).lease, 'after a release the waiter gets the lease');
    });

    test('16 processes at once: one lease, one session for all', async (t) => {
      const p = place(mode);
      t.after(() => p.done());
      const children = Array.from({ length: 16 }, () => new Child(['race', 'k16'], p.env));
      t.after(() => children.forEach((c) => c.kill()));
      const done = await Promise.all(children.map((c) => c.next('done', 60_000)));
      assert.equal(done.filter((e) => e.got === 'lease').length, 1);
      assert.equal(new Set(done.map((e) => e.id)).size, 1);
    });

    test('the lease of a SIGKILLed holder is taken over at once, whatever its lock file says; a live holder past the wait is a clear error naming no pid', async (t) => {
      const p = place(mode, { MFA_LOGIN_LOCK_TIMEOUT: '1' });
      t.after(() => p.done());
      const holder = new Child(['hold', 'kk'], p.env);
      t.after(() => holder.kill());
      assert.equal((await holder.next('acquired', 20_000)).got, 'lease');
      const busy = await p.store().acquire('kk', inMinutes(15), 'bob').then(() => undefined, (e: unknown) => e);
      assert.ok(isError('E_BUSY', /^another mfa-login has been getting the session for bob for \d+s; gave up waiting$/)(busy), String(busy));
      assert.doesNotMatch(`${(busy as MfaLoginError).message} ${(busy as MfaLoginError).hint}`, /pid|kill/);
      const dirs = [p.settings.cache.dir, path.dirname(p.settings.cache.socket)];
      const lock = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.lock') && f !== 'agent.lock').map((f) => path.join(d, f)) : []))[0]!;
      assert.ok(lock, `a lease lock in ${dirs.join(' or ')}`);
      holder.kill();
      await holder.exited;
      // The dead holder's lock file names a live process (this one, just now): never judged.
      writeFileSync(lock, JSON.stringify({ pid: process.pid, started: Date.now(), profile: 'bob' }));
      const got = await p.store().acquire('kk', inMinutes(15), 'bob');
      assert.ok(got.lease, 'the lease, at once (the wait is 1 s)');
      await got.lease.release();
    });

    test('a session that does not last long enough gives a lease; forget and list see what is held, without secrets', async (t) => {
      const p = place(mode);
      t.after(() => p.done());
      const s = p.store();
      await (await s.acquire('short', inMinutes(15), 'alice')).lease!.put(session('ASIASHORT', 10 * 60_000));
      assert.ok((await s.acquire('short', inMinutes(15), 'alice')).lease, 'ten minutes left is not enough for fifteen');
      await s.put('a', session('ASIAA', 3600_000, ['alice']));
      await s.put('b', session('ASIAB', 3600_000, ['bob']));
      const listed = await s.list();
      assert.deepEqual(listed.map((x) => x.accessKeyId).sort(), ['ASIAA', 'ASIAB', 'ASIASHORT']);
      assert.ok(!JSON.stringify(listed).includes('secret-'));
      assert.equal(await s.forget('bob'), 1);
      assert.equal(await s.forget(), 2);
      assert.deepEqual(await s.list(), []);
    });
  });
}

describe('directory stores', () => {
  test('the default on Linux is a private directory on tmpfs; a relative XDG_RUNTIME_DIR is ignored', () => {
    const s = settingsFrom({ XDG_RUNTIME_DIR: 'run/user' }, '/home/a', { os: 'linux', uid: 1000 });
    assert.equal(s.cache.mode, 'runtime');
    assert.equal(s.cache.dir, '/dev/shm/mfa-login-1000');
    assert.equal(settingsFrom({ XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/a', { os: 'linux', uid: 1000 }).cache.dir, '/run/user/1000/mfa-login');
    assert.equal(settingsFrom({}, '/home/a', { os: 'darwin', uid: 501 }).cache.mode, 'agent');
    assert.equal(settingsFrom({ MFA_LOGIN_CACHE: 'file', XDG_CACHE_HOME: 'rel' }, '/home/a', { os: 'linux', uid: 1 }).cache.dir, '/home/a/.cache/mfa-login');
  });

  test('runtime sessions are 0600 files in a 0700 directory on tmpfs; a directory not on tmpfs is refused', async (t) => {
    const p = place('runtime');
    t.after(() => p.done());
    await p.store().put('k', session('ASIARAM'));
    const dir = p.settings.cache.dir;
    assert.equal(execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim(), 'tmpfs');
    assert.equal(execFileSync('stat', ['-c', '%a', dir], { encoding: 'utf8' }).trim(), '700');
    assert.deepEqual(readdirSync(dir).map((f) => execFileSync('stat', ['-c', '%a', path.join(dir, f)], { encoding: 'utf8' }).trim()), ['600']);
    const disk = mkdtempSync(path.join(os.tmpdir(), 'mfl-disk-'));
    t.after(() => rmSync(disk, { recursive: true, force: true }));
    const onDisk = dirStore({ mode: 'runtime', dir: path.join(disk, 'mfa-login'), ram: true, uid: process.getuid!(), waitMs: 1000 });
    await assert.rejects(onDisk.put('k', session('ASIADISK')), isError('E_CACHE', /is not on a RAM-backed filesystem/));
    assert.equal(existsSync(path.join(disk, 'mfa-login')) && readdirSync(path.join(disk, 'mfa-login')).length, 0, 'nothing written');
  });

  for (const [what, prepare, pattern] of [
    ['owned by another user', (d: string) => chownSync(d, 65534, 65534), /belongs to user id 65534, not to you/],
    ['open to other users', (d: string) => chmodSync(d, 0o755), /is open to other users \(mode 755\)/],
  ] as const) {
    test(`a directory ${what} is refused, and what was planted in it is never read`, async (t) => {
      const p = place('runtime');
      t.after(() => p.done());
      const dir = p.settings.cache.dir;
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(entryFile(dir, 'k'), encodeEntry('k', session('ASIAPLANTED')), { mode: 0o600 });
      prepare(dir);
      const s = p.store();
      await assert.rejects(s.read('k', inMinutes(15)), isError('E_CACHE', pattern));
      await assert.rejects(s.acquire('k', inMinutes(15), 'alice'), isError('E_CACHE', pattern));
      await assert.rejects(s.list(), isError('E_CACHE', pattern));
    });
  }

  test('a symlinked directory is refused; an entry that is a link, or another user\'s file, is not read', async (t) => {
    const p = place('runtime');
    t.after(() => p.done());
    const dir = p.settings.cache.dir;
    const elsewhere = mkdtempSync('/dev/shm/mfl-elsewhere-');
    t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
    chmodSync(elsewhere, 0o700);
    symlinkSync(elsewhere, dir);
    await assert.rejects(p.store().read('k', inMinutes(15)), isError('E_CACHE', /is a symbolic link/));
    rmSync(dir);
    const s = p.store();
    await s.put('mine', session('ASIAMINE'));
    writeFileSync(path.join(elsewhere, 'entry.json'), encodeEntry('k', session('ASIALINKED')), { mode: 0o600 });
    symlinkSync(path.join(elsewhere, 'entry.json'), entryFile(dir, 'k'));
    writeFileSync(entryFile(dir, 'theirs'), encodeEntry('theirs', session('ASIATHEIRS')), { mode: 0o600 });
    chownSync(entryFile(dir, 'theirs'), 65534, 65534);
    assert.equal(await s.read('k', inMinutes(15)), undefined);
    assert.equal(await s.read('theirs', inMinutes(15)), undefined);
    assert.equal((await s.read('mine', inMinutes(15)))?.credentials.accessKeyId, 'ASIAMINE');
  });

  test('corrupt, truncated and foreign-version entries count as absent; expired ones are removed', async (t) => {
    const p = place('file');
    t.after(() => p.done());
    const s = p.store();
    await s.put('a', session('ASIAA'));
    const dir = p.settings.cache.dir;
    for (const [key, text] of [['a', '{"version":1,"key":"a","kind":"role"'], ['b', JSON.stringify({ version: 2, key: 'b' })], ['c', 'not json']]) {
      writeFileSync(entryFile(dir, key), text, { mode: 0o600 });
      assert.ok((await s.acquire(key, inMinutes(15), 'x')).lease);
    }
    writeFileSync(entryFile(dir, 'old'), encodeEntry('old', session('ASIAOLD', -1000)), { mode: 0o600 });
    await s.read('old', inMinutes(15));
    assert.equal(existsSync(entryFile(dir, 'old')), false);
  });

  test('a full disk: one clear error, and no lock or temporary file is left behind', { skip: process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'mounting a small tmpfs needs root' : false }, async (t) => {
    const p = place('runtime');
    const small = p.settings.cache.dir;
    mkdirSync(small, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=700', 'tmpfs', small]);
    t.after(async () => {
      spawnSync('umount', [small]);
      await p.done();
    });
    try {
      writeFileSync(path.join(small, 'filler'), Buffer.alloc(1024 * 1024, 1));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const s = p.store();
    await assert.rejects(
      (async () => {
        const got = await s.acquire('k', inMinutes(15), 'alice');
        await got.lease!.put(session('ASIAFULL'));
      })(),
      isError('E_CACHE', /no space left on the device/),
    );
    assert.deepEqual(readdirSync(small), ['filler']);
  });
});

describe('agent store', () => {
  test('the agent runs with core dumps off, exits when idle, and is started again when needed', async (t) => {
    const p = place('agent', { MFA_LOGIN_AGENT_IDLE: '1' });
    t.after(() => p.done());
    await p.store().put('k', session('ASIAAGENT', 2000));
    const [pid] = agentPids(p.settings.cache.socket);
    assert.ok(pid);
    assert.match(readFileSync(`/proc/${pid}/limits`, 'utf8'), /^Max core file size\s+0\s+0\s/m);
    await waitFor('the idle agent to exit', () => !alive(pid!), 20_000);
    assert.equal(existsSync(p.settings.cache.socket), false, 'it removed its socket');
    assert.deepEqual(await agentStatus(agentOptions(p.settings)), { running: false });
  });

  test('a frozen agent is reported as such (exit 8 error naming its pid), never called stopped', async (t) => {
    const p = place('agent');
    t.after(() => p.done());
    const o = { ...agentOptions(p.settings), answerMs: 500 };
    await p.store().put('k', session('ASIAFROZEN'));
    const [pid] = agentPids(p.settings.cache.socket);
    process.kill(pid!, 'SIGSTOP');
    t.after(() => alive(pid!) && process.kill(pid!, 'SIGCONT'));
    const frozen = isError('E_AGENT', new RegExp(`the session agent \\(pid ${pid}\\) did not answer within 1s; it may be stopped or stuck`));
    await assert.rejects(agentStatus(o), frozen);
    await assert.rejects(stopAgent(o), frozen);
    assert.ok(alive(pid!));
    // Resumed, it reads the stop it was sent while frozen, and goes.
    process.kill(pid!, 'SIGCONT');
    await waitFor('the resumed agent to act on the stop', () => !alive(pid!), 20_000);
    assert.equal(await stopAgent(o), false);
  });

  test('killing the agent while callers wait costs no new lease: the holder\'s put starts a new agent, the waiter gets that session', async (t) => {
    const p = place('agent');
    t.after(() => p.done());
    const holder = await p.store().acquire('k', inMinutes(15), 'alice');
    assert.ok(holder.lease);
    const waiter = p.store().acquire('k', inMinutes(15), 'alice');
    for (const pid of agentPids(p.settings.cache.socket)) process.kill(pid, 'SIGKILL');
    await sleep(100);
    await holder.lease.put(session('ASIAAFTERKILL'));
    assert.equal((await waiter).session?.credentials.accessKeyId, 'ASIAAFTERKILL');
  });
});

test('garbage, unknown requests and an oversized line on the agent socket get error replies or a closed connection; the agent keeps serving', async (t) => {
  const p = place('agent');
  t.after(() => p.done());
  await p.store().put('k', session('ASIAKEEPS'));
  const ask = (text: string) =>
    new Promise<string>((resolve) => {
      const s = net.createConnection(p.settings.cache.socket);
      let out = '';
      s.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) s.destroy();
      });
      s.on('error', () => {});
      s.on('close', () => resolve(out));
      s.write(text);
    });
  assert.deepEqual(JSON.parse(await ask('not json\n')), { ok: false, error: 'not JSON' });
  assert.deepEqual(JSON.parse(await ask('{"op":"format-disk"}\n')), { ok: false, error: 'unknown op' });
  assert.deepEqual(JSON.parse(await ask('{"op":"put","key":"x","session":{"kind":"role"}}\n')), { ok: false, error: 'bad session' });
  assert.equal(await ask(`${'x'.repeat(2 * 1024 * 1024)}\n`), '', 'an oversized line closes the connection');
  assert.equal((await p.store().read('k', inMinutes(15)))?.credentials.accessKeyId, 'ASIAKEEPS');
});
