import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Sandbox, user, MFA_ENV, type RunResult } from './harness.js';

/**
 * Runs the everyday commands and the failing ones (with --debug) with known secrets, then scans
 * every captured stream and every file under HOME. Long-term secrets, codes and the passphrase
 * must appear nowhere; session credentials only where the user asked for them.
 */
const erin = user('erin');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const PASSPHRASE = 'correct horse battery staple';
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([erin]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  sb.write('.aws/config', `[profile erin]\nmfa_serial = ${erin.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = erin\n[profile broken]\nrole_arn = arn:aws:iam::222222222222:role/Nope\nsource_profile = erin\n`);
});
after(async () => sb.stop());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : []; // not the agent's socket
  });
}

test('no secret leaks into output, errors, debug output or files', async () => {
  const intended: RunResult[] = []; // outputs the user asked credentials from
  const other: RunResult[] = [];
  const codes: string[] = [];
  const code = async () => {
    const c = await sb.code(erin);
    codes.push(c);
    return c;
  };
  const run = async (args: string[], into: RunResult[], options: Parameters<Sandbox['run']>[1] = {}) => {
    const r = await sb.run(['--debug', ...args], options);
    into.push(r);
    return r;
  };

  other.push(await sb.add('erin', erin, ['--debug']));
  await run(['erin', '--mfa-token', '000000'], other); // refused code
  await run(['erin', '--mfa-token', await code()], other);
  await run(['credential-process', 'prod'], intended);
  await run(['prod'], [], { bin: MFA_ENV }).then((r) => intended.push(r));
  await run(['exec', 'prod', '--', 'sh', '-c', 'echo "$AWS_SECRET_ACCESS_KEY"'], intended);
  await run(['session', 'prod'], other);
  await run(['list', '--json'], other);
  await run(['credential-process', 'broken'], other); // AccessDenied
  await run(['logout', '--all'], other);
  await run(['credential-process', 'prod', '--mfa-token', await code()], intended);
  await run(['logout', '--all'], other);
  await run(['credential-process', 'prod', '--mfa-token', '123456'], other, { env: { MFA_LOGIN_FILE_PASSPHRASE: 'wrong' } }); // cannot decrypt
  await run(['add', 'erin'], other, { input: `${erin.accessKeyId}\n${erin.secretAccessKey.replace(/.$/, 'X')}\n` }); // bad secret

  assert.deepEqual(other.map((r) => r.status), [0, 5, 0, 0, 0, 6, 0, 0, 7, 6], 'the scenario ran as planned');
  assert.deepEqual(intended.map((r) => r.status), [0, 0, 0, 0]);
  const sessionSecrets = new Set<string>();
  for (const r of intended.filter((r) => r.stdout.startsWith('{'))) {
    const j = JSON.parse(r.stdout);
    sessionSecrets.add(j.SecretAccessKey);
    sessionSecrets.add(j.SessionToken);
  }
  const creds = sb.read('.aws/credentials')!;
  for (const m of creds.matchAll(/^(?:aws_secret_access_key|aws_session_token) = (.+)$/gm)) sessionSecrets.add(m[1]!);
  assert.ok(sessionSecrets.size >= 4, 'the scenario produced sessions to look for');

  const never = [erin.secretAccessKey, PASSPHRASE, ...codes];
  const streams = [...intended, ...other].flatMap((r) => [r.stdout, r.stderr]);
  let scanned = 0;
  for (const s of streams) {
    scanned++;
    for (const secret of never) assert.ok(!s.includes(secret), `a long-term secret, code or passphrase appeared in output:\n${s.slice(0, 300)}`);
  }
  for (const s of [...other.map((r) => r.stdout), ...[...intended, ...other].map((r) => r.stderr)]) {
    for (const secret of sessionSecrets) assert.ok(!s.includes(secret), `a session secret appeared where nobody asked for it:\n${s.slice(0, 300)}`);
  }
  const cacheDir = path.join(sb.home, '.cache/mfa-login');
  for (const f of filesUnder(sb.home)) {
    const text = readFileSync(f, 'latin1');
    scanned++;
    for (const secret of never) assert.ok(!text.includes(secret), `${f} holds a long-term secret, code or passphrase`);
    if (f === sb.file('.aws/credentials') || f.startsWith(cacheDir)) continue; // asked for / MFA_LOGIN_CACHE=file
    for (const secret of sessionSecrets) assert.ok(!text.includes(secret), `${f} holds a session secret`);
  }
  process.stdout.write(`# secrets scan: ${never.length + sessionSecrets.size} secrets looked for in ${scanned} streams and files; found 0\n`);
});
