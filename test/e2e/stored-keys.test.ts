/**
 * A profile whose keys are stored exists, and its keys are found where they are: after a piped
 * `add`, the next command logs in (or names the one config line still missing, never `add`
 * again); keys kept in the encrypted key file are found by a shell, an IDE or a credential_process
 * run without MFA_LOGIN_BACKEND, and no keychain failure stands in their way.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Sandbox, user } from './harness.js';

/** erin's policy lets her list her MFA devices; fay's does not (add can only guess the ARN). */
const erin = user('erin');
const fay = user('fay');
/** Keys stored in the key file, used without MFA_LOGIN_BACKEND. */
const gus = user('gus');
const hal = user('hal');
/** Keys stored, then the profile's section taken out of the config (or never written, by an older mfa-login). */
const ivy = user('ivy');

/** No MFA_LOGIN_BACKEND, and no D-Bus session bus: the keychain cannot be reached at all. */
const NO_BACKEND_NO_DBUS = { MFA_LOGIN_BACKEND: undefined, DBUS_SESSION_BUS_ADDRESS: undefined };

let sb: Sandbox;
before(async () => {
  sb = await new Sandbox([erin, { ...fay, canListMfaDevices: false } as typeof fay, gus, hal, ivy]).start();
});
after(async () => sb.stop());

const piped = (u: typeof erin) => `${u.accessKeyId}\n${u.secretAccessKey}\n`;

test('a piped add records the one MFA device IAM lists, and the next command logs in', async () => {
  const added = await sb.run(['add', 'erin'], { input: piped(erin) });
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /^MFA device: arn:aws:iam::111111111111:mfa\/erin \(the only one IAM lists for arn:aws:iam::111111111111:user\/erin\)\.$/m);
  assert.match(added.stdout, /^Recorded mfa_serial = arn:aws:iam::111111111111:mfa\/erin in \[profile erin\] of ~\/\.aws\/config\.$/m);
  assert.match(sb.read('.aws/config')!, /^\[profile erin\]\nmfa_serial = arn:aws:iam::111111111111:mfa\/erin$/m);

  const login = await sb.run(['erin', '--mfa-token', await sb.code(erin)]);
  assert.equal(login.status, 0, login.stderr);
  assert.match(login.stdout, /^Wrote an MFA session to \[erin\] in ~\/\.aws\/credentials/);
});

test('a piped add whose device is only a guess names the one line to add; the profile exists, no hint says add, and the line works as printed', async () => {
  const added = await sb.run(['add', 'fay'], { input: piped(fay) });
  assert.equal(added.status, 0, added.stderr);
  const line = /^To record it, add "(mfa_serial = arn:aws:iam::111111111111:mfa\/fay)" to \[profile fay\] in ~\/\.aws\/config$/m.exec(added.stdout);
  assert.ok(line, added.stdout);
  assert.match(added.stdout, /^Added \[profile fay\] to ~\/\.aws\/config\.$/m);
  assert.doesNotMatch(added.stdout, /mfa-login add/);
  assert.match(sb.read('.aws/config')!, /^\[profile fay\]$/m);

  // The next step: the profile is known; what is missing is the device, and the hint says how.
  const next = await sb.run(['fay']);
  assert.equal(next.status, 5, next.stderr);
  assert.match(next.stderr, /^mfa-login: profile fay has no mfa_serial, so there is no MFA device to ask a code for\n/);
  assert.doesNotMatch(next.stderr, /not found|mfa-login add/);
  const list = await sb.run(['list']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^fay +\(none: add mfa_serial = ARN to \[profile fay\] in ~\/\.aws\/config\)$/m);
  assert.doesNotMatch(list.stdout, /mfa-login add/);

  // Done as printed: the line under the header add wrote.
  sb.write('.aws/config', sb.read('.aws/config')!.replace(/^\[profile fay\]$/m, `[profile fay]\n${line[1]}`));
  const login = await sb.run(['fay', '--mfa-token', await sb.code(fay)]);
  assert.equal(login.status, 0, login.stderr);
});

test('a profile whose keys are stored but whose section is gone is not sent back to add', async () => {
  const config = sb.read('.aws/config') ?? '';
  await sb.add('ivy', ivy);
  sb.write('.aws/config', config);
  for (const args of [['ivy'], ['login', 'ivy'], ['credential-process', 'ivy']]) {
    const r = await sb.run(args);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, `mfa-login: profile ivy has stored keys but no [profile ivy] in ${sb.file('.aws/config')}\n  hint: add [profile ivy] to ${sb.file('.aws/config')} with the line mfa_serial = arn:aws:iam::ACCOUNT:mfa/NAME (your device's ARN); no device yet? mfa-login mfa create ivy\n`);
  }
});

test('keys in the key file are found without MFA_LOGIN_BACKEND and without D-Bus: login, status and remove', async () => {
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}\n[profile gus]\nmfa_serial = ${gus.mfaDevices[0]!.serial}\n`);
  await sb.add('gus', gus); // MFA_LOGIN_BACKEND=file, as the sandbox sets it

  const login = await sb.run(['gus', '--mfa-token', await sb.code(gus)], { env: NO_BACKEND_NO_DBUS });
  assert.equal(login.status, 0, login.stderr);
  assert.doesNotMatch(login.stderr, /D-Bus|keychain/);

  // An IDE has no terminal: the key file's passphrase is what it lacks, and it is told so.
  const ide = await sb.run(['credential-process', 'gus'], { env: { ...NO_BACKEND_NO_DBUS, MFA_LOGIN_CACHE: 'none', MFA_LOGIN_FILE_PASSPHRASE: undefined } });
  assert.equal(ide.status, 7, ide.stderr);
  assert.equal(ide.stderr, 'mfa-login: the key file ~/.config/mfa-login/keys.enc needs its passphrase and there is no terminal to ask on\n  hint: set MFA_LOGIN_FILE_PASSPHRASE, or run the command in a terminal\n');

  const status = await sb.run(['status'], { env: NO_BACKEND_NO_DBUS });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^Key store: +file, ~\/\.config\/mfa-login\/keys\.enc\n/);
  assert.match(status.stdout, /^gus +file +arn:aws:iam::111111111111:mfa\/gus /m);
  const json = await sb.run(['status', '--json'], { env: NO_BACKEND_NO_DBUS });
  const row = (JSON.parse(json.stdout) as Array<{ profile: string; keyStore: string; keysStored: boolean | null }>).find((r) => r.profile === 'gus');
  assert.deepEqual({ keyStore: row?.keyStore, keysStored: row?.keysStored }, { keyStore: 'file', keysStored: true });

  const removed = await sb.run(['remove', 'gus'], { env: NO_BACKEND_NO_DBUS });
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /^Removed the keys of gus from \S+\/\.config\/mfa-login\/keys\.enc/);
  const gone = await sb.run(['gus', '--mfa-token', '123456'], { env: NO_BACKEND_NO_DBUS });
  assert.equal(gone.status, 4, gone.stderr);
  assert.match(gone.stderr, /^mfa-login: no keys stored for profile gus in \S+\/\.config\/mfa-login\/keys\.enc\n/);
});

test('keys stored in the key file before their place was recorded are found there, and recorded', async () => {
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}\n[profile hal]\nmfa_serial = ${hal.mfaDevices[0]!.serial}\n`);
  await sb.add('hal', hal);
  // As an earlier mfa-login left it: the keys in the file, no record of where they are.
  rmSync(sb.file('.config/mfa-login/keys.json'));

  const login = await sb.run(['hal', '--mfa-token', await sb.code(hal)], { env: NO_BACKEND_NO_DBUS });
  assert.equal(login.status, 0, login.stderr);
  assert.match(sb.read('.config/mfa-login/keys.json')!, /"hal": \{\n\s+"backend": "file",\n\s+"file": "[^"]+\/\.config\/mfa-login\/keys\.enc"/);
});
