/**
 * The AWS SDK for JavaScript v3 as a consumer of the credential_process profile. The SDK runs in a
 * child process whose HOME is the sandbox and whose environment is the sandbox's alone, so none of
 * the developer's profiles, keys or AWS_* variables can take part.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MFA_LOGIN, ROOT, runCommand, type Sandbox, type TestUser } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, ASSUMED_ROLE } from './kit.js';

let sb: Sandbox;
let alice: TestUser;

before(async () => {
  ({ sb, alice } = await prodSandbox());
  sb.write('.aws/config', `${sb.read('.aws/config')}[profile prod-mfa]\ncredential_process = ${process.execPath} ${MFA_LOGIN} credential-process prod\nregion = eu-west-1\n`);
});
after(async () => sb?.stop());

// Resolves credentials with each provider, then calls GetCallerIdentity with them.
const SDK_SCRIPT = `
import { fromProcess, fromIni } from '@aws-sdk/credential-providers';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const out = {};
for (const [name, make] of [['fromProcess', fromProcess], ['fromIni', fromIni]]) {
  const provider = make({ profile: 'prod-mfa' });
  const c = await provider();
  const sts = new STSClient({ region: 'eu-west-1', endpoint: process.env.LOCAL_STS_URL, credentials: provider });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  out[name] = {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: c.expiration && c.expiration.toISOString(),
    arn: id.Arn,
  };
}
process.stdout.write(JSON.stringify(out));
`;

test('fromProcess and fromIni get the credentials mfa-login prints, and STS takes them as the role', async () => {
  const warm = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
  assert.equal(warm.status, 0, warm.stderr);

  sb.sts.resetCalls();
  const printed = await sb.run(['credential-process', 'prod']);
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal(printed.stderr, '');
  const expected = JSON.parse(printed.stdout) as { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
  assert.equal(expected.Version, 1);

  // cwd ROOT: the bare imports resolve from the project's node_modules.
  const child = await runCommand(process.execPath, ['--input-type=module', '-e', SDK_SCRIPT], sb.env({ LOCAL_STS_URL: sb.sts.url }), { cwd: ROOT });
  assert.equal(child.status, 0, child.stderr);
  const got = JSON.parse(child.stdout) as Record<string, { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string; arn: string }>;
  for (const name of ['fromProcess', 'fromIni']) {
    const g = got[name]!;
    assert.deepEqual(
      { accessKeyId: g.accessKeyId, secretAccessKey: g.secretAccessKey, sessionToken: g.sessionToken, expiration: Date.parse(g.expiration) },
      { accessKeyId: expected.AccessKeyId, secretAccessKey: expected.SecretAccessKey, sessionToken: expected.SessionToken, expiration: Date.parse(expected.Expiration) },
      `${name} resolves what credential-process printed`,
    );
    assert.match(g.arn, ASSUMED_ROLE, `${name}: GetCallerIdentity with those credentials`);
  }
  assert.equal(sb.sts.calls.GetSessionToken ?? 0, 0, 'every process call was served from the cache');
  assert.equal(sb.sts.calls.AssumeRole ?? 0, 0, 'every process call was served from the cache');
  assert.equal(sb.sts.calls.GetCallerIdentity, 2);
});
