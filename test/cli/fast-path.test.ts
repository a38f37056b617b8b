import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MFA_ENV, MFA_LOGIN, ROOT, Sandbox, runCommand, settled, user } from '../e2e/harness.js';

/**
 * The cached path is a shortcut, not a second implementation: every form a shell hook or a tool
 * uses is answered by it (nothing else loaded), and what it prints is what the full CLI prints.
 */
const ivy = user('ivy');
/** The region test's own user (and code sequence). */
const rae = user('rae');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const FAST = path.join(ROOT, 'dist/bundle/fast.cjs');
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([ivy, rae]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  await sb.add('ivy', ivy);
  await sb.add('rae', rae);
  sb.write('.aws/config', `[profile ivy]\nmfa_serial = ${ivy.mfaDevices[0]!.serial}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = ivy\nregion = eu-west-1\n`);
});
after(() => sb.stop());

const FORMS: Array<{ tool: 'mfa-login' | 'mfa-env'; args: string[]; env?: Record<string, string> }> = [
  { tool: 'mfa-login', args: ['credential-process', 'prod'] },
  { tool: 'mfa-env', args: ['prod'] },
  { tool: 'mfa-env', args: ['prod', '--shell', 'bash'] },
  { tool: 'mfa-env', args: ['--shell=fish', 'prod'] },
  { tool: 'mfa-env', args: ['prod', '--shell', 'pwsh'] },
  { tool: 'mfa-env', args: [], env: { AWS_PROFILE: 'prod' } },
];

for (const mode of ['runtime', 'file'] as const) {
  test(`${mode} mode: every cached form is answered by the fast path alone, the same as the full CLI answers it`, async () => {
    const env = { MFA_LOGIN_CACHE: mode, SHELL: '/bin/bash' };
    const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env });
    assert.equal(r.status, 0, r.stderr);
    for (const f of FORMS) {
      const e = sb.env({ ...env, ...f.env });
      // The fast path on its own, in a process that loads nothing else: it must answer.
      const fast = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(f.tool)}, ${JSON.stringify(f.args)}) ? 0 : 9`], e);
      assert.equal(fast.status, 0, `${f.tool} ${f.args.join(' ')}: the fast path handed over (${fast.stderr})`);
      // The full CLI (--debug is not a form the fast path takes) prints the same.
      const full = f.tool === 'mfa-login' ? await sb.run([...f.args, '--debug'], { env: { ...env, ...f.env } }) : await sb.run([...f.args, '--debug'], { env: { ...env, ...f.env }, bin: MFA_ENV });
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stderr, /debug: using the cached session of/, 'the full CLI read the same cache');
      assert.equal(fast.stdout, full.stdout, `${f.tool} ${f.args.join(' ')}`);
    }
  });
}

test('the region: the user\'s, the profile\'s over one mfa-login exported, or none; the cached path answers each as the full CLI does', async (t) => {
  const config = readFileSync(sb.file('.aws/config'), 'utf8');
  t.after(() => writeFileSync(sb.file('.aws/config'), config));
  writeFileSync(sb.file('.aws/config'), `${config}[profile rae]\nmfa_serial = ${rae.mfaDevices[0]!.serial}\n[profile rae-prod]\nrole_arn = ${ROLE}\nsource_profile = rae\nregion = eu-west-1\n`);
  await settled();
  const r = await sb.run(['session', 'rae-prod', '--mfa-token', await sb.code(rae)]);
  assert.equal(r.status, 0, r.stderr);
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const ours = { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ap-south-1', [M]: 'ap-south-1' };
  const cases: Array<[why: string, profile: string, env: Record<string, string | undefined>, lines: string[]]> = [
    ['the user\'s AWS_REGION', 'rae-prod', { AWS_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'"]],
    ['the user\'s AWS_DEFAULT_REGION', 'rae-prod', { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'"]],
    ['one mfa-login exported: the profile\'s instead', 'rae-prod', ours, ["export AWS_REGION='eu-west-1'", "export AWS_DEFAULT_REGION='eu-west-1'", `export ${M}='eu-west-1'`]],
    ['one the user set over it', 'rae-prod', { ...ours, AWS_REGION: 'ca-central-1' }, ["export AWS_REGION='ca-central-1'", "export AWS_DEFAULT_REGION='ca-central-1'", `unset ${M}`]],
    ['one mfa-login exported, and a profile with none', 'rae', ours, ['unset AWS_REGION', 'unset AWS_DEFAULT_REGION', `unset ${M}`]],
  ];
  for (const [why, profile, env, lines] of cases) {
    const full = await sb.run([profile, '--shell', 'bash'], { bin: MFA_ENV, env });
    assert.equal(full.status, 0, `${why}: ${full.stderr}`);
    assert.deepEqual(full.stdout.split('\n').filter((l) => l.includes('REGION') && !l.includes('MFA_LOGIN_SAVED')), lines, why);
    const fast = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', [${JSON.stringify(profile)}, '--shell', 'bash']) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', ...env }));
    assert.equal(fast.status, 0, `${why}: the fast path handed over (${fast.stderr})`);
    assert.equal(fast.stdout, full.stdout, why);
  }
  assert.equal((await sb.run(['logout', 'rae'])).status, 0);
});

test('mfa-env --unset (mfa-use --off) is answered by the fast path through the full CLI\'s function: the same lines, whatever the shell holds', async () => {
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const envs: Array<[why: string, env: Record<string, string | undefined>]> = [
    ['nothing saved: the shell\'s own stay', { AWS_PROFILE: 'mine', AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY0000000001' }],
    ['after an export', { MFA_LOGIN_SAVED: '{"AWS_PROFILE":"mine"}', AWS_ACCESS_KEY_ID: 'ASIAEXPORTED00000001', AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }],
    ['inside exec', { MFA_LOGIN_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'ASIAEXEC000000000001', AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }],
  ];
  for (const args of [['--unset'], ['--unset', '--shell', 'fish'], ['--shell=pwsh', '--unset']]) {
    for (const [why, env] of envs) {
      const e = { SHELL: '/bin/bash', MFA_LOGIN_SAVED: undefined, MFA_LOGIN_PROFILE: undefined, [M]: undefined, ...env };
      const fast = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ${JSON.stringify(args)}) ? 0 : 9`], sb.env(e));
      assert.equal(fast.status, 0, `${args.join(' ')}, ${why}: the fast path handed over (${fast.stderr})`);
      const full = await sb.run([...args, '--debug'], { env: e, bin: MFA_ENV });
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stdout, /MFA_LOGIN_SAVED/);
      assert.equal(fast.stdout, full.stdout, `${args.join(' ')}, ${why}`);
    }
  }
  // A bad setting is the full CLI's to report, as for every other call.
  const bad = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ['--unset']) ? 0 : 9`], sb.env({ MFA_LOGIN_CACHE: 'nosuch' }));
  assert.equal(bad.status, 9);
});

test('anything the fast path does not handle plainly goes to the full CLI: other flags, the agent, a miss, a bad --shell', async () => {
  const cases: Array<{ tool: string; args: string[]; env?: Record<string, string> }> = [
    { tool: 'mfa-login', args: ['credential-process', 'prod', '--debug'] },
    { tool: 'mfa-env', args: ['prod', '--shell', 'tcsh'] },
    { tool: 'mfa-env', args: ['prod', '--unset'] },
    { tool: 'mfa-env', args: ['nosuch'] },
    { tool: 'mfa-login', args: ['credential-process', 'prod'], env: { MFA_LOGIN_CACHE: 'agent' } },
    { tool: 'mfa-login', args: ['credential-process', 'prod'], env: { MFA_LOGIN_CACHE: 'none' } },
  ];
  for (const c of cases) {
    const r = await runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(c.tool)}, ${JSON.stringify(c.args)}) ? 0 : 9`], sb.env(c.env));
    assert.equal(r.status, 9, `${c.tool} ${c.args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stdout, '');
  }
});

test('the cached path answers only while the config files and the STS environment are as they were when the full path last answered', async () => {
  const config = readFileSync(sb.file('.aws/config'), 'utf8');
  const fast = (args: string[], env: Record<string, string> = {}, tool = 'mfa-env') =>
    runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath(${JSON.stringify(tool)}, ${JSON.stringify(args)}) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', AWS_REGION: undefined, ...env }));
  // No region in the environment (the sandbox has one), so the answer carries the config's.
  const noRegion = { AWS_REGION: undefined };
  try {
    assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)], { env: noRegion })).status, 0);
    const before = await fast(['prod']);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stdout, /^export AWS_REGION='eu-west-1'$/m);
    // Anything a session's key or the answer depends on sends it to the full CLI.
    assert.equal((await fast(['prod'], { AWS_REGION: 'eu-west-2' })).status, 9, 'AWS_REGION');
    assert.equal((await fast(['prod'], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' })).status, 9, 'AWS_ENDPOINT_URL_STS');
    assert.equal((await fast(['prod'], { AWS_CONFIG_FILE: sb.file('.aws/other') })).status, 9, 'AWS_CONFIG_FILE');
    assert.equal((await fast(['ivy'])).status, 9, 'a profile the full path has not answered for');
    // The same size, rewritten in place: the region the tools are given changes.
    writeFileSync(sb.file('.aws/config'), config.replace('region = eu-west-1', 'region = eu-west-2'));
    assert.equal((await fast(['prod'])).status, 9, 'a changed config');
    assert.equal((await fast(['credential-process', 'prod'], {}, 'mfa-login')).status, 9, 'a changed config, credential-process');
    await settled();
    const full = await sb.run(['prod', '--shell', 'bash'], { bin: MFA_ENV, env: noRegion });
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /^export AWS_REGION='eu-west-2'$/m);
    const after = await fast(['prod']);
    assert.equal(after.status, 0, after.stderr);
    assert.equal(after.stdout, full.stdout, 'the cached path answers as the full CLI did for the new config');
    // logout takes the routes with the sessions.
    assert.equal((await sb.run(['logout', '--all'])).status, 0);
    assert.equal((await fast(['prod'])).status, 9, 'after logout');
  } finally {
    writeFileSync(sb.file('.aws/config'), config);
  }
});

test('shells in different STS environments (AWS_REGION) each keep their route: calls from both are answered by the cached path', async () => {
  const fast = (env: Record<string, string>) =>
    runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-env', ['prod']) ? 0 : 9`], sb.env({ SHELL: '/bin/bash', ...env }));
  const shells: Array<Record<string, string>> = [{}, { AWS_REGION: 'eu-west-2' }, { AWS_REGION: 'us-east-1', AWS_STS_REGIONAL_ENDPOINTS: 'regional' }];
  const full: string[] = [];
  const code = await sb.code(ivy);
  for (const env of shells) {
    const r = await sb.run(['prod', '--shell', 'bash', '--mfa-token', code], { bin: MFA_ENV, env });
    assert.equal(r.status, 0, r.stderr);
    full.push(r.stdout);
  }
  // Back and forth, as prompts in two terminals come: every one is a hit, each with its own answer.
  for (let round = 0; round < 2; round++) {
    for (const [i, env] of shells.entries()) {
      const r = await fast(env);
      assert.equal(r.status, 0, `round ${round}, ${JSON.stringify(env)}: handed over to the full CLI`);
      assert.equal(r.stdout, full[i]);
    }
  }
  assert.equal((await sb.run(['logout', '--all'])).status, 0);
});

test('a setting the full CLI refuses is its to report; an answer that cannot be written is one line and exit 1, and a reader that stopped early no error', async () => {
  assert.equal((await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)])).status, 0);
  const fast = (env: Record<string, string> = {}) => runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-login', ['credential-process', 'prod']) ? 0 : 9`], sb.env(env));
  assert.equal((await fast()).status, 0, 'answered with the settings as they are');
  const bad: Array<Record<string, string>> = [{ MFA_LOGIN_BACKEND: 'bogus' }, { MFA_LOGIN_LOCK_TIMEOUT: 'soon' }, { MFA_LOGIN_PROMPT: 'x' }];
  for (const env of bad) {
    const handed = await fast(env);
    assert.equal(handed.status, 9, JSON.stringify(env));
    assert.equal(handed.stdout, '');
  }
  const refused = await sb.run(['credential-process', 'prod'], { env: { MFA_LOGIN_BACKEND: 'bogus' } });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /MFA_LOGIN_BACKEND="bogus" is not a secret store/);
  const shell = (command: string) => runCommand('/bin/bash', ['-c', command], sb.env());
  const full = await shell(`"${process.execPath}" "${MFA_LOGIN}" credential-process prod > /dev/full`);
  assert.equal(full.status, 1, full.stderr);
  assert.equal(full.stderr, 'mfa-login: cannot write to standard output (ENOSPC)\n');
  // Whether or not `true` is gone by the time the answer is written, nothing is said and it is a success.
  const early = await shell(`"${process.execPath}" "${MFA_LOGIN}" credential-process prod | true; echo "status \${PIPESTATUS[0]}"`);
  assert.equal(early.stdout, 'status 0\n');
  assert.equal(early.stderr, '');
});

test('a config file with a byte-order mark is answered; one with a byte that is not UTF-8 goes to the full CLI, which names the line', async () => {
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)]);
  assert.equal(r.status, 0, r.stderr);
  const config = readFileSync(sb.file('.aws/config'));
  const fast = () => runCommand(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(FAST)}).fastPath('mfa-login', ['credential-process', 'prod']) ? 0 : 9`], sb.env());
  try {
    writeFileSync(sb.file('.aws/config'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), config]));
    assert.equal((await fast()).status, 9, 'a changed config hands over until the full path has answered once');
    await settled();
    assert.equal((await sb.run(['credential-process', 'prod'])).status, 0);
    const answered = await fast();
    assert.equal(answered.status, 0, answered.stderr);
    assert.equal(answered.stdout, (await sb.run(['credential-process', 'prod', '--debug'])).stdout);
    writeFileSync(sb.file('.aws/config'), Buffer.concat([config, Buffer.from([0x23, 0x20, 0xe9, 0x0a])]));
    const handed = await fast();
    assert.equal(handed.status, 9);
    assert.equal(handed.stdout, '');
    const full = await sb.run(['credential-process', 'prod']);
    assert.equal(full.status, 3);
    assert.match(full.stderr, /config is not UTF-8 text \(invalid byte at line 7\)/);
    assert.equal(full.stdout, '');
  } finally {
    writeFileSync(sb.file('.aws/config'), config);
  }
});

test('the prepared code is this Node\'s, and the bin scripts answer alike with it, without it, cut short, or made by another Node', async (t) => {
  const text = readFileSync(path.join(ROOT, 'dist/bundle/fast.v8'), 'utf8');
  const [tag, length] = text.split('\n', 2) as [string, string];
  assert.equal(tag, `${process.version} ${process.arch} ${process.versions.v8}`);
  const codeAt = tag.length + length.length + 2 + Number(length);
  assert.ok(Buffer.from(text.slice(codeAt), 'base64').length > 1000, 'the code follows the source');
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(ivy)]);
  assert.equal(r.status, 0, r.stderr);
  // A copy of the installed layout (bin/ beside dist/bundle/) whose fast.v8 each case replaces.
  const copy = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-fastv8-'));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
  cpSync(path.join(ROOT, 'dist/bundle'), path.join(copy, 'dist/bundle'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const cases: Array<[string, string | undefined]> = [
    ['as built', text],
    ['missing', undefined],
    ['empty', ''],
    ['cut short in the source', text.slice(0, codeAt - 100)],
    ['cut short in the code', text.slice(0, codeAt + 1000)],
    ['made by another Node', `v0${text.slice(text.indexOf(' '))}`], // its code must not reach V8
  ];
  const expected = (await sb.run(['credential-process', 'prod', '--debug'])).stdout;
  for (const [what, content] of cases) {
    const file = path.join(copy, 'dist/bundle/fast.v8');
    rmSync(file, { force: true });
    if (content !== undefined) writeFileSync(file, content);
    const got = await runCommand(process.execPath, [path.join(copy, 'bin/mfa-login.js'), 'credential-process', 'prod'], sb.env());
    assert.equal(got.status, 0, `${what}: ${got.stderr}`);
    assert.equal(got.stdout, expected, what);
  }
});
