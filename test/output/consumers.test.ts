/**
 * What we write, read by the programs that consume it: the AWS CLI v2 (botocore) and the AWS SDK
 * for JavaScript v3. Each test works in its own temporary directory, never in the user's ~/.aws.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromIni, fromProcess } from '@aws-sdk/credential-providers';
import { formatCredentialProcess } from '../../src/output/credential-process.js';
import { setSectionValues } from '../../src/output/ini-edit.js';
import type { SessionCredentials } from '../../src/credentials.js';
import { assertInstalled, needs } from './tools.js';

// Debian's awscli package is the AWS CLI v2; an `aws` elsewhere on PATH may be an unrelated v1.
const AWS = '/usr/bin/aws';
const awsNeeded = needs(AWS, 'the AWS CLI v2 as a consumer', { requiredInCi: false });

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mfa-login-consumers-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// botocore refreshes credentials that have less than 15 minutes left: give it an hour.
const creds = (): SessionCredentials => ({
  accessKeyId: 'ASIAQUOTE"BACK\\SLASH',
  secretAccessKey: "wJalr/K7+é'\u2028 x",
  sessionToken: 'IQoJb3JpZ2luX2Vj//////////wEaCXVz',
  expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000),
});

function exportCredentials(profile: string, files: { config: string; credentials: string }) {
  const r = spawnSync(AWS, ['configure', 'export-credentials', '--profile', profile, '--format', 'process'], {
    encoding: 'utf8',
    timeout: 15_000,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      LC_ALL: 'C.UTF-8',
      AWS_CONFIG_FILE: files.config,
      AWS_SHARED_CREDENTIALS_FILE: files.credentials,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  assert.equal(r.status, 0, `aws exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A config file someone has lived with, then our profile added to it. */
function writeConfigWithCredentialProcess(c: SessionCredentials): { config: string; credentials: string } {
  const script = join(dir, 'credential-process.mjs');
  const module = new URL('../../src/output/credential-process.js', import.meta.url).href;
  writeFileSync(
    script,
    `import { formatCredentialProcess } from ${JSON.stringify(module)};\n` +
      `const c = ${JSON.stringify(c)};\n` +
      'process.stdout.write(formatCredentialProcess({ ...c, expiration: new Date(c.expiration) }, "123456789012"));\n',
  );
  const existing =
    '# my settings\r\n[default]\r\nregion = eu-west-1\r\ns3 =\r\n    max_concurrent_requests = 10\r\n\r\n' +
    '[profile cp]\r\nregion = us-east-2\r\ncredential_process = /bin/false\r\n';
  const config = join(dir, 'config');
  writeFileSync(config, setSectionValues(existing, 'profile cp', [['credential_process', `${process.execPath} ${script}`]]));
  return { config, credentials: join(dir, 'no-credentials') };
}

describe('credential_process output', () => {
  test('the AWS CLI (botocore) accepts it', awsNeeded, () => {
    assertInstalled(AWS);
    const c = creds();
    const got = exportCredentials('cp', writeConfigWithCredentialProcess(c));
    assert.equal(got.AccessKeyId, c.accessKeyId);
    assert.equal(got.SecretAccessKey, c.secretAccessKey);
    assert.equal(got.SessionToken, c.sessionToken);
    assert.equal(Date.parse(String(got.Expiration)), c.expiration.getTime());
  });

  test('the JS SDK (fromProcess) accepts it', async () => {
    const c = creds();
    const files = writeConfigWithCredentialProcess(c);
    const got = await fromProcess({ profile: 'cp', configFilepath: files.config, filepath: files.credentials, ignoreCache: true })();
    assert.equal(got.accessKeyId, c.accessKeyId);
    assert.equal(got.secretAccessKey, c.secretAccessKey);
    assert.equal(got.sessionToken, c.sessionToken);
    assert.equal(got.expiration?.getTime(), c.expiration.getTime());
    assert.equal(got.accountId, '123456789012');
  });

  test('keys come in the documented order', () => {
    const c = creds();
    const out = formatCredentialProcess(c, '123456789012');
    assert.deepEqual(Object.keys(JSON.parse(out) as object), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration', 'AccountId']);
  });
});

describe('a credentials file we edited', () => {
  // Decoys the editor must not touch: a profile-style header, a header with inner spaces (which
  // both readers call " prod "), an upper-case old key and a duplicate old token.
  const existing =
    '; keys\r\n[profile prod]\r\naws_access_key_id = DECOY1\r\naws_secret_access_key = decoy\r\n\r\n' +
    '[prod]   # session written by mfa-login\r\nAWS_ACCESS_KEY_ID = OLDKEY\r\naws_secret_access_key=old\r\n' +
    'aws_session_token = old1\r\n# note\r\naws_session_token = old2\r\n\r\n[ prod ]\r\naws_access_key_id = DECOY2\r\n';
  const edited = (c: SessionCredentials) =>
    setSectionValues(existing, 'prod', [
      ['aws_access_key_id', c.accessKeyId],
      ['aws_secret_access_key', c.secretAccessKey],
      ['aws_session_token', c.sessionToken],
    ]);

  test('the AWS CLI reads the new keys', awsNeeded, () => {
    assertInstalled(AWS);
    const c = creds();
    const credentials = join(dir, 'credentials-cli');
    writeFileSync(credentials, edited(c));
    const got = exportCredentials('prod', { config: join(dir, 'no-config'), credentials });
    assert.deepEqual(
      [got.AccessKeyId, got.SecretAccessKey, got.SessionToken],
      [c.accessKeyId, c.secretAccessKey, c.sessionToken],
    );
  });

  test('the JS SDK (fromIni) reads the new keys', async () => {
    const c = creds();
    const credentials = join(dir, 'credentials-sdk');
    writeFileSync(credentials, edited(c));
    const got = await fromIni({ profile: 'prod', filepath: credentials, configFilepath: join(dir, 'no-config'), ignoreCache: true })();
    assert.deepEqual(
      [got.accessKeyId, got.secretAccessKey, got.sessionToken],
      [c.accessKeyId, c.secretAccessKey, c.sessionToken],
    );
  });
});
