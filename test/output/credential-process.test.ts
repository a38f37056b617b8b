import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredentialProcess } from '../../src/output/credential-process.js';
import { toRfc3339 } from '../../src/output/rfc3339.js';
import fc from 'fast-check';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('formatCredentialProcess', () => {
  test('session credentials with an account id: exact output', () => {
    assert.equal(
      formatCredentialProcess(
        {
          accessKeyId: 'ASIAEXAMPLE',
          secretAccessKey: 'wJalr/K7MDENG+bPxRfiCY',
          sessionToken: 'IQoJb3JpZ2luX2Vj',
          expiration: new Date('2026-11-24T14:00:00.750Z'),
        },
        '123456789012',
      ),
      '{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalr/K7MDENG+bPxRfiCY",' +
        '"SessionToken":"IQoJb3JpZ2luX2Vj","Expiration":"2026-11-24T14:00:00Z","AccountId":"123456789012"}\n',
    );
  });

  test('long-term keys: no SessionToken, Expiration or AccountId keys at all', () => {
    assert.equal(
      formatCredentialProcess({ accessKeyId: 'AKIA', secretAccessKey: 's' }),
      '{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}\n',
    );
  });

  test('one line of JSON, Version is the number 1, Expiration is RFC 3339 UTC', () => {
    const out = formatCredentialProcess({
      accessKeyId: 'A"\\\n',
      secretAccessKey: 'é\u2028',
      sessionToken: 't',
      expiration: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 999)),
    });
    assert.equal(out.indexOf('\n'), out.length - 1, 'exactly one line');
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.equal(parsed.Version, 1);
    assert.equal(parsed.AccessKeyId, 'A"\\\n');
    assert.equal(parsed.SecretAccessKey, 'é\u2028');
    assert.match(String(parsed.Expiration), RFC3339_UTC);
    assert.equal(parsed.Expiration, '2030-01-02T03:04:05Z');
  });

  test('rejects an account id that is not 12 digits', () => {
    for (const bad of ['12345678901', '1234567890123', 'abcdefghijkl', '']) {
      assert.throws(() => formatCredentialProcess({ accessKeyId: 'A', secretAccessKey: 'S' }, bad), RangeError);
    }
  });
});

describe('toRfc3339', () => {
  const cases: [Date, string][] = [
    [new Date('2026-11-24T14:00:00Z'), '2026-11-24T14:00:00Z'],
    [new Date('2026-11-24T14:00:00.999Z'), '2026-11-24T14:00:00Z'], // truncated, never rounded up
    [new Date('2026-11-24T15:00:00+01:00'), '2026-11-24T14:00:00Z'],
    [new Date(0), '1970-01-01T00:00:00Z'],
    [new Date('9999-12-31T23:59:59.999Z'), '9999-12-31T23:59:59Z'],
  ];
  for (const [d, s] of cases) test(s, () => assert.equal(toRfc3339(d), s));

  test('agrees with toISOString, milliseconds dropped, on any date from year 0 to 9999', () => {
    const min = Date.parse('0000-01-01T00:00:00Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        const d = new Date(ms);
        assert.equal(toRfc3339(d), d.toISOString().slice(0, 19) + 'Z');
      }),
      { numRuns: 2000 },
    );
    assert.equal(toRfc3339(new Date('0099-03-04T05:06:07Z')), '0099-03-04T05:06:07Z');
  });

  test('refuses dates RFC 3339 cannot express', () => {
    assert.throws(() => toRfc3339(new Date(Number.NaN)), RangeError);
    assert.throws(() => toRfc3339(new Date('+010000-01-01T00:00:00Z')), RangeError);
    assert.throws(() => toRfc3339(new Date('-000001-01-01T00:00:00Z')), RangeError);
  });
});
