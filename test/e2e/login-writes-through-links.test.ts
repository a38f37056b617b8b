import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox, user } from './harness.js';

/**
 * The files a login writes: a ~/.aws/config kept in a dotfiles repository behind a symbolic link
 * is written through the link, as `aws configure set` does; and a file that cannot be written is
 * found out before a code is asked for, not after the session was obtained and half written.
 */
const lena = user('lena');
const PRINT_CODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'print-code.js');
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([lena]).start();
  sb.write('.aws/config', `[profile lena]\nmfa_serial = ${lena.mfaDevices[0]!.serial}\n`);
  await sb.add('lena', lena);
});
after(async () => sb.stop());

/** A config in ~/dotfiles, linked from ~/.aws/config the way stow and chezmoi link it (relative). */
function linkedConfig(text: string, mode = 0o644): string {
  const real = sb.file('dotfiles/aws/config');
  mkdirSync(path.dirname(real), { recursive: true });
  rmSync(real, { force: true });
  writeFileSync(real, text, { mode });
  chmodSync(real, mode);
  rmSync(sb.file('.aws/config'), { force: true });
  symlinkSync('../dotfiles/aws/config', sb.file('.aws/config'));
  return real;
}

/** An mfa_process that notes that it was asked (in `asked`) and prints a code STS takes. */
async function codeSource(name: string): Promise<{ line: string; asked: string }> {
  const codeFile = sb.file(`${name}.code`);
  const asked = sb.file(`${name}.asked`);
  writeFileSync(codeFile, `${await sb.code(lena)}\n`);
  rmSync(asked, { force: true });
  return { line: `mfa_process = ${process.execPath} ${PRINT_CODE} ${codeFile} ${asked}`, asked };
}

test('a symlinked ~/.aws/config is written through to its file, in that file\'s directory, and the link stays', async () => {
  const real = linkedConfig(`# kept in git\n[profile lena]\nmfa_serial = ${lena.mfaDevices[0]!.serial}\n`);
  await sb.run(['logout', '--all']);
  const r = await sb.run(['lena', '--region', 'eu-west-1', '--mfa-token', await sb.code(lena)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Wrote an MFA session to \[lena\] in ~\/\.aws\/credentials/);
  assert.equal(r.stderr, `mfa-login: note: set region = eu-west-1 in [profile lena] in ~/.aws/config\n`);
  assert.ok(lstatSync(sb.file('.aws/config')).isSymbolicLink(), 'the link is still a link');
  assert.equal(readlinkSync(sb.file('.aws/config')), '../dotfiles/aws/config', 'to the same file');
  assert.equal(readFileSync(real, 'utf8'), `# kept in git\n[profile lena]\nmfa_serial = ${lena.mfaDevices[0]!.serial}\nregion = eu-west-1\n`);
  assert.equal(lstatSync(real).mode & 0o777, 0o644, 'the file keeps its mode');
  assert.deepEqual(readdirSync(path.dirname(real)), ['config'], 'no temporary file or lock left beside it');
  assert.deepEqual(readdirSync(sb.file('.aws')).sort(), ['config', 'credentials']);
});

test('a config that cannot be written is found out before a code is asked for: nothing is spent, nothing is written', async () => {
  const { line, asked } = await codeSource('read-only');
  // Read-only, as a config a tool manages is kept: the login would have to add the region asked for.
  const real = linkedConfig(`[profile lena]\nmfa_serial = ${lena.mfaDevices[0]!.serial}\n${line}\n`, 0o444);
  await sb.run(['logout', '--all']);
  const credentials = sb.read('.aws/credentials');
  sb.sts.resetCalls();
  const r = await sb.run(['lena', '--region', 'eu-west-1']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr, `mfa-login: cannot write ${sb.file('.aws/config')} (a link to ${real}): it is read-only (0444), and mfa-login will not undo that (chmod u+w ${real} to let it write); nothing was changed\n`);
  assert.equal(existsSync(asked), false, 'no code was asked for');
  assert.deepEqual({ ...sb.sts.calls }, {}, 'STS was not called');
  assert.equal(sb.read('.aws/credentials'), credentials, 'the credentials file is as it was');
});

test('a read-only config that already has what the login would write is no reason to refuse', async () => {
  const { line, asked } = await codeSource('has-region');
  linkedConfig(`[profile lena]\nmfa_serial = ${lena.mfaDevices[0]!.serial}\nregion = eu-west-1\n${line}\n`, 0o444);
  await sb.run(['logout', '--all']);
  const r = await sb.run(['lena', '--region', 'eu-west-1']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(asked), true, 'the code came from mfa_process');
  assert.match(sb.read('.aws/credentials')!, /^\[lena\]\naws_access_key_id = ASIA/m);
});
