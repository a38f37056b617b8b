import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MfaLoginError } from '../../src/errors.js';
import type { CodeSource } from '../../src/mfa/code-source.js';
import { runChain, type ChainOptions } from '../../src/providers/chain-runner.js';
import { chainKeys } from '../../src/providers/chain-keys.js';
import { withScope } from '../../src/config/chain.js';
import { accessDenied } from '../../src/aws-stand-in/faults.js';
import type { StsError } from '../../src/sts/sts.js';
import { ALICE_KEYS, ALICE_MFA, codes, fakeDeps, plan, refusals, role, stsError, USER } from './fakes.js';

type Fixture = ReturnType<typeof fakeDeps>;
const CHAIN = USER + role('hop', 'alice') + role('prod', 'hop');
const ONE_HOP = USER + role('prod', 'alice');

/** Runs the chain for `target` and reports what it cost: STS calls, code sources chosen, codes asked. */
async function run(f: Fixture, config: string, target: string, source: CodeSource & { requests: unknown[] } = codes('flag', '123456'), options: Partial<ChainOptions> = {}) {
  const before = { gst: f.sts.sessionTokenCalls.length, ar: f.sts.assumeRoleCalls.length, asked: source.requests.length };
  let chosen = 0;
  const got = await runChain(f.deps, plan(config, target), {
    codeSource: () => {
      chosen++;
      return source;
    },
    ...options,
  });
  return {
    got,
    cost: { gst: f.sts.sessionTokenCalls.length - before.gst, ar: f.sts.assumeRoleCalls.length - before.ar, chosen, asked: source.requests.length - before.asked },
  };
}

test('a cold chain: one code, one GetSessionToken, one AssumeRole per hop, each from the previous session', async () => {
  const f = fakeDeps();
  const { got, cost } = await run(f, CHAIN, 'prod');
  assert.deepEqual(cost, { gst: 1, ar: 2, chosen: 1, asked: 1 });
  assert.equal(got.fromCache, false);
  const [mfa] = f.sts.sessionTokenCalls;
  const [toHop, toProd] = f.sts.assumeRoleCalls;
  assert.equal(mfa!.keys, ALICE_KEYS);
  assert.equal(toHop!.credentials.accessKeyId, 'ASIAMFA1');
  assert.equal(toProd!.credentials.accessKeyId, 'ASIAROLE2');
  assert.equal(got.credentials.accessKeyId, 'ASIAROLE3');
  assert.deepEqual(f.debug, ['hop: AssumeRole from the MFA session (role chaining, at most 3600s)', 'prod: AssumeRole from the session of arn:aws:iam::222222222222:role/hop (role chaining, at most 3600s)']);
  const keys = chainKeys(plan(CHAIN, 'prod'), {});
  assert.deepEqual(f.cache.puts, [keys.mfaKey, keys.roleKeys[0], keys.roleKeys[1]]);
  assert.deepEqual(f.cache.entries.get(keys.roleKeys[1]!)!.profiles, ['alice', 'hop', 'prod']);
});

// What a second call costs after a cold `prod` (MFA session 12 h, roles 1 h), by how much later it comes.
const later: Array<{ name: string; target: string; minutes: number; cost: { gst: number; ar: number; chosen: number }; fromCache: boolean }> = [
  { name: 'prod at once: a full cache hit asks nothing, not even which code source', target: 'prod', minutes: 0, cost: { gst: 0, ar: 0, chosen: 0 }, fromCache: true },
  { name: 'the parent role on its own: its cached session', target: 'hop', minutes: 0, cost: { gst: 0, ar: 0, chosen: 0 }, fromCache: true },
  { name: 'prod with 16 minutes left: reused', target: 'prod', minutes: 44, cost: { gst: 0, ar: 0, chosen: 0 }, fromCache: true },
  { name: 'prod with 14 minutes left: renewed from the cached parent, no code', target: 'prod', minutes: 46, cost: { gst: 0, ar: 1, chosen: 0 }, fromCache: false },
  { name: 'hop with 5 minutes left is still good enough as a parent', target: 'prod', minutes: 55, cost: { gst: 0, ar: 1, chosen: 0 }, fromCache: false },
  { name: 'hop with 5 minutes left is renewed when it is the target', target: 'hop', minutes: 55, cost: { gst: 0, ar: 1, chosen: 0 }, fromCache: false },
  { name: 'hop with 1 minute left is renewed from the MFA session before prod', target: 'prod', minutes: 59, cost: { gst: 0, ar: 2, chosen: 0 }, fromCache: false },
  { name: 'after 13 hours the MFA session is gone: a new code', target: 'prod', minutes: 13 * 60, cost: { gst: 1, ar: 2, chosen: 1 }, fromCache: false },
];
for (const c of later) {
  test(`second call: ${c.name}`, async () => {
    const f = fakeDeps();
    await run(f, CHAIN, 'prod');
    f.clock.advanceMinutes(c.minutes);
    const keyReads = f.keyReads();
    const { got, cost } = await run(f, CHAIN, c.target);
    assert.deepEqual({ gst: cost.gst, ar: cost.ar, chosen: cost.chosen }, c.cost);
    assert.equal(got.fromCache, c.fromCache);
    assert.equal(f.keyReads() - keyReads, c.cost.gst, 'the keychain is read only to make an MFA session');
    assert.ok(got.credentials.expiration.getTime() - f.clock.ms >= 15 * 60_000, 'the target lasts at least 15 minutes');
  });
}

test('15-minute rule for an MFA session as the target: 14 minutes left costs a new code, 16 do not', async () => {
  for (const [minutes, gst] of [
    [44, 0],
    [46, 1],
  ] as const) {
    const f = fakeDeps();
    await run(f, USER, 'alice', codes('flag', '123456'), { sessionDurationSeconds: 3600 });
    f.clock.advanceMinutes(minutes);
    const { got, cost } = await run(f, USER, 'alice', codes('flag', '123456'), { sessionDurationSeconds: 3600 });
    assert.equal(cost.gst, gst, `${60 - minutes} minutes left`);
    assert.equal(got.fromCache, gst === 0);
  }
});

// A cached parent that STS refuses (revoked, or the clock moved) is forgotten and obtained once more.
const stale: Array<{ name: string; refusal: () => StsError; times: number; error?: RegExp }> = [
  { name: 'refused once as expired: forgotten, a new MFA session, success', refusal: refusals.ExpiredToken, times: 1 },
  { name: 'refused once as unknown: forgotten, a new MFA session, success', refusal: refusals.InvalidClientTokenId, times: 1 },
  { name: 'refused again after the new MFA session: the error stands', refusal: refusals.ExpiredToken, times: 2, error: /^the cached session for profile prod has expired$/ },
];
for (const c of stale) {
  test(`stale parent: ${c.name}`, async () => {
    const f = fakeDeps();
    await run(f, ONE_HOP, 'alice');
    f.sts.failNext('assumeRole', c.refusal, c.times);
    const source = codes('flag', '123456');
    const result = run(f, ONE_HOP, 'prod', source);
    if (c.error) {
      await assert.rejects(result, (e: unknown) => e instanceof MfaLoginError && c.error!.test(e.message) && e.hint === 'forget it with: mfa-login logout prod');
      assert.deepEqual(f.cache.releases, [chainKeys(plan(ONE_HOP, 'prod'), {}).roleKeys[0]]);
    } else {
      const { got, cost } = await result;
      assert.deepEqual(cost, { gst: 1, ar: 2, chosen: 1, asked: 1 });
      assert.equal(got.fromCache, false);
      // The retry used the new MFA session, not the refused one.
      assert.equal(f.sts.assumeRoleCalls[1]!.credentials.accessKeyId, 'ASIAMFA2');
    }
    assert.deepEqual(f.cache.forgotten, ['alice']);
    assert.equal(f.sts.sessionTokenCalls.length, 2);
    assert.equal(f.sts.assumeRoleCalls.length, 2);
    assert.ok(f.debug.includes(`prod: the cached parent session was refused (${c.refusal().code}); getting a new one`));
  });
}

test('stale parent in the middle of a chain: the role session is forgotten and made again from the cached MFA session, no code', async () => {
  const f = fakeDeps();
  await run(f, CHAIN, 'hop');
  f.sts.failNext('assumeRole', refusals.ExpiredToken);
  const { cost } = await run(f, CHAIN, 'prod');
  assert.deepEqual(cost, { gst: 0, ar: 3, chosen: 0, asked: 0 });
  assert.deepEqual(f.cache.forgotten, ['hop']);
});

test('a parent made in this very run that STS refuses is not retried', async () => {
  const f = fakeDeps();
  f.sts.failNext('assumeRole', refusals.ExpiredToken);
  await assert.rejects(run(f, ONE_HOP, 'prod'), { code: 'E_STS', message: 'the cached session for profile prod has expired' });
  assert.deepEqual(f.cache.forgotten, []);
  assert.equal(f.sts.sessionTokenCalls.length, 1);
  assert.equal(f.sts.assumeRoleCalls.length, 1);
});

test('a cached parent refused for another reason (access denied) is kept and the error stands', async () => {
  const f = fakeDeps();
  await run(f, ONE_HOP, 'alice');
  f.sts.failNext('assumeRole', () => stsError(accessDenied('User: arn:aws:sts::111111111111:assumed-role/x/alice is not authorized to perform: sts:AssumeRole')));
  await assert.rejects(run(f, ONE_HOP, 'prod'), { code: 'E_STS_ACCESS_DENIED' });
  assert.deepEqual(f.cache.forgotten, []);
});

test('duration_seconds above 1 h on the first hop: AssumeRole straight from the long-term key with the device and a code', async () => {
  const f = fakeDeps();
  const config = USER + role('prod', 'alice', 'duration_seconds = 7200\n');
  const { got, cost } = await run(f, config, 'prod');
  assert.deepEqual(cost, { gst: 0, ar: 1, chosen: 1, asked: 1 });
  const call = f.sts.assumeRoleCalls[0]!;
  assert.deepEqual([call.credentials, call.serialNumber, call.tokenCode, call.durationSeconds], [ALICE_KEYS, ALICE_MFA, '123456', 7200]);
  assert.equal(got.credentials.expiration.getTime(), f.clock.ms + 7200_000);
  assert.equal(f.cache.entries.get(chainKeys(plan(config, 'prod'), {}).roleKeys[0]!)!.sourceKeyId, ALICE_KEYS.accessKeyId);
  f.clock.advanceMinutes(100);
  assert.deepEqual((await run(f, config, 'prod')).cost, { gst: 0, ar: 0, chosen: 0, asked: 0 });
});

test('duration_seconds above 1 h further down the chain is capped to 1 h (role chaining)', async () => {
  const f = fakeDeps();
  const { got } = await run(f, USER + role('hop', 'alice') + role('prod', 'hop', 'duration_seconds = 7200\n'), 'prod');
  assert.deepEqual(f.sts.assumeRoleCalls.map((c) => c.durationSeconds), [3600, 3600]);
  assert.equal(got.credentials.expiration.getTime(), f.clock.ms + 3600_000);
  assert.ok(f.debug.includes('prod: duration_seconds 7200 capped to 3600: this hop is reached through another role (role chaining)'));
});

test('when GetSessionToken fails, every lease taken on the way is given back, innermost first', async () => {
  const f = fakeDeps();
  const keys = chainKeys(plan(CHAIN, 'prod'), {});
  f.sts.failNext('getSessionToken', refusals.InvalidClientTokenId);
  await assert.rejects(run(f, CHAIN, 'prod'), { code: 'E_STS', message: 'AWS does not recognise the access key AKIAALICE000000001 stored for profile alice' });
  assert.deepEqual(f.cache.releases, [keys.mfaKey, keys.roleKeys[0], keys.roleKeys[1]]);
  assert.deepEqual(f.cache.puts, []);
  // Nothing is left held: the next run takes the leases at once (the in-memory cache fails after 5 s otherwise).
  assert.deepEqual((await run(f, CHAIN, 'prod')).cost, { gst: 1, ar: 2, chosen: 1, asked: 1 });
});

test('when the last AssumeRole fails, only the target lease is given back and the parents stay cached', async () => {
  const f = fakeDeps();
  const keys = chainKeys(plan(CHAIN, 'prod'), {});
  await run(f, CHAIN, 'hop');
  f.sts.failNext('assumeRole', () => stsError(accessDenied('User: arn:aws:sts::111111111111:assumed-role/hop/alice is not authorized to perform: sts:AssumeRole')));
  await assert.rejects(run(f, CHAIN, 'prod'), { code: 'E_STS_ACCESS_DENIED' });
  assert.deepEqual(f.cache.releases, [keys.roleKeys[1]]);
  assert.deepEqual((await run(f, CHAIN, 'prod')).cost, { gst: 0, ar: 1, chosen: 0, asked: 0 });
});

test('two runs at once share one code and one session per step through the leases', async () => {
  const f = fakeDeps();
  const [a, b] = await Promise.all([run(f, CHAIN, 'prod'), run(f, CHAIN, 'prod')]);
  assert.equal(f.sts.sessionTokenCalls.length, 1);
  assert.equal(f.sts.assumeRoleCalls.length, 2);
  assert.equal(a.cost.asked + b.cost.asked, 1);
  assert.equal(a.got.credentials.accessKeyId, b.got.credentials.accessKeyId);
});

const refusedBeforeAsking: Array<{ name: string; config: string; target: string; code: string; message: RegExp }> = [
  { name: 'no mfa_serial', config: '[profile alice]\n' + role('prod', 'alice'), target: 'prod', code: 'E_NO_MFA_SERIAL', message: /^profile alice has no mfa_serial/ },
  { name: 'no keys stored', config: '[profile bob]\nmfa_serial = arn:aws:iam::111111111111:mfa/bob\n' + role('prod', 'bob'), target: 'prod', code: 'E_NO_KEYS', message: /^no keys stored for profile bob in memory$/ },
];
for (const c of refusedBeforeAsking) {
  test(`${c.name}: refused before any code or STS call`, async () => {
    const f = fakeDeps();
    const source = codes('terminal', '123456');
    let chosen = 0;
    const options = {
      codeSource: () => {
        chosen++;
        return source;
      },
    };
    await assert.rejects(runChain(f.deps, plan(c.config, c.target), options), (e: unknown) => e instanceof MfaLoginError && e.code === c.code && c.message.test(e.message));
    assert.deepEqual([chosen, f.sts.sessionTokenCalls.length, f.sts.assumeRoleCalls.length], [0, 0, 0]);
  });
}

// What a session is cached under: a change of anything that changes what STS hands out, at any
// hop, is a new key for that hop and every hop after it; nothing else is.
const KEYED = USER + role('hop', 'alice') + role('prod', 'hop');
/** What changes, the config, the environment, and the first key it must change (every later one changes too). */
const variants: Array<[string, string, Record<string, string>, 'mfa' | 0 | 1]> = [
  ['another MFA device', KEYED.replace('mfa/alice', 'mfa/alice2'), {}, 'mfa'],
  ['another STS endpoint for the IAM user', KEYED.replace('endpoint_url = http://127.0.0.1:1', 'endpoint_url = http://127.0.0.1:2'), {}, 'mfa'],
  ['another STS endpoint from the environment', KEYED.replace(/endpoint_url = \S+\n/, ''), { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:3' }, 'mfa'],
  ['another IAM user profile', KEYED.replace('[profile alice]', '[profile alicia]').replace('source_profile = alice', 'source_profile = alicia'), {}, 'mfa'],
  ['another first role', KEYED.replace('role/hop', 'role/hop2'), {}, 0],
  ['an external id on the first role', USER + role('hop', 'alice', 'external_id = ext-1\n') + role('prod', 'hop'), {}, 0],
  ['a session name on the first role', USER + role('hop', 'alice', 'role_session_name = other\n') + role('prod', 'hop'), {}, 0],
  ['a source identity on the first role', USER + role('hop', 'alice', 'source_identity = alice\n') + role('prod', 'hop'), {}, 0],
  ['a duration on the first role', USER + role('hop', 'alice', 'duration_seconds = 1800\n') + role('prod', 'hop'), {}, 0],
  ['another target role', KEYED.replace('role/prod', 'role/prod2'), {}, 1],
  ['an external id on the target', USER + role('hop', 'alice') + role('prod', 'hop', 'external_id = ext-1\n'), {}, 1],
  ['a duration on the target', USER + role('hop', 'alice') + role('prod', 'hop', 'duration_seconds = 1800\n'), {}, 1],
  ['session tags on the first role', USER + role('hop', 'alice', 'session_tags = team=blue\n') + role('prod', 'hop'), {}, 0],
  ['session tags on the target', USER + role('hop', 'alice') + role('prod', 'hop', 'session_tags = team=blue\n'), {}, 1],
  ['another tag value on the target', USER + role('hop', 'alice') + role('prod', 'hop', 'session_tags = team=green\n'), {}, 1],
  ['a transitive tag on the first role', USER + role('hop', 'alice', 'session_tags = team=blue\ntransitive_session_tags = team\n') + role('prod', 'hop'), {}, 0],
  ['a session policy on the target', USER + role('hop', 'alice') + role('prod', 'hop', 'policy_arns = arn:aws:iam::aws:policy/ReadOnlyAccess\n'), {}, 1],
  ['a scope given on the command line', KEYED, {}, 1],
];

test('cache keys: the same chain gives the same keys; each change of a session gives new ones from its hop on', () => {
  const base = chainKeys(plan(KEYED, 'prod'), {});
  const list = (k: ReturnType<typeof chainKeys>) => [k.mfaKey, ...k.roleKeys];
  assert.deepEqual(chainKeys(plan(KEYED, 'prod'), {}), base, 'keys are stable');
  // Settings that change no session: a region for tools, an output format.
  assert.deepEqual(list(chainKeys(plan(KEYED.replace('[profile prod]', '[profile prod]\nregion = eu-west-1\noutput = json'), 'prod'), {})), list(base));
  const seen = new Set(list(base));
  for (const [what, config, env, from] of variants) {
    const planned = what === 'a scope given on the command line' ? withScope(plan(config, 'prod'), { policy: '{"Statement":[]}' }) : plan(config, 'prod');
    const keys = list(chainKeys(planned, env));
    const first = from === 'mfa' ? 0 : from + 1;
    assert.deepEqual(keys.slice(0, first), list(base).slice(0, first), `${what}: the keys before its hop stay`);
    for (const key of keys.slice(first)) {
      assert.ok(!seen.has(key), `${what}: a key was reused`);
      seen.add(key);
    }
  }
});

test('cache keys of hops without session tags or policies are those of earlier versions: sessions cached then are still found', () => {
  assert.deepEqual(chainKeys(plan(USER + role('hop', 'alice') + role('prod', 'hop', 'external_id = ext-1\n'), 'prod'), {}).roleKeys, [
    '["role","8bEVIGY6Wi3zcB57xHcPU9ueOPEUmeE00F01Q47Hr9I","arn:aws:iam::222222222222:role/hop",null,"alice",null,null]',
    '["role","ACPBkY3k_uSkrSlVUZAwlohm799YFUvBaxmPHvVS6so","arn:aws:iam::222222222222:role/prod","ext-1","alice",null,null]',
  ]);
});

test('session tags and policies go with AssumeRole of their own hop only; a changed tag is a new AssumeRole, the unchanged chain comes from the cache', async () => {
  const tagged = USER + role('hop', 'alice', 'session_tags = team=blue, cost-center = 42\ntransitive_session_tags = team\n') + role('prod', 'hop', 'policy_arns = arn:aws:iam::aws:policy/ReadOnlyAccess\n');
  const f = fakeDeps();
  await run(f, tagged, 'prod');
  const [toHop, toProd] = f.sts.assumeRoleCalls;
  assert.deepEqual([toHop!.tags, toHop!.transitiveTagKeys, toHop!.policyArns, toHop!.policy], [[{ key: 'team', value: 'blue' }, { key: 'cost-center', value: '42' }], ['team'], undefined, undefined]);
  assert.deepEqual([toProd!.tags, toProd!.transitiveTagKeys, toProd!.policyArns], [undefined, undefined, ['arn:aws:iam::aws:policy/ReadOnlyAccess']]);
  assert.equal('tags' in toProd!, false, 'a hop without tags sends no Tags at all');
  assert.deepEqual((await run(f, tagged, 'prod')).cost, { gst: 0, ar: 0, chosen: 0, asked: 0 }, 'the same tags: all from the cache');
  assert.deepEqual((await run(f, tagged.replace('team=blue', 'team=green'), 'prod')).cost, { gst: 0, ar: 2, chosen: 0, asked: 0 }, 'a changed tag: both hops again, the MFA session from the cache');
  const scoped = withScope(plan(tagged, 'prod'), { policy: '{"Statement":[]}' });
  const before = f.sts.assumeRoleCalls.length;
  await runChain(f.deps, scoped, { codeSource: () => codes('flag') });
  assert.deepEqual(f.sts.assumeRoleCalls.slice(before).map((c) => [c.roleArn, c.policy, c.policyArns]), [['arn:aws:iam::222222222222:role/prod', '{"Statement":[]}', ['arn:aws:iam::aws:policy/ReadOnlyAccess']]], 'a command-line scope: only the target again');
});

test('cache keys stay the same size at any depth of a chain', () => {
  const config = USER + role('r1', 'alice') + Array.from({ length: 63 }, (_, i) => role(`r${i + 2}`, `r${i + 1}`)).join('');
  const keys = chainKeys(plan(config, 'r64'), {});
  assert.equal(keys.roleKeys.length, 64);
  const lengths = keys.roleKeys.map((k) => k.length);
  assert.ok(Math.max(...lengths) - Math.min(...lengths) <= 2, `role keys of ${Math.min(...lengths)} to ${Math.max(...lengths)} characters`);
  assert.ok(Math.max(...lengths) < 300);
});
