import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sandbox, user, MFA_ENV } from './harness.js';
import path from 'node:path';
import { MAILBOX_SUPPORTED, takeFromMailbox } from '../../src/agent/mailbox.js';
import { openMailbox } from '../../src/agent/mailbox-keeper.js';
import { sessionToJson } from '../../src/agent/session-json.js';
import { inMinutes, session } from '../cache/helpers.js';

const KEY = '["mfa-session","orphan"]';

/**
 * The cached path through the agent's mailbox, end to end with the built CLI: a frozen agent
 * cannot answer on its socket, so an answer then can only have come from the mailbox.
 */
const erin = user('erin');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const skip = MAILBOX_SUPPORTED ? false : 'the mailbox is used on Linux only';

let sb: Sandbox;
before(async () => {
  sb = await new Sandbox([erin]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  sb.write('.aws/config', `[profile erin]\nmfa_serial = ${erin.mfaDevices[0]!.serial}\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = erin\nregion = eu-west-1\n`);
  await sb.add('erin', erin);
});
after(async () => {
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

async function agentPid(): Promise<number> {
  const r = await sb.run(['agent', 'status']);
  const m = /pid (\d+)/.exec(r.stdout);
  assert.ok(m, `no agent: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

test('a frozen agent still answers credential_process and mfa-env from its mailbox; logout empties it', { skip }, async () => {
  const login = await sb.run(['session', 'prod', '--mfa-token', await sb.code(erin)]);
  assert.equal(login.status, 0, login.stderr);
  const pid = await agentPid();
  const mailbox = sb.file('.cache/mfa-login/agent.sock.mailbox/current');
  // The pipes are made by mkfifo, a moment after the sessions are stored.
  const posted = () => (existsSync(mailbox) ? readdirSync(mailbox).length : 0);
  for (const until = Date.now() + 5000; posted() < 2 && Date.now() < until; ) await sleep(20);
  assert.equal(readdirSync(mailbox).length, 2, 'the MFA session and the role session are posted');

  process.kill(pid, 'SIGSTOP');
  try {
    const started = Date.now();
    const r = await sb.run(['credential-process', 'prod']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { Version: number; AccessKeyId: string; Expiration: string };
    assert.equal(out.Version, 1);
    assert.match(out.AccessKeyId, /^ASIA/);
    const env = await sb.run(['prod'], { bin: MFA_ENV, env: { SHELL: '/bin/bash' } });
    assert.equal(env.status, 0, env.stderr);
    assert.match(env.stdout, new RegExp(`export AWS_ACCESS_KEY_ID='${out.AccessKeyId}'`));
    // A question over the socket would have waited 2 s for the frozen agent before giving up.
    assert.ok(Date.now() - started < 1800, `answered in ${Date.now() - started} ms`);
  } finally {
    process.kill(pid, 'SIGCONT');
  }

  const logout = await sb.run(['logout', '--all']);
  assert.equal(logout.status, 0, logout.stderr);
  assert.deepEqual(readdirSync(mailbox), []);
  const after = await sb.run(['credential-process', 'prod']);
  assert.equal(after.status, 5, 'with nothing cached, a code is needed and there is no terminal to ask');
  assert.equal(after.stdout, '');
});

test('after the agent is killed, the next call finds no copy, starts a new agent and asks for a code', { skip }, async () => {
  const login = await sb.run(['session', 'prod', '--mfa-token', await sb.code(erin)]);
  assert.equal(login.status, 0, login.stderr);
  const pid = await agentPid();
  process.kill(pid, 'SIGKILL');
  const r = await sb.run(['credential-process', 'prod']);
  assert.equal(r.status, 5, r.stderr);
  assert.equal(r.stdout, '');
  // The new agent cleared the dead one's pipes; stopped, it leaves nothing behind.
  assert.notEqual(await agentPid(), pid);
  assert.deepEqual(readdirSync(sb.file('.cache/mfa-login/agent.sock.mailbox')).filter((f) => f !== 'current').length, 1);
  assert.deepEqual(readdirSync(sb.file('.cache/mfa-login/agent.sock.mailbox/current')), []);
  await sb.run(['agent', 'stop']);
  assert.deepEqual(readdirSync(sb.file('.cache/mfa-login/agent.sock.mailbox')), []);
});

test('logout with no agent answering takes away the mailbox of one that lost its socket', { skip }, async () => {
  const socket = sb.file('.cache/mfa-login/agent.sock');
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  // Posting, but not listening: an agent whose socket was removed, before it notices.
  const orphan = await openMailbox(socket);
  try {
    orphan.post(KEY, sessionToJson(session('ASIAORPHAN')));
    const until = Date.now() + 5000;
    while (takeFromMailbox(socket, KEY, inMinutes(15)) === undefined && Date.now() < until) await sleep(10);
    orphan.refill();
    assert.ok(takeFromMailbox(socket, KEY, inMinutes(15)), 'the orphan posts copies');
    const r = await sb.run(['logout', '--all']);
    assert.equal(r.status, 0, r.stderr);
    orphan.refill();
    assert.equal(takeFromMailbox(socket, KEY, inMinutes(15)), undefined);
  } finally {
    orphan.close();
  }
});
