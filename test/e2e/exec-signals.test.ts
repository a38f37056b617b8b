import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, user } from './harness.js';
import { cpuBurners, execAndSignal } from './signal-kit.js';

// exec under load: with both cores busy, the moments between starting the command and being
// ready to pass signals on to it stretch from microseconds to milliseconds.
const eve = user('eve');
let sb: Sandbox;
let burners: { stop(): void } | undefined;
const env = () => sb.env({ MFA_LOGIN_CACHE: 'file' });

before(async () => {
  sb = await new Sandbox([eve]).start();
  sb.write('.aws/config', `[profile eve]\nmfa_serial = ${eve.mfaDevices[0]!.serial}\n`);
  await sb.add('eve', eve);
  // A warm cache: every exec below starts its command without asking for a code.
  const warm = await sb.run(['exec', 'eve', '--mfa-token', await sb.code(eve), '--', 'true'], { env: { MFA_LOGIN_CACHE: 'file' } });
  assert.equal(warm.status, 0, warm.stderr);
  burners = cpuBurners(2);
});
after(async () => {
  burners?.stop();
  await sb.stop();
});

test('with two busy processes beside it, a TERM sent once the command is ready always reaches the command, 20 times out of 20', async () => {
  for (let i = 0; i < 20; i++) {
    const r = await execAndSignal(env(), 'eve', 'ready');
    assert.equal(r.leftBehind, false, `run ${i}: the command was left running (mfa-login ended with ${r.signal ?? r.status})`);
    assert.equal(r.stdout, 'ready\ngot TERM\n', `run ${i}: ${r.stderr}`);
    assert.deepEqual([r.status, r.signal], [42, null], `run ${i}`);
  }
});

test('a TERM at any moment of exec (starting, fetching, starting the command, running it) never leaves the command without its parent', async () => {
  // How long a run takes to reach the command here, so the delays below cover every stage of it.
  const t0 = Date.now();
  const first = await execAndSignal(env(), 'eve', 'ready');
  assert.equal(first.status, 42, first.stderr);
  const span = Math.max(200, Math.round((Date.now() - t0) * 1.3));
  const seen = new Map<string, number>();
  const runs = 24;
  for (let i = 0; i < runs; i++) {
    const delay = Math.round((i * span) / runs);
    const r = await execAndSignal(env(), 'eve', delay);
    const how = r.signal ?? String(r.status);
    assert.equal(r.leftBehind, false, `TERM after ${delay} ms: the command was left running (mfa-login ended with ${how})`);
    if (r.stdout.includes('ready')) {
      // The command was running with its trap set: it must have got the signal.
      assert.equal(r.stdout, 'ready\ngot TERM\n', `TERM after ${delay} ms`);
      assert.equal(r.status, 42, `TERM after ${delay} ms`);
    } else {
      // Before the command's trap: either before mfa-login's own code had loaded (the default
      // action ends it, nothing was started), or before the command existed or set its trap
      // (exec ends with the status a shell gives a process killed by TERM).
      assert.ok(r.signal === 'SIGTERM' || r.status === 143, `TERM after ${delay} ms: ended with ${how}, stderr ${r.stderr}`);
    }
    seen.set(how, (seen.get(how) ?? 0) + 1);
  }
  process.stdout.write(`# TERM over 0-${span} ms: ${[...seen].map(([k, n]) => `${n}x ${k}`).join(', ')}\n`);
});
