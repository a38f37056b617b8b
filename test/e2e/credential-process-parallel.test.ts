import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MFA_LOGIN, Sandbox, user } from './harness.js';
import { waitFor } from '../session-store/helpers.js';

/**
 * What Terraform or `make -j` do to a credential_process: 16 copies at once with a cold cache.
 * They must share one code (one mfa_process run) and one STS call per step, in every mode; a
 * caller killed while holding the lease costs at most one more code, any other killed costs none.
 */
const PRINT_CODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'print-code.js');
/** Each round has a user of its own, so no round waits for a TOTP step an earlier round spent. */
const users = ['gina', 'gabe', 'gary', 'gwen', 'glen', 'gus'].map((name) => user(name));
let round = 0;
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const CALLERS = 16;
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox(users).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  for (const u of users) await sb.add(u.userName, u);
});
after(() => sb.stop());

const runs = () => (existsSync(sb.file('mfa_process-runs')) ? readFileSync(sb.file('mfa_process-runs'), 'utf8').trim().split('\n').length : 0);

/** A fresh code for this round, printed by mfa_process once GATE exists (when given). */
async function prepare(mode: string, gate?: string): Promise<void> {
  await sb.run(['logout', '--all'], { env: { MFA_LOGIN_CACHE: mode } });
  rmSync(sb.file('mfa_process-runs'), { force: true });
  const u = users[round++]!;
  writeFileSync(sb.file('code'), `${await sb.code(u)}\n`);
  const mfaProcess = [process.execPath, PRINT_CODE, sb.file('code'), sb.file('mfa_process-runs'), ...(gate ? [gate] : [])].join(' ');
  sb.write('.aws/config', `[profile ${u.userName}]\nmfa_serial = ${u.mfaDevices[0]!.serial}\nmfa_process = ${mfaProcess}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = ${u.userName}\n`);
  sb.sts.resetCalls();
}

for (const mode of ['runtime', 'agent', 'file'] as const) {
  test(`${CALLERS} parallel credential-process calls with a cold ${mode} cache: one code, one GetSessionToken, one AssumeRole`, async () => {
    await prepare(mode);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: CALLERS }, () => sb.run(['credential-process', 'prod'], { env: { MFA_LOGIN_CACHE: mode } })));
    const seconds = (Date.now() - started) / 1000;
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1, 'every caller got the same credentials');
    assert.equal(runs(), 1, 'mfa_process ran once');
    assert.deepEqual({ ...sb.sts.calls }, { GetSessionToken: 1, AssumeRole: 1 });
    process.stdout.write(`# ${mode} cache: ${CALLERS} parallel callers, ${runs()} code, ${sb.sts.calls.GetSessionToken} GetSessionToken, ${sb.sts.calls.AssumeRole} AssumeRole, ${seconds.toFixed(1)} s\n`);
  });
}

/** The pids of this sandbox's running `credential-process prod` calls. */
function callers(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0');
        return cmd[1] === MFA_LOGIN && cmd[2] === 'credential-process' && readFileSync(`/proc/${n}/environ`, 'utf8').split('\0').includes(`HOME=${sb.home}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

for (const mode of ['runtime', 'agent', 'file'] as const) {
test(`${mode} mode: ${CALLERS} callers, the lease holder and one waiter SIGKILLed while the code is being read: at most one more code, one STS call per step`, async () => {
  const gate = sb.file('gate');
  rmSync(gate, { force: true });
  await prepare(mode, gate);
  const pending = Array.from({ length: CALLERS }, () => sb.run(['credential-process', 'prod'], { env: { MFA_LOGIN_CACHE: mode } }));
  const lockDir = mode === 'file' ? sb.file('.cache/mfa-login') : path.join(sb.runtime, 'mfa-login');
  // The holder is the pid in the lock files once its mfa_process has started.
  await waitFor('the first mfa_process run', () => runs() === 1, 60_000);
  const locks = readdirSync(lockDir).filter((f) => f.endsWith('.lock') && f !== 'agent.lock');
  const holder = JSON.parse(readFileSync(path.join(lockDir, locks[0]!), 'utf8')).pid as number;
  const waiter = (await waitFor('the waiting callers', () => (callers().length === CALLERS ? callers() : false), 60_000)).find((p) => p !== holder)!;
  process.kill(-holder, 'SIGKILL'); // its process group: the CLI and its mfa_process
  process.kill(waiter, 'SIGKILL');
  await waitFor('a new holder to ask for a code', () => runs() === 2, 60_000);
  writeFileSync(gate, '');
  const results = await Promise.all(pending);
  const ok = results.filter((r) => r.status === 0);
  assert.equal(ok.length, CALLERS - 2, results.map((r) => r.stderr).join(''));
  assert.equal(new Set(ok.map((r) => r.stdout)).size, 1, 'every surviving caller got the same credentials');
  assert.equal(runs(), 2, 'one more code for the killed holder, none for the killed waiter');
  assert.deepEqual({ ...sb.sts.calls }, { GetSessionToken: 1, AssumeRole: 1 });
});
}
