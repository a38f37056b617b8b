/**
 * Which region a profile's tools are given, as the AWS CLI v2 and the SDKs resolve it: --region,
 * then the user's AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region. Handed over as
 * both AWS_REGION (the JS SDK) and AWS_DEFAULT_REGION (botocore); a region mfa-login itself set
 * (MFA_LOGIN_EXPORTED_REGION beside it) is not the user's and does not pin the next profile's.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { MFA_LOGIN, Sandbox, user } from './harness.js';

const rhea = user('rhea');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const M = 'MFA_LOGIN_EXPORTED_REGION';
/** What a shell holds after `mfa-use prod`: prod's region, noted as mfa-login's. */
const AFTER_PROD = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', [M]: 'eu-west-1' };
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([rhea]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  await sb.add('rhea', rhea);
  sb.write(
    '.aws/config',
    `${sb.read('.aws/config')}[profile prod]\nrole_arn = ${ROLE}\nsource_profile = rhea\nregion = eu-west-1\n` +
      `[profile staging]\nrole_arn = ${ROLE}\nsource_profile = rhea\nregion = us-west-2\n` +
      `[profile dev]\nrole_arn = ${ROLE}\nsource_profile = rhea\n`,
  );
  // One code for the file: every role below is assumed from this MFA session.
  const r = await sb.run(['session', 'prod', '--mfa-token', await sb.code(rhea)]);
  assert.equal(r.status, 0, r.stderr);
});
after(() => sb?.stop());

/** The three region variables as a command run by `exec` sees them. */
async function execRegion(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const r = await sb.run(['exec', ...args, '--', 'sh', '-c', `echo "\${AWS_REGION-unset} \${AWS_DEFAULT_REGION-unset} \${${M}-unset}"`], { env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const CASES: Array<[why: string, args: string[], env: Record<string, string | undefined>, seen: string]> = [
  ['AWS_REGION over the profile\'s, as both variables', ['prod'], { AWS_REGION: 'ap-south-1' }, 'ap-south-1 ap-south-1 unset'],
  ['AWS_DEFAULT_REGION over the profile\'s, as both variables', ['prod'], { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1 ap-south-1 unset'],
  ['AWS_REGION over AWS_DEFAULT_REGION', ['prod'], { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ca-central-1' }, 'ap-south-1 ap-south-1 unset'],
  ['the profile\'s when the environment has none, noted as mfa-login\'s', ['prod'], { AWS_REGION: undefined }, 'eu-west-1 eu-west-1 eu-west-1'],
  ['--region over AWS_REGION', ['prod', '--region', 'ca-central-1'], { AWS_REGION: 'ap-south-1' }, 'ca-central-1 ca-central-1 ca-central-1'],
  ['a region mfa-login set does not pin the next profile\'s', ['staging'], AFTER_PROD, 'us-west-2 us-west-2 us-west-2'],
  ['one the user set after it wins', ['staging'], { ...AFTER_PROD, AWS_REGION: 'ap-south-1' }, 'ap-south-1 ap-south-1 unset'],
  ['a region mfa-login set is taken out for a profile with none', ['dev'], AFTER_PROD, 'unset unset unset'],
];
for (const [why, args, env, seen] of CASES) {
  test(`exec: ${why}`, async () => {
    assert.equal(await execRegion(args, env), seen);
  });
}

test('mfa-env exports the same region, in both variables', async () => {
  const { MFA_ENV } = await import('./harness.js');
  const r = await sb.run(['dev', '--shell', 'sh'], { bin: MFA_ENV, env: { AWS_REGION: 'ap-south-1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter((l) => /^(export|unset) \w*REGION=?/.test(l)), ["export AWS_REGION='ap-south-1'", "export AWS_DEFAULT_REGION='ap-south-1'"]);
});

test('login writes the region the tools use now: the environment\'s over the profile\'s, the profile\'s over one mfa-login set', async () => {
  const env = await sb.run(['prod'], { env: { AWS_REGION: 'ap-south-1' } });
  assert.equal(env.status, 0, env.stderr);
  assert.match(env.stderr, /set region = ap-south-1 in \[profile prod-session\] in ~\/\.aws\/config/);
  assert.match(sb.read('.aws/config')!, /\n\[profile prod-session\]\nregion = ap-south-1\n/);
  const ours = await sb.run(['staging'], { env: AFTER_PROD });
  assert.equal(ours.status, 0, ours.stderr);
  assert.match(sb.read('.aws/config')!, /\n\[profile staging-session\]\nregion = us-west-2\n/);
  const none = await sb.run(['dev'], { env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'ca-central-1' } });
  assert.equal(none.status, 0, none.stderr);
  assert.match(sb.read('.aws/config')!, /\n\[profile dev-session\]\nregion = ca-central-1\n/);
});

test('serve prints the region for both variables when only AWS_REGION names it', async () => {
  const child = spawn(process.execPath, [MFA_LOGIN, 'serve', 'dev', '--shell', 'sh'], { env: sb.env({ AWS_REGION: 'ap-south-1' }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (/^export AWS_CONTAINER_AUTHORIZATION_TOKEN=/m.test(out)) resolve();
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}) before printing its variables: ${err}`)));
    });
    assert.match(out, /^export AWS_REGION='ap-south-1'\nexport AWS_DEFAULT_REGION='ap-south-1'\n/m);
    assert.doesNotMatch(out, new RegExp(M));
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    clearTimeout(bound);
  }
});
