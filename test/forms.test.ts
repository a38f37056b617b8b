import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAccessKeyId, isAccountId, isExpiration, isRegion, isSecretAccessKey, isSessionToken } from '../src/forms.js';

// The forms as regular expressions, the way AWS documents them: each check must agree with its
// expression on every sample, the hostile ones included.
const AS_EXPRESSIONS: Array<[string, (v: string) => boolean, RegExp]> = [
  ['access key id', isAccessKeyId, /^[A-Z0-9]{1,128}$/],
  ['secret access key', isSecretAccessKey, /^[A-Za-z0-9+/=]{1,256}$/],
  ['session token', isSessionToken, /^[A-Za-z0-9+/=]{1,16384}$/],
  ['account id', isAccountId, /^\d{12}$/],
  ['expiration', isExpiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/],
  ['region', isRegion, /^(?=.{1,40}$)[a-z0-9]+(-[a-z0-9]+)*$/],
];

const SAMPLES = [
  '', 'A', 'ASIAEXAMPLE0000001', 'asia', 'ASIA EXAMPLE', 'ASIA\n', 'AKIA$(id)', 'A'.repeat(128), 'A'.repeat(129),
  'wJalr/K7MDENG+bPxRfiCY==', 'wJalr/K7MDENG+bPxRfiCY==\n', "it's", 'a-b', 'x'.repeat(256), 'x'.repeat(257), 'y'.repeat(16384), 'y'.repeat(16385),
  '111111111111', '11111111111', '1111111111111', '11111111111a', '１１１１１１１１１１１１',
  '2026-11-24T14:00:00Z', '2026-11-24T14:00:00.123Z', '2026-11-24T14:00:00.Z', '2026-11-24T14:00:00', '2026-11-24 14:00:00Z', '+02026-11-24T14:00:00Z',
  '2026-11-24T14:00:00.1234567Z', '2026-11-24T14:00:00ZZ', '2026-1-24T14:00:00Z', '2026-11-24T14:00:00z',
  'eu-west-1', 'us-gov-west-1', 'cn-north-1', '-eu', 'eu-', 'eu--west', 'EU-WEST-1', 'eu_west_1', 'r'.repeat(40), 'r'.repeat(41), "eu-west-1'; id",
];

describe('forms', () => {
  for (const [name, check, expression] of AS_EXPRESSIONS) {
    test(`${name}: agrees with ${expression.source.slice(0, 40)}`, () => {
      for (const sample of SAMPLES) assert.equal(check(sample), expression.test(sample), JSON.stringify(sample.slice(0, 50)));
    });
  }

  test('each form takes some sample and refuses some other', () => {
    for (const [name, check] of AS_EXPRESSIONS) {
      assert.ok(SAMPLES.some(check), name);
      assert.ok(!SAMPLES.every(check), name);
    }
  });
});
