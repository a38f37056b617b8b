/**
 * `agent status` and `agent stop` as another user on the machine would meet them: a shared
 * XDG_RUNTIME_DIR (sticky, anyone may write) where that user made mfa-login/ first, with a socket
 * that answers whatever it likes and a FIFO for agent.lock. Neither command believes the socket or
 * hangs; both refuse the directory as the data path does (exit 8), with a hint that works as printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MFA_LOGIN, Sandbox, runCommand, user } from './harness.js';

const pat = user('pat');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
let sb: Sandbox;
const servers: net.Server[] = [];

before(async () => {
  sb = await new Sandbox([pat]).start({ roles: [{ roleArn: ROLE, requireMfa: true }], allowCodeReuse: true });
  await sb.add('pat', pat);
  sb.write('.aws/config', `[profile pat]\nmfa_serial = ${pat.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = pat\n`);
});
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await sb.stop();
});

/**
 * A fake agent in `dir`: a socket open to all that answers every request as a running agent with
 * 42 sessions (and goes on accepting after a stop), and a FIFO where agent.lock would be.
 */
async function plantAgent(dir: string, owner: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.on('data', () => c.write('{"ok":true,"pid":1,"sessions":42}\n'));
  });
  servers.push(server);
  const socket = path.join(dir, 'agent.sock');
  await new Promise<void>((r) => server.listen(socket, r));
  chmodSync(socket, 0o777);
  execFileSync('mkfifo', ['-m', '666', path.join(dir, 'agent.lock')]);
  chownSync(socket, owner, owner);
  chownSync(path.join(dir, 'agent.lock'), owner, owner);
  chownSync(dir, owner, owner);
}

const asRoot = process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'another user\'s files need root' : false;

test('another user\'s mfa-login/ in a shared XDG_RUNTIME_DIR: agent status and agent stop refuse it (exit 8) instead of believing its socket or hanging on its FIFO; the hint\'s setting works', { skip: asRoot }, async () => {
  const shared = sb.file('shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const dir = path.join(shared, 'mfa-login');
  await plantAgent(dir, 65534);
  chmodSync(dir, 0o777);
  const env = { MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: shared };
  for (const action of ['status', 'stop']) {
    const r = await runCommand(process.execPath, [MFA_LOGIN, 'agent', action], sb.env(env), { limitMs: 30_000 });
    assert.equal(r.killed, false, `agent ${action} hung`);
    assert.equal(r.status, 8, `agent ${action}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^mfa-login: the session directory ${dir} belongs to user id 65534, not to you \\(0\\); refusing to use it\\n  hint: `));
  }
  // The hint's setting, as printed, in a shell: sessions are kept, and the next call is answered from them.
  const r = await runCommand(process.execPath, [MFA_LOGIN, 'agent', 'status'], sb.env(env));
  const setting = /meanwhile keep sessions in a directory of yours: (export .*)$/m.exec(r.stderr)?.[1];
  assert.ok(setting, r.stderr);
  const code = await sb.code(pat);
  const script = `${setting}; "$0" "$1" session prod --mfa-token ${code} && "$0" "$1" credential-process prod`;
  const followed = await runCommand('/bin/sh', ['-c', script, process.execPath, MFA_LOGIN], sb.env(env), { limitMs: 60_000 });
  assert.equal(followed.status, 0, followed.stderr);
  assert.match(followed.stdout, /"AccessKeyId": ?"ASIA/);
  rmSync(shared, { recursive: true, force: true });
});

test('an agent.lock that is a FIFO, and an agent that goes on accepting after a stop, in the user\'s own directory: agent stop ends with exit 8, not a hang', async () => {
  const runtime = sb.file('own-runtime');
  mkdirSync(runtime, { mode: 0o700 });
  const dir = path.join(runtime, 'mfa-login');
  await plantAgent(dir, process.getuid?.() ?? 0);
  chmodSync(dir, 0o700);
  const env = { MFA_LOGIN_CACHE: 'agent', XDG_RUNTIME_DIR: runtime };
  const r = await runCommand(process.execPath, [MFA_LOGIN, 'agent', 'stop'], sb.env(env), { limitMs: 30_000 });
  assert.equal(r.killed, false, 'agent stop hung');
  assert.equal(r.status, 8, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^mfa-login: the session agent was asked to stop but still accepts connections; it may be stopped or stuck\n/);
  rmSync(runtime, { recursive: true, force: true });
});
