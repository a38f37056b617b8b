/**
 * `mfa-login mfa create` and `mfa resync` in a real terminal (tmux), against the local STS: the
 * secret is read off the screen as a person would read it, codes are typed, and the device then
 * logs in. Without a terminal, create refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Sandbox, user, MFA_LOGIN, MFA_ENV, requireComponent, type TestUser } from '../e2e/harness.js';
import { totp } from '../../src/mfa/totp.js';
import { executable, sq } from './kit.js';
import { Pane, TMUX } from './pane.js';
import { evaluate, identityPolicy, requestOf } from '../e2e/policy-evaluator.js';

/** Every call in the local STS's log was made without MFA and is one the printed policy allows so. */
async function allowedWithoutMfa(sb: Sandbox, u: TestUser, actions: string[]): Promise<void> {
  const policy = identityPolicy((await sb.run(['policy', '--account', u.accountId])).stdout);
  const made = sb.sts.log.filter((e) => actions.includes(e.action));
  assert.deepEqual([...new Set(made.map((e) => e.action))].sort(), [...actions].sort());
  for (const e of made) {
    assert.match(e.accessKeyId, /^AKIA/, `${e.action} made with the long-term key alone`);
    assert.equal(evaluate(policy, requestOf(e, u)), 'Allow', `${e.action} without MFA`);
  }
}

const missing = () => requireComponent(executable(TMUX), 'tmux (/usr/bin/tmux)');

/** A sandbox whose STS knows `users`, each stored with `add`, and a pane with the CLI on PATH. */
async function inTerminal(users: TestUser[], body: (sb: Sandbox, pane: Pane) => Promise<void>, options: Parameters<Sandbox['start']>[0] = {}): Promise<void> {
  const sb = await new Sandbox(users).start(options);
  const pane = new Pane(sb);
  try {
    for (const u of users) await sb.add(u.userName, u);
    const bin = sb.file('bin');
    mkdirSync(bin, { recursive: true });
    for (const [name, script] of [['mfa-login', MFA_LOGIN], ['mfa-env', MFA_ENV]] as const) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\nexec ${sq(process.execPath)} ${sq(script)} "$@"\n`, { mode: 0o755 });
    }
    await pane.open(bin);
    await body(sb, pane);
  } finally {
    await pane.close();
    await sb.stop();
  }
}

/** Every file under `dir`, as text. */
function allFiles(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...allFiles(p));
    else if (st.isFile()) out.push([p, readFileSync(p).toString('latin1')]);
  }
  return out;
}

const SECRET_ON_SCREEN = /type this secret by hand[^\n]*\n\n {2}((?:[A-Z2-7]{4} ?)+)\n/;

/** A six-digit code that is none of the device's codes from `fromMs` to `toMs` (nor `not`). */
function notACode(seed: string, fromMs: number, toMs: number, not?: string): string {
  const codes = new Set<string>(not !== undefined ? [not] : []);
  for (let t = fromMs; t <= toMs; t += 30_000) codes.add(totp(seed, t));
  for (let n = 0; ; n++) {
    const candidate = String(n * 111_111 % 1_000_000).padStart(6, '0');
    if (!codes.has(candidate)) return candidate;
  }
}

test('mfa create: each code is checked as it is typed and a wrong one asked again, so one typo keeps the scanned device; once enabled the QR code and the secret leave the screen; the device logs in; the secret is in no file', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const carol = { ...user('carol'), mfaDevices: [] };
  await inTerminal([carol], async (sb, pane) => {
    assert.doesNotMatch(sb.read('.aws/config') ?? '', /mfa_serial/);
    sb.sts.resetCalls();

    await pane.type('mfa-login mfa create carol; echo "rc=$?"');
    const shown = await pane.waitFor(SECRET_ON_SCREEN, 'the secret', { whileRunning: true });
    assert.match(shown, /[▀▄█]{10}/, `a QR code drawn on the screen:\n${shown}`);
    const seed = SECRET_ON_SCREEN.exec(shown)![1]!.replace(/ /g, '');
    assert.equal(seed.length, 64, 'AWS seeds are 64 base32 characters');
    await pane.waitFor(/First code from the device:/, 'the first code prompt', { whileRunning: true });

    // A typo in the first code: said, and asked again; nothing reaches IAM.
    const typo = notACode(seed, Date.now() - 120_000, Date.now() + 120_000);
    await pane.type(typo);
    await pane.waitFor(new RegExp(`^${typo} is not the code the new device shows now: check that it is the entry "Amazon Web Services: carol@111111111111" in the app \\(scanned just now\\), and type the code it shows\\. \\(try 2 of 3\\)$`, 'm'), 'the first code refused', { whileRunning: true });
    const askedAgain = await pane.waitFor((s) => (s.match(/First code from the device:/g) ?? []).length === 2, 'the first code asked again', { whileRunning: true });
    // The refused code is not marked as accepted: the prompt ends before the code is judged.
    assert.doesNotMatch(askedAgain, new RegExp(`✔.*${typo}`), `a ✔ beside the refused code:\n${askedAgain}`);
    // Two consecutive codes, as the app shows them: this step's, then the next one's.
    const now = Date.now();
    const [code1, code2] = [totp(seed, now), totp(seed, now + 30_000)];
    await pane.type(code1);
    await pane.waitFor(/then the next one:/, 'the second code prompt', { whileRunning: true });
    // A typo in the second code: asked again, the first one kept.
    const typo2 = notACode(seed, now - 120_000, now + 120_000);
    await pane.type(typo2);
    await pane.waitFor(new RegExp(`^${typo2} is not the code that follows ${code1} on the new device: type the code it shows after ${code1}\\. \\(try 2 of 3\\)$`, 'm'), 'the second code refused', { whileRunning: true });
    await pane.waitFor((s) => (s.match(/then the next one:/g) ?? []).length === 2, 'the second code asked again', { whileRunning: true });
    await pane.type(code2);
    assert.equal(await pane.status(), 0, await pane.screen());
    assert.deepEqual(sb.sts.calls, { GetCallerIdentity: 1, CreateVirtualMFADevice: 1, EnableMFADevice: 1 }, 'only the two good codes went to IAM, once');

    const done = await pane.screen();
    assert.match(done, /^Enabled MFA device arn:aws:iam::111111111111:mfa\/carol for arn:aws:iam::111111111111:user\/carol\.$/m);
    assert.match(done, /^Recorded mfa_serial = arn:aws:iam::111111111111:mfa\/carol in \[profile carol\] of ~\/\.aws\/config\.$/m);
    // Taken off the screen and out of its scrollback with the alternate screen.
    assert.doesNotMatch(done, /[▀▄█]{10}/, `the QR code is still on the screen:\n${done}`);
    assert.ok(!done.includes(seed.slice(0, 4) + ' ' + seed.slice(4, 8)), `the secret is still on the screen:\n${done}`);
    assert.match(sb.read('.aws/config')!, /^\[profile carol\]\nmfa_serial = arn:aws:iam::111111111111:mfa\/carol$/m);

    // The code of now: the step of the second code may still be ahead, and there is no waiting
    // for a later one (this STS takes a code twice, which enabling never relies on).
    const login = await sb.run(['login', 'carol', '--mfa-token', totp(seed, Date.now())], { env: { MFA_LOGIN_CACHE: 'file' } });
    assert.equal(login.status, 0, login.stderr);
    assert.match(sb.read('.aws/credentials')!, /^aws_session_token = /m);

    for (const [file, text] of allFiles(sb.home)) assert.ok(!text.includes(seed), `the secret is written in ${file}`);
    await allowedWithoutMfa(sb, carol, ['GetCallerIdentity', 'CreateVirtualMFADevice', 'EnableMFADevice']);
  }, { allowCodeReuse: true });
});

test('mfa create: a device deleted after three wrong codes, or Ctrl-C, is said to be dead in the authenticator app too; nothing wrong went to IAM', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const dana = { ...user('dana'), mfaDevices: [] };
  await inTerminal([dana], async (sb, pane) => {
    sb.sts.resetCalls();
    await pane.type('mfa-login mfa create dana; echo "rc=$?"');
    const seed = SECRET_ON_SCREEN.exec(await pane.waitFor(SECRET_ON_SCREEN, 'the secret', { whileRunning: true }))![1]!.replace(/ /g, '');
    const typo = notACode(seed, Date.now() - 120_000, Date.now() + 120_000);
    for (let n = 1; n <= 3; n++) {
      await pane.waitFor((s) => (s.match(/First code from the device:/g) ?? []).length === n, `first code prompt ${n}`, { whileRunning: true });
      await pane.type(typo);
    }
    assert.equal(await pane.status(), 5, await pane.screen());
    const refused = await pane.screen();
    assert.match(refused, /^mfa-login: none of the first codes typed is a code of the new device \(3 tries\), so nothing was sent to IAM; the device arn:aws:iam::111111111111:mfa\/dana was not enabled and has been deleted, so the entry "Amazon Web Services: dana@111111111111" in your authenticator app is dead\n {2}hint: remove that entry from the app, then start again: mfa-login mfa create dana$/m);
    assert.doesNotMatch(refused, /[▀▄█]{10}/, 'the QR code of the deleted device is off the screen');
    assert.equal(sb.sts.calls.EnableMFADevice, undefined, 'no code went to IAM');
    assert.equal(sb.sts.calls.DeleteVirtualMFADevice, 1);
    await pane.clear();

    // Ctrl-C at the second code: deleted too, and said so the same way.
    await pane.type('mfa-login mfa create dana; echo "rc=$?"');
    const seed2 = SECRET_ON_SCREEN.exec(await pane.waitFor(SECRET_ON_SCREEN, 'the secret', { whileRunning: true }))![1]!.replace(/ /g, '');
    await pane.waitFor(/First code from the device:/, 'the first code prompt', { whileRunning: true });
    await pane.type(totp(seed2, Date.now()));
    await pane.waitFor(/then the next one:/, 'the second code prompt', { whileRunning: true });
    await pane.press('C-c');
    assert.equal(await pane.status(), 130, await pane.screen());
    assert.match(await pane.screen(), /^mfa-login: interrupted; the device arn:aws:iam::111111111111:mfa\/dana was not enabled and has been deleted, so the entry "Amazon Web Services: dana@111111111111" in your authenticator app is dead\n {2}hint: remove that entry from the app, then start again: mfa-login mfa create dana$/m);
    assert.equal(sb.sts.calls.DeleteVirtualMFADevice, 2);
    assert.equal(sb.sts.calls.EnableMFADevice, undefined);
  });
});

test('mfa create without a terminal refuses in one line and creates nothing', async () => {
  const carol = { ...user('carol'), mfaDevices: [] };
  const sb = await new Sandbox([carol]).start();
  try {
    const added = await sb.add('carol', carol);
    assert.match(added.stdout, /^arn:aws:iam::111111111111:user\/carol has no MFA device\. Create one with: mfa-login mfa create carol$/m);
    sb.sts.resetCalls();
    const r = await sb.run(['mfa', 'create', 'carol']);
    assert.equal(r.status, 5);
    assert.equal(r.stderr, 'mfa-login: mfa create shows the new device\'s secret on a terminal, and there is none here: run "mfa-login mfa create carol" in a terminal\n');
    assert.deepEqual(sb.sts.calls, {}, 'no request made');
  } finally {
    await sb.stop();
  }
});

test('mfa resync: a device whose clock drifted is refused (the hint names resync); a pair IAM refuses is asked again; resynced with two codes typed, then logs in', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const dave = user('dave');
  const seed = dave.mfaDevices[0]!.seed;
  // The phone's clock runs 150 s (five steps) fast: its codes are outside STS's window.
  const drifted = (offsetMs = 0) => totp(seed, Date.now() + 150_000 + offsetMs);
  await inTerminal([dave], async (sb, pane) => {
    const refused = await sb.run(['login', 'dave', '--mfa-token', drifted()], { env: { MFA_LOGIN_CACHE: 'file' } });
    assert.equal(refused.status, 5);
    assert.match(refused.stderr, /^ {2}hint: wait for the next code and try again; if it keeps failing, check mfa_serial in the config file, or resync the device: mfa-login mfa resync dave$/m);

    await pane.type('mfa-login mfa resync dave; echo "rc=$?"');
    // A pair that is no pair of the device's: IAM refuses it, and two codes are asked again.
    const wrong1 = notACode(seed, Date.now() - 900_000, Date.now() + 900_000);
    await pane.waitFor(/First code from the device:/, 'the first code prompt', { whileRunning: true });
    await pane.type(wrong1);
    await pane.waitFor(/then the next one:/, 'the second code prompt', { whileRunning: true });
    await pane.type(notACode(seed, Date.now() - 900_000, Date.now() + 900_000, wrong1));
    await pane.waitFor(/^IAM did not accept those two codes: type two consecutive codes of arn:aws:iam::111111111111:mfa\/dave again, the second after the first changes\. \(try 2 of 3\)$/m, 'the pair refused', { whileRunning: true });
    await pane.waitFor((s) => (s.match(/First code from the device:/g) ?? []).length === 2, 'the first code asked again', { whileRunning: true });
    const now = Date.now();
    await pane.type(totp(seed, now + 150_000 - 30_000));
    await pane.waitFor((s) => (s.match(/then the next one:/g) ?? []).length === 2, 'the second code prompt, again', { whileRunning: true });
    await pane.type(totp(seed, now + 150_000));
    assert.equal(await pane.status(), 0, await pane.screen());
    await allowedWithoutMfa(sb, dave, ['ResyncMFADevice']);
    assert.match(await pane.screen(), /^Resynchronised arn:aws:iam::111111111111:mfa\/dave\. Log in with: mfa-login login dave$/m);

    const login = await sb.run(['login', 'dave', '--mfa-token', drifted(30_000)], { env: { MFA_LOGIN_CACHE: 'file' } });
    assert.equal(login.status, 0, login.stderr);
  });
});
