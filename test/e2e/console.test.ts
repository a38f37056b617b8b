/**
 * `mfa-login console`: the built CLI against the local STS and its federation endpoint, and a
 * real headless Chromium following the sign-in URL to a page that names the role.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { requireComponent, Sandbox, user, type TestUser } from './harness.js';
import { codeWithTime, ROLE_ARN } from '../consumers/kit.js';
import { CHROMIUM, CHROMIUM_FLAGS, dumpDom, killGroup } from './chromium.js';

let sb: Sandbox;
let alice: TestUser;
let endpoint: string;
const ROLE_SESSION = 'arn:aws:sts::222222222222:assumed-role/Admin/alice';
const LONG_ROLE = 'arn:aws:iam::222222222222:role/Long';

before(async () => {
  alice = user('alice');
  sb = await new Sandbox([alice]).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }, { roleArn: LONG_ROLE, requireMfa: true, maxSessionDuration: 43200 }] });
  await sb.add('alice', alice);
  endpoint = `${sb.sts.url}/federation`;
  // prod is reached by role chaining; direct is assumed straight from the IAM user, because its
  // duration_seconds is above the chaining cap.
  sb.write('.aws/config', `${sb.read('.aws/config')}[profile prod]\nrole_arn = ${ROLE_ARN}\nsource_profile = alice\nregion = eu-west-1\n[profile direct]\nrole_arn = ${LONG_ROLE}\nsource_profile = alice\nduration_seconds = 7200\n`);
  const warm = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(warm.status, 0, warm.stderr);
});
after(async () => sb?.stop());

const noChromium = () => requireComponent(existsSync(CHROMIUM), `chromium (${CHROMIUM})`);
// No region in the environment: the profile's picks the console page, unless a test says otherwise.
const env = (extra: Record<string, string | undefined> = {}) => ({ MFA_LOGIN_FEDERATION_ENDPOINT: endpoint, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, BROWSER: undefined, AWS_REGION: undefined, ...extra });

test('--print: a sign-in URL that headless Chromium follows to a page naming the role and the region\'s console', async (t) => {
  const skip = noChromium();
  if (skip) return t.skip(skip);
  sb.sts.resetCalls();
  const r = await sb.run(['console', 'prod', '--print'], { env: env() });
  assert.equal(r.status, 0, r.stderr);
  const url = r.stdout.trim();
  assert.equal(r.stdout.split('\n').length, 2, 'one line on stdout: the URL');
  assert.ok(url.startsWith(`${endpoint}?Action=login&`), url);
  const q = new URL(url).searchParams;
  assert.equal(q.get('Destination'), 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
  assert.match(r.stderr, /^mfa-login: sign-in URL for arn:aws:iam::222222222222:role\/Admin, good for 15 minutes \(until \d\d:\d\d UTC\)\n$/);
  assert.equal(sb.sts.calls.getSigninToken, 1);

  const page = await dumpDom(url);
  assert.match(page.dom, new RegExp(`Signed in as ${ROLE_SESSION.replace(/[/.]/g, '\\$&')}`), `${page.dom}\n${page.stderr.slice(-2000)}`);
  assert.match(page.dom, /https:\/\/eu-west-1\.console\.aws\.amazon\.com\/console\/home\?region=eu-west-1/);
});

test('--service and --region pick the page; --path any page', async () => {
  const a = await sb.run(['console', 'prod', '--print', '--service', 's3', '--region', 'us-west-2'], { env: env() });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(new URL(a.stdout.trim()).searchParams.get('Destination'), 'https://us-west-2.console.aws.amazon.com/s3/home?region=us-west-2');
  const b = await sb.run(['console', 'prod', '--print', '--path', '/iam/home#/roles'], { env: env() });
  assert.equal(b.status, 0, b.stderr);
  assert.equal(new URL(b.stdout.trim()).searchParams.get('Destination'), 'https://eu-west-1.console.aws.amazon.com/iam/home#/roles?region=eu-west-1');
});

test('--policy-arn: the console signs in with the role session narrowed by it (its own AssumeRole)', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['console', 'prod', '--print', '--policy-arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess'], { env: env() });
  assert.equal(r.status, 0, r.stderr);
  const assumed = sb.sts.log.filter((e) => e.action === 'AssumeRole' && e.status === 200);
  assert.deepEqual(assumed.map((e) => e.issued?.policyArns), [['arn:aws:iam::aws:policy/ReadOnlyAccess']]);
  assert.equal(sb.sts.calls.getSigninToken, 1);
});

test('the console page follows the region rule: the environment\'s over the profile\'s, --region over both, one mfa-login exported passed over', async () => {
  const page = async (extra: Record<string, string | undefined>, args: string[] = []) => {
    const r = await sb.run(['console', 'prod', '--print', ...args], { env: env(extra) });
    assert.equal(r.status, 0, r.stderr);
    return new URL(r.stdout.trim()).searchParams.get('Destination');
  };
  assert.equal(await page({ AWS_REGION: 'ap-south-1' }), 'https://ap-south-1.console.aws.amazon.com/console/home?region=ap-south-1');
  assert.equal(await page({ AWS_DEFAULT_REGION: 'ca-central-1' }), 'https://ca-central-1.console.aws.amazon.com/console/home?region=ca-central-1');
  assert.equal(await page({ AWS_REGION: 'ap-south-1' }, ['--region', 'us-west-2']), 'https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2');
  assert.equal(await page({ AWS_REGION: 'us-east-2', MFA_LOGIN_EXPORTED_REGION: 'us-east-2' }), 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
});

test('bad --path, --service, --region and --duration: one line each, exit 2, nothing asked of STS', async () => {
  sb.sts.resetCalls();
  for (const [args, re] of [
    [['--path', '//evil.example/'], /--path "\/\/evil\.example\/" is not a console path/],
    [['--service', 'S3;rm'], /--service "S3;rm" is not a console service name/],
    [['--region', 'EU_WEST'], /--region "EU_WEST" is not an AWS region name/],
    [['--duration', '13h'], /--duration 13h is too long: a console session lasts at most 12 hours \(43200\)/],
    [['--duration', '2h'], /--duration cannot be used with prod: its role session comes from role chaining/],
  ] as const) {
    const r = await sb.run(['console', 'prod', ...args], { env: env() });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(r.stderr.split('\n').length <= 3 && !/\bat .*\.js:\d+/.test(r.stderr), r.stderr);
  }
  assert.deepEqual(sb.sts.calls, {});
});

test('a role assumed straight from the IAM user takes --duration for the console session (Chromium signs in)', async (t) => {
  const skip = noChromium();
  if (skip) return t.skip(skip);
  sb.sts.resetCalls();
  const r = await sb.run(['console', 'direct', '--print', '--duration', '2h', '--mfa-token', await codeWithTime(sb, alice)], { env: env() });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sb.sts.calls.getSigninToken, 1);
  assert.ok(!('GetSessionToken' in sb.sts.calls), 'AssumeRole straight from the long-term key');
  const page = await dumpDom(r.stdout.trim());
  assert.match(page.dom, /Signed in as arn:aws:sts::222222222222:assumed-role\/Long\/alice/);
});

test('the IAM user\'s own MFA session cannot open the console: one line why, and the role to open instead', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['console', 'alice', '--print'], { env: env() });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    "mfa-login: alice is an IAM user's MFA session (GetSessionToken), and the AWS console sign-in accepts only role sessions\n  hint: open a role reached from it instead: mfa-login console direct  (also: prod)\n",
  );
  assert.deepEqual(sb.sts.calls, {}, 'refused before any code or request');
});

test('no browser to open (no display, no BROWSER): the URL on stdout and how long it is good for', async () => {
  const r = await sb.run(['console', 'prod'], { env: env() });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`${endpoint}?Action=login&`), r.stdout);
  assert.match(r.stderr, /no browser to open here \(no display, no BROWSER set\); open the URL above yourself, good for 15 minutes/);
});

/**
 * A BROWSER command, as other tools read it (a command given the URL): it runs `first` (shell,
 * with the URL in $1), then headless Chromium on the URL, which writes the page it lands on.
 */
function browser(name: string, first = ''): { wrapper: string; args: string; page: () => Promise<string>; kill: () => void } {
  const out = sb.file(`${name}-dom.html`);
  const args = sb.file(`${name}-args.txt`);
  const pidFile = sb.file(`${name}.pid`);
  const wrapper = sb.file(`${name}.sh`);
  writeFileSync(
    wrapper,
    `#!/bin/sh\necho $$ > ${pidFile}\nprintf '%s\\n' "$@" > ${args}\n${first}\ntimeout -s KILL 60 ${CHROMIUM} ${CHROMIUM_FLAGS.join(' ')} --user-data-dir=${sb.file(`${name}-profile`)} --dump-dom "$1" > ${out}.part 2>/dev/null\nmv ${out}.part ${out}\n`,
    { mode: 0o755 },
  );
  return {
    wrapper,
    args,
    async page() {
      for (let waited = 0; !existsSync(out); waited += 100) {
        assert.ok(waited < 60_000, 'chromium wrote the page within 60 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      return readFileSync(out, 'utf8');
    },
    kill() {
      if (existsSync(pidFile)) killGroup(Number(readFileSync(pidFile, 'utf8')));
    },
  };
}

const SIGNED_IN = new RegExp(`Signed in as ${ROLE_SESSION.replace(/[/.]/g, '\\$&')}`);

test('with a browser: it gets a one-shot loopback address, never the sign-in token, and lands on the role\'s console', async (t) => {
  const skip = noChromium();
  if (skip) return t.skip(skip);
  const b = browser('browser');
  try {
    const r = await sb.run(['console', 'prod'], { env: env({ BROWSER: b.wrapper }) });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '', 'nothing to copy by hand');
    assert.match(r.stderr, /opened the AWS console for arn:aws:iam::222222222222:role\/Admin in your browser/);
    assert.match(readFileSync(b.args, 'utf8'), /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\n$/, 'the browser is given the loopback redirect only');
    assert.match(await b.page(), SIGNED_IN);
  } finally {
    b.kill();
  }
});

test('another user who takes the loopback address off the browser\'s command line is refused, and the browser still signs in', async (t) => {
  const skip = noChromium() ?? (process.getuid?.() !== 0 ? 'needs root to act as another user' : undefined);
  if (skip) return t.skip(skip);
  const thief = sb.file('thief.txt');
  // The address is on the browser's command line, which `ps` shows to everyone: user 65534 asks
  // for it first, then the browser does.
  const b = browser('thief-browser', `(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} -e "fetch(process.argv[1], { redirect: 'manual' }).then((r) => console.log(r.status), (e) => console.log(e.message))" "$1") > ${thief} 2>&1`);
  try {
    const r = await sb.run(['console', 'prod'], { env: env({ BROWSER: b.wrapper }) });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(thief, 'utf8'), '403\n', 'the other user got no redirect');
    assert.equal(r.stderr, 'mfa-login: user id 65534 asked for the sign-in address before your browser; it was refused\nmfa-login: opened the AWS console for arn:aws:iam::222222222222:role/Admin in your browser\n');
    assert.match(await b.page(), SIGNED_IN);
  } finally {
    b.kill();
  }
});

test('the federation stub refuses GetSessionToken credentials and a SessionDuration for chained roles, as AWS does', async () => {
  const json = JSON.parse((await sb.run(['credential-process', 'prod'])).stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  const session = (k: typeof json) => encodeURIComponent(JSON.stringify({ sessionId: k.AccessKeyId, sessionKey: k.SecretAccessKey, sessionToken: k.SessionToken }));
  const ok = await fetch(`${endpoint}?Action=getSigninToken&Session=${session(json)}`);
  assert.equal(ok.status, 200);
  assert.match(((await ok.json()) as { SigninToken: string }).SigninToken, /^[\w-]{20,}$/);
  const chained = await fetch(`${endpoint}?Action=getSigninToken&SessionDuration=3600&Session=${session(json)}`);
  assert.equal(chained.status, 400);
  assert.match(await chained.text(), /Invalid credentials parameter/);
  const wrong = await fetch(`${endpoint}?Action=getSigninToken&Session=${session({ ...json, SecretAccessKey: 'x' + json.SecretAccessKey.slice(1) })}`);
  assert.equal(wrong.status, 400);
  // alice's MFA session (GetSessionToken), through mfa-env for a profile without a role.
  const mfa = await sb.run(['credential-process', 'alice']);
  const m = JSON.parse(mfa.stdout) as typeof json;
  const refused = await fetch(`${endpoint}?Action=getSigninToken&Session=${session(m)}`);
  assert.equal(refused.status, 400);
});
