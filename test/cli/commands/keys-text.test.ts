import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeysText } from '../../../src/cli/commands/add.js';
import { MfaLoginError } from '../../../src/errors.js';

const ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const keys = { accessKeyId: ID, secretAccessKey: SECRET };

test('keys piped in: two lines, one line, and both CSV files the IAM console downloads', () => {
  assert.deepEqual(parseKeysText(`${ID}\n${SECRET}\n`), keys);
  assert.deepEqual(parseKeysText(`${ID} ${SECRET}`), keys);
  assert.deepEqual(parseKeysText(`${ID},${SECRET}\r\n`), keys);
  // The access key's own CSV, with the byte order mark and CRLF the console writes.
  assert.deepEqual(parseKeysText(`\uFEFFAccess key ID,Secret access key\r\n${ID},${SECRET}\r\n`), keys);
  // A new user's credentials.csv: the keys are not the last two columns.
  assert.deepEqual(parseKeysText(`User name,Password,Access key ID,Secret access key,Console login link\nbob,,${ID},${SECRET},https://111111111111.signin.aws.amazon.com/console\n`), keys);
  assert.deepEqual(parseKeysText(`"User name","Access key ID","Secret access key"\n"bob","${ID}","${SECRET}"\n`), keys);
  // A quoted password may hold commas and quotes.
  assert.deepEqual(parseKeysText(`User name,Password,Access key ID,Secret access key\nbob,"pa,ss""word",${ID},${SECRET}\n`), keys);
});

test('anything else is one clear error', () => {
  for (const text of ['', '\n\n', ID, `Access key ID,Secret access key\n`, `a\nb\nc\n`, `User name,Password,Access key ID,Secret access key\nbob,,${ID}\n`]) {
    assert.throws(() => parseKeysText(text), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_NO_KEYS' && /did not hold an access key id and a secret access key/.test(e.message), JSON.stringify(text));
  }
});
