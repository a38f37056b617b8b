import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN, ADMIN_ROLE, MFA_LOGIN, Sandbox, runCommand, user, userAndAdminConfig, type RunResult } from './harness.js';

const alice = user('alice');
const CONFIG = userAndAdminConfig(alice);

/** A loop, a malformed mfa_serial with a misspelt key, and four broken credential_process hooks. */
const brokenProfiles = (missingScript: string, hookForNobody: string) => `
[profile a]
role_arn = arn:aws:iam::222222222222:role/A
source_profile = b

[profile b]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = a

[profile typo]
mfa_serial = arn:aws:iam::12345:mfa/typo
source-profile = alice

[profile hook-missing]
credential_process = /nonexistent/bin/node /nonexistent/mfa-login/bin/mfa-login.js credential-process alice

[profile hook-relative]
credential_process = mfa-login credential-process alice

[profile hook-script]
credential_process = ${process.execPath} ${missingScript} credential-process alice

[profile hook-nobody]
credential_process = ${hookForNobody}
`;

let sb: Sandbox;
let healthyConfig: string;
let scenario = 0;
// PATH without a v1 `aws` shim: each AWS CLI start costs a second or two, once is enough.
const doctor = (env: Record<string, string | undefined> = {}): Promise<RunResult> => sb.run(['doctor'], { env: { MFA_LOGIN_CACHE: 'file', PATH: '/usr/bin:/bin', ...env } });
/** Doctor with the healthy config plus `extra`, in a config file of its own so that scenarios run side by side. */
const withConfig = (extra: string, env: Record<string, string | undefined> = {}): Promise<RunResult> => {
  const name = `.aws/config-${++scenario}`;
  sb.write(name, healthyConfig + extra);
  return doctor({ AWS_CONFIG_FILE: sb.file(name), ...env });
};

// Every scenario starts its own `mfa-login doctor`; most of their time is the AWS CLI starting up.
describe('mfa-login doctor', { concurrency: true }, () => {
  before(async () => {
    sb = await new Sandbox([alice]).start({ roles: [ADMIN_ROLE] });
    sb.write('.aws/config', CONFIG);
    const env = { MFA_LOGIN_CACHE: 'file' };
    const steps = [
      await sb.run(['add', 'alice'], { env, input: `${alice.accessKeyId}\n${alice.secretAccessKey}\n` }),
      await sb.run(['login', 'alice', '--mfa-token', await sb.code(alice)], { env }),
      await sb.run(['session', 'alice-admin'], { env }),
      await sb.run(['setup', 'alice-admin'], { env }),
    ];
    for (const r of steps) assert.equal(r.status, 0, r.stderr);
    healthyConfig = sb.read('.aws/config')!;
  });
  after(async () => sb.stop());

  it('a healthy setup: every check says ok, exit 0', async () => {
    const r = await doctor();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ok {4}key store: file ~\/\.config\/mfa-login\/keys\.enc is readable, keys for 1 profile$/m);
    assert.match(r.stdout, /^ok {4}config files: ~\/\.aws\/config and ~\/\.aws\/credentials parse \(3 profiles\)$/m);
    assert.match(r.stdout, /^ok {4}profiles: 2 chains resolve: alice, alice-admin$/m);
    assert.match(r.stdout, /^ok {4}regions: every role profile has one \(alice-admin\)$/m);
    assert.match(r.stdout, /^ok {4}clock: within 1 s of STS at http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(r.stdout, /^ok {4}session cache: ~\/\.cache\/mfa-login is 0700, 2 session files 0600$/m);
    assert.match(r.stdout, /^ok {4}credential_process: \[profile alice-admin-mfa\] runs \S+ \S+bin\/mfa-login\.js for alice-admin$/m);
    assert.match(r.stdout, /^(ok {4}AWS CLI: 2\.|warn {2}AWS CLI)/m);
    assert.doesNotMatch(r.stdout, /^FAIL/m);
    assert.match(r.stdout, /\nNo problems found/);
  });

  it('test-only settings set: a warning for each with the unset that fixes it, and the warning on stderr; exit 0', async () => {
    const r = await doctor({ MFA_LOGIN_TEST_WARNING_LEAD_SECONDS: '5', MFA_LOGIN_TEST_PAUSE_AT: 'created' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^warn {2}MFA_LOGIN_TEST_WARNING_LEAD_SECONDS is set: a setting for mfa-login's own tests, harmful for real use\n {6}fix: unset MFA_LOGIN_TEST_WARNING_LEAD_SECONDS$/m);
    assert.match(r.stdout, /^warn {2}MFA_LOGIN_TEST_PAUSE_AT is set: a setting for mfa-login's own tests, harmful for real use\n {6}fix: unset MFA_LOGIN_TEST_PAUSE_AT$/m);
    assert.doesNotMatch(r.stdout, /MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS/);
    assert.equal(r.stderr, "mfa-login: warning: MFA_LOGIN_TEST_WARNING_LEAD_SECONDS, MFA_LOGIN_TEST_PAUSE_AT are set, for mfa-login's own tests only: sessions, warnings or rotate do not behave as they should; unset MFA_LOGIN_TEST_WARNING_LEAD_SECONDS MFA_LOGIN_TEST_PAUSE_AT\n");
    // The fixes as printed, in a shell that has the variables.
    const fixes = [...r.stdout.matchAll(/^ {6}fix: (unset MFA_LOGIN_TEST_\w+)$/gm)].map((m) => m[1]!);
    const fixed = await runCommand('/bin/sh', ['-c', `${fixes.join('; ')}; exec "$0" "$1" doctor`, process.execPath, MFA_LOGIN], sb.env({ MFA_LOGIN_CACHE: 'file', PATH: '/usr/bin:/bin', MFA_LOGIN_TEST_WARNING_LEAD_SECONDS: '5', MFA_LOGIN_TEST_PAUSE_AT: 'created' }));
    assert.equal(fixed.stderr, '');
    assert.doesNotMatch(fixed.stdout, /MFA_LOGIN_TEST_/);
  });

  it('a malformed config line: FAIL naming the file and line, the other checks still run, exit 3', async () => {
    const r = await withConfig('\n[profile x]\nthis line is not a setting\n');
    assert.equal(r.status, 3, r.stdout);
    const line = healthyConfig.split('\n').length + 2;
    assert.match(r.stdout, new RegExp(`^FAIL  config files: ~/\\.aws/config-\\d+ line ${line}: expected "key = value" or "\\[section\\]", found "this line is not a setting"\\n {6}fix: `, 'm'));
    assert.match(r.stdout, /^warn {2}profiles: not checked, the config files do not parse/m);
    assert.match(r.stdout, /^ok {4}key store: /m);
    assert.match(r.stdout, /^ok {4}clock: /m);
    assert.match(r.stdout, /^ok {4}session cache: /m);
    assert.match(r.stdout, /\n1 check failed/);
  });

  it('broken profiles and hooks: one FAIL each, with its fix, while the healthy ones still say ok, exit 3', async () => {
    const r = await withConfig(brokenProfiles(sb.file('nothing.js'), /credential_process = (.*)/.exec(healthyConfig)![1]!.replace(/alice-admin$/, 'nobody')));
    assert.equal(r.status, 3, r.stdout);
    assert.match(r.stdout, /^FAIL  profile a: source_profile loop: a -> b -> a\n {6}fix: change source_profile/m);
    assert.match(r.stdout, /^FAIL  profile b: source_profile loop: b -> a -> b$/m);
    assert.match(r.stdout, /^ok {4}profiles: 2 chains resolve: alice, alice-admin$/m);
    assert.match(r.stdout, /^FAIL  profile typo: ~\/\.aws\/config-\d+ line \d+: mfa_serial = arn:aws:iam::12345:mfa\/typo does not have a 12-digit account id/m);
    assert.match(r.stdout, /^warn {2}profile settings: ~\/\.aws\/config-\d+ line \d+: unknown key source-profile in profile typo; did you mean source_profile\?\n {6}fix: rename the key to source_profile/m);
    assert.match(r.stdout, /^FAIL  credential_process of \[profile hook-missing\] \(~\/\.aws\/config-\d+ line \d+\): "\/nonexistent\/bin\/node" does not exist\n {6}fix: rewrite it with the paths of this installation: mfa-login setup alice --name hook-missing$/m);
    assert.match(r.stdout, /^FAIL  credential_process of \[profile hook-relative\] .*"mfa-login" is not an absolute path/m);
    assert.match(r.stdout, /^FAIL  credential_process of \[profile hook-script\] .*nothing\.js" does not exist/m);
    assert.match(r.stdout, /^FAIL  credential_process of \[profile hook-nobody\] \(.*\) names profile nobody, which does not resolve: profile nobody not found/m);
    assert.match(r.stdout, /^ok {4}credential_process: \[profile alice-admin-mfa\]/m, 'the good hook is still checked');
    assert.match(r.stdout, /\n7 checks failed, 1 warning\.\n$/);
  });

  it('a role profile with no region, nor up its chain: one warning naming it, with the region = line that fixes it', async () => {
    const extra = `\n[profile nore]\nmfa_serial = arn:aws:iam::111111111111:mfa/nore\n\n[profile dev]\nrole_arn = ${ADMIN}\nsource_profile = nore\n`;
    const r = await withConfig(extra);
    assert.equal(r.status, 0, r.stdout);
    const m = /^warn {2}regions: dev has no region, nor does any profile up its source_profile chain: "aws --profile" fails with "You must specify a region" for the session mfa-login writes for it wherever AWS_REGION is not set\n {6}fix: add region = REGION to \[profile dev\] in ~\/(\.aws\/config-\d+)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.doesNotMatch(r.stdout, /regions: .*alice-admin/, 'alice-admin has its source\'s region');
    // The fix as printed, with a region for REGION, in the file it names.
    const file = m[1]!;
    sb.write(file, sb.read(file)!.replace('[profile dev]\n', '[profile dev]\nregion = eu-west-1\n'));
    const fixed = await doctor({ AWS_CONFIG_FILE: sb.file(file) });
    assert.match(fixed.stdout, /^ok {4}regions: every role profile has one \(alice-admin, dev\)$/m, fixed.stdout);
  });

  it('a cache directory others can enter: FAIL with the chmod that fixes it, exit 3', async () => {
    // A copy, so the scenarios running at the same time still see the real one as it should be.
    const dir = sb.file('open-cache');
    cpSync(sb.file('.cache/mfa-login'), dir, { recursive: true });
    chmodSync(dir, 0o755);
    const session = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    chmodSync(path.join(dir, session), 0o644);
    const r = await doctor({ MFA_LOGIN_CACHE_DIR: dir });
    assert.equal(r.status, 3, r.stdout);
    assert.match(r.stdout, /^FAIL  session cache: ~\/open-cache is 0755, so other users can enter it; it must be 0700\n {6}fix: chmod 700 \/\S+\/open-cache$/m);
    assert.match(r.stdout, new RegExp(`^FAIL  session cache: 1 session file in ~/open-cache can be read by others \\(e\\.g\\. ${session} is 0644\\); they must be 0600\\n {6}fix: chmod 600 /\\S+/open-cache/\\*\\.json$`, 'm'));
    assert.equal(r.stdout.match(/^FAIL/gm)!.length, 2);
  });

  it('a link in the cache directory\'s place: FAIL with the session store\'s own refusal and fix, as every command refuses it, exit 3', async () => {
    const link = sb.file('linked-cache');
    symlinkSync(sb.file('.cache/mfa-login'), link);
    const r = await doctor({ MFA_LOGIN_CACHE_DIR: link });
    assert.equal(r.status, 3, r.stdout);
    assert.match(r.stdout, /^FAIL  session cache: the session directory ~\/linked-cache is a symbolic link; refusing to use it\n {6}fix: remove the link \(rm ~\/linked-cache\); mfa-login creates the directory itself$/m);
    const refused = await sb.run(['credential-process', 'alice-admin'], { env: { MFA_LOGIN_CACHE: 'file', MFA_LOGIN_CACHE_DIR: link } });
    assert.equal(refused.status, 8, refused.stderr);
  });

  it('a clock two minutes off STS: FAIL with the NTP fix, exit 3', async () => {
    const server: Server = createServer((_req, res) => {
      res.setHeader('Date', new Date(Date.now() + 120_000).toUTCString());
      res.statusCode = 403;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await doctor({ AWS_ENDPOINT_URL: url });
      assert.equal(r.status, 3, r.stdout);
      assert.match(r.stdout, new RegExp(`^FAIL  clock: this machine is 2 min \\d+ s behind STS at ${url.replace(/\./g, '\\.')} \\(more than 30 s\\).*\\n {6}fix: enable time synchronisation \\(NTP\\): sudo timedatectl set-ntp true$`, 'm'));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('only the keychain failing exits 7; an unreachable STS is only a warning', async () => {
    // No session bus: the Secret Service cannot be reached (DBUS_SESSION_BUS_ADDRESS left out).
    // A port that was free a moment ago: the connection is refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await doctor({ MFA_LOGIN_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: undefined, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
    assert.equal(r.status, 7, r.stdout);
    assert.match(r.stdout, /^FAIL  key store: .*D-Bus.*\n {6}fix: /m);
    assert.match(r.stdout, /^warn {2}clock: not checked, STS at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/m);
    assert.equal(r.stdout.match(/^FAIL/gm)!.length, 1);
  });
});
