import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { MFA_ENV, MFA_LOGIN, Sandbox, runCommand, settled, user } from './harness.js';

/**
 * Our own secrets stay ours: a command run under exec or as mfa_process gets neither the key
 * file's passphrase nor a code from MFA_LOGIN_MFA_TOKEN, and mfa_process's arguments (which may be
 * the TOTP seed) are shown nowhere. A hostile region never reaches a shell.
 */
const alice = user('alice');
// The tests added for children each spend a code of their own user: no wait for the next step.
const browsing = user('browsing');
const dumping = user('dumping');
const limited = user('limited');
const lingering = user('lingering');
const ROLE_ARN = 'arn:aws:iam::222222222222:role/Admin';
const SEED_ARG = 'JBSWY3DPSEEDSEEDSEED';
const PASSPHRASE = 'correct horse battery staple';
const SHOW_ENV = 'echo "P=${MFA_LOGIN_FILE_PASSPHRASE-unset} T=${MFA_LOGIN_MFA_TOKEN-unset} K=${AWS_ACCESS_KEY_ID:+set}"';
let sb: Sandbox;
let trap: string;

before(async () => {
  // Codes are not what these tests are about: the STS takes one again, so none waits for the next TOTP step.
  sb = await new Sandbox([alice, browsing, dumping, limited, lingering]).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }], allowCodeReuse: true });
  trap = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-trap-'));
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  for (const u of [alice, browsing, dumping, limited, lingering]) await sb.add(u.userName, u);
});
after(async () => {
  rmSync(trap, { recursive: true, force: true });
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

test('exec: the command gets the session, not the passphrase or MFA_LOGIN_MFA_TOKEN', async () => {
  await sb.run(['logout', '--all']);
  const r = await sb.run(['exec', 'alice', '--', 'sh', '-c', SHOW_ENV], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(alice) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'P=unset T=unset K=set\n');
});

test('mfa_process: gets neither secret, and works', async () => {
  await sb.run(['logout', '--all']);
  const code = await sb.code(alice);
  // Prints the code only when neither secret reached it; a leak shows up as a refused code.
  const check = `if [ -z "\${MFA_LOGIN_FILE_PASSPHRASE-}" ] && [ -z "\${MFA_LOGIN_MFA_TOKEN-}" ]; then echo ${code}; else echo leaked; fi`;
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nmfa_process = ${check}\n[profile other]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  const r = await sb.run(['session', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^alice: the MFA session of alice, valid until/);
});

test('mfa_process: --debug and the failure name the program, never its arguments', async () => {
  await sb.run(['logout', '--all']);
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nmfa_process = false --totp -b ${SEED_ARG}\n`);
  const r = await sb.run(['alice', '--debug']);
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /debug: MFA code from mfa_process \(false\)/);
  assert.match(r.stderr, /^mfa-login: mfa_process false failed \(exit status 1\)$/m);
  assert.ok(!r.stderr.includes(SEED_ARG), `the seed is shown:\n${r.stderr}`);
  assert.ok(!r.stderr.includes(PASSPHRASE));
});

test('MFA_LOGIN_MFA_TOKEN gives the code; --mfa-token wins over it', async () => {
  sb.write('.aws/config', `[profile alice]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  await sb.run(['logout', '--all']);
  const fromEnv = await sb.run(['alice', '--debug'], { env: { MFA_LOGIN_MFA_TOKEN: await sb.code(alice) } });
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  assert.match(fromEnv.stderr, /debug: MFA code from MFA_LOGIN_MFA_TOKEN/);
  await sb.run(['logout', '--all']);
  // A variable left with a used (or broken) code does not stand in the way of the flag.
  const flag = await sb.run(['alice', '--mfa-token', await sb.code(alice)], { env: { MFA_LOGIN_MFA_TOKEN: 'not-a-code' } });
  assert.equal(flag.status, 0, flag.stderr);
});

test('--mfa-token --help says the code is visible in ps and names MFA_LOGIN_MFA_TOKEN', async () => {
  for (const args of [['login', '--help'], ['credential-process', '--help'], ['exec', '--help']]) {
    const r = await sb.run(args);
    assert.match(r.stdout.replace(/\s+/g, ' '), /--mfa-token .*other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead/, args.join(' '));
  }
  const env = await sb.run(['--help'], { bin: MFA_ENV });
  assert.match(env.stdout.replace(/\s+/g, ' '), /other local users can read it in ps/);
});

test('a region that is shell code never runs, even when the shell is detected wrongly', async () => {
  sb.write('.aws/config', `[profile q]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`);
  await sb.add('q', alice);
  // A session obtained before the region was edited in: STS is not asked again, so only the
  // config check stands between the region and the shell.
  const started = await sb.run(['session', 'q', '--mfa-token', await sb.code(alice)]);
  assert.equal(started.status, 0, started.stderr);
  sb.write('.aws/config', `[profile q]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\nregion = x';touch ${trap}/pwned;#\n`);
  // fish output, bash evaluates: fish's quoting (\\' inside '...') means nothing to bash.
  const script = `eval "$(${process.execPath} ${MFA_ENV} q --shell fish)"; echo "region=\${AWS_REGION-unset}"`;
  const r = await runCommand('/bin/bash', ['-c', script], sb.env({ SHELL: '/usr/bin/fish', AWS_REGION: undefined }));
  assert.equal(existsSync(path.join(trap, 'pwned')), false, 'the region ran as a command');
  assert.match(r.stderr, /^mfa-env: .*config line 3: region = x';touch .*pwned;# is not an AWS region/m);
  assert.equal(r.stdout, 'region=unset\n');
});

/** The MFA_LOGIN_ variables in an environment dump (`env` output), by name. */
const ownVariables = (dump: string) => dump.split('\n').filter((l) => l.startsWith('MFA_LOGIN_')).map((l) => l.slice(0, l.indexOf('=')));

test('console: the browser (and whatever it starts) gets neither the passphrase nor MFA_LOGIN_MFA_TOKEN', async () => {
  sb.write('.aws/config', `[profile browsing]\nmfa_serial = ${browsing.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE_ARN}\nsource_profile = browsing\n`);
  await sb.run(['logout', '--all']);
  const dump = sb.file('browser-env.txt');
  // A BROWSER as a user may have one: a script that writes down its environment, then takes the
  // one-shot address as a browser would (without following the redirect to the console).
  const browser = sb.file('browser.sh');
  writeFileSync(browser, `#!/bin/sh\nenv > ${dump}\nexec ${process.execPath} -e "fetch(process.argv[1], { redirect: 'manual' }).then((r) => process.exit(r.status === 302 ? 0 : 1), () => process.exit(1))" "$1"\n`, { mode: 0o755 });
  const r = await sb.run(['console', 'prod'], { env: { BROWSER: browser, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, MFA_LOGIN_FEDERATION_ENDPOINT: `${sb.sts.url}/federation`, MFA_LOGIN_MFA_TOKEN: await sb.code(browsing) } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /opened the AWS console for arn:aws:iam::222222222222:role\/Admin in your browser/);
  const seen = readFileSync(dump, 'utf8');
  assert.match(seen, /^HOME=/m, 'the browser got the rest of the environment');
  assert.deepEqual(ownVariables(seen).filter((k) => k === 'MFA_LOGIN_FILE_PASSPHRASE' || k === 'MFA_LOGIN_MFA_TOKEN'), []);
  assert.ok(!seen.includes(PASSPHRASE), 'the passphrase reached the browser');
});

test('the full CLI runs with core dumps off (soft and hard limit 0), and so does every child it starts', async (t) => {
  if (process.platform !== 'linux') return t.skip('Linux: /proc/self/limits');
  const allowed = spawnSync('/bin/sh', ['-c', 'ulimit -c unlimited 2>/dev/null && ulimit -c'], { encoding: 'utf8' }).stdout.trim();
  if (allowed !== 'unlimited') return t.skip('needs a shell that may raise the core-file limit (root, or a hard limit of unlimited)');
  await sb.run(['logout', '--all']);
  const limits = sb.file('mfa-process-limits.txt');
  // The mfa_process writes down the limits it was started with, then gives the code.
  sb.write('.aws/config', `[profile dumping]\nmfa_serial = ${dumping.mfaDevices[0]!.serial}\nmfa_process = cat /proc/self/limits > ${limits}; echo ${await sb.code(dumping)}\n`);
  // Started as from a shell where the user turned core dumps on.
  const r = await runCommand('/bin/sh', ['-c', 'ulimit -c unlimited; exec "$@"', 'sh', process.execPath, MFA_LOGIN, 'session', 'dumping'], sb.env());
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(limits, 'utf8'), /^Max core file size\s+0\s+0\s+bytes/m);
});

test('the cached path never runs prlimit; the full CLI does', async () => {
  // A prlimit first on PATH that notes each run, then does the real work.
  const bin = sb.file('prlimit-bin');
  const runs = sb.file('prlimit-runs');
  sb.write('prlimit-bin/prlimit', `#!/bin/sh\necho run >> ${runs}\nexec /usr/bin/prlimit "$@"\n`);
  spawnSync('chmod', ['755', path.join(bin, 'prlimit')]);
  const env = { PATH: `${bin}:${process.env.PATH}` };
  sb.write('.aws/config', `[profile limited]\nmfa_serial = ${limited.mfaDevices[0]!.serial}\n`);
  await sb.run(['logout', '--all']);
  // The full path notes the route the cached path follows only for a config that has settled.
  await settled();
  const full = await sb.run(['credential-process', 'limited'], { env: { ...env, MFA_LOGIN_MFA_TOKEN: await sb.code(limited) } });
  assert.equal(full.status, 0, full.stderr);
  assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'the full CLI lowered its core limit with prlimit');
  rmSync(runs);
  const cached = await sb.run(['credential-process', 'limited'], { env });
  assert.equal(cached.status, 0, cached.stderr);
  assert.equal(cached.stdout, full.stdout);
  assert.equal(existsSync(runs), false, 'the cached path ran prlimit');
});

test('mfa_process: the code is taken when its line comes; a child it leaves holding stdout neither delays nor outlives the call', async (t) => {
  await sb.run(['logout', '--all']);
  const pidFile = sb.file('lingering.pid');
  rmSync(pidFile, { force: true });
  // The background sleep keeps the command's stdout open long after the command has ended.
  sb.write('.aws/config', `[profile lingering]\nmfa_serial = ${lingering.mfaDevices[0]!.serial}\nmfa_process = echo ${await sb.code(lingering)}; sleep 120 & echo $! > ${pidFile}\n`);
  const started = Date.now();
  const r = await sb.run(['session', 'lingering'], { env: { MFA_LOGIN_MFA_PROCESS_TIMEOUT: '3' } });
  const took = Date.now() - started;
  t.diagnostic(`session took ${took} ms`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^lingering: the MFA session of lingering, valid until/);
  // Success with a 3 s timeout is the proof that the line was taken without waiting for the
  // sleep to close stdout (the timeout would have failed the call). The bound here only says
  // it did not wait for the sleep either; on an idle machine the call takes under 2 s.
  assert.ok(took < 60_000, `took ${took} ms`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(pid > 0);
  assert.equal(await gone(pid), true, `the lingering child (pid ${pid}) is still running`);
});

/** Whether a process has ended (a zombie waiting for init counts as ended), waiting up to 10 s. */
async function gone(pid: number): Promise<boolean> {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    let state: string;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]!;
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
  }
  return false;
}
