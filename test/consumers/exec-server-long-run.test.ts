/**
 * A run longer than the role session: the local STS issues role sessions of a few seconds (in
 * place of role chaining's hour) and the 15-minute margin shrinks to match (test-only settings).
 * A consumer, the AWS SDK for JavaScript v3's default chain, calls STS through `exec --server`
 * for more than three role lifetimes. Every call must succeed, with one code in all, and the number
 * of AssumeRole calls must be what the lifetimes predict, computed from the times actually seen
 * so that a slow machine changes the expectation instead of breaking the test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MFA_LOGIN, ROOT, Sandbox, runCommand, user, type TestUser } from '../e2e/harness.js';
import { codeWithTime, ASSUMED_ROLE, ROLE_ARN } from './kit.js';

/** Role sessions last this long here (AWS: at most an hour when chained). */
const ROLE_SECONDS = 8;
/** Handed out only with this much left (in real use 15 minutes). */
const MARGIN_SECONDS = 4;
/** How long the consumer keeps calling: more than three role lifetimes. */
const RUN_MS = 3.5 * ROLE_SECONDS * 1000;

let sb: Sandbox;
let alice: TestUser;

before(async () => {
  alice = user('alice');
  sb = await new Sandbox([alice]).start({ roles: [{ roleArn: ROLE_ARN, requireMfa: true }], roleSessionSecondsCap: ROLE_SECONDS });
  await sb.add('alice', alice);
  sb.write('.aws/config', `${sb.read('.aws/config') ?? ''}[profile prod]\nrole_arn = ${ROLE_ARN}\nsource_profile = alice\nregion = eu-west-1\n`);
});
after(async () => sb?.stop());

// Calls GetCallerIdentity every 500 ms for RUN_MS, one JSON line per call with its start and end.
const CONSUMER = `
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const sts = new STSClient({ endpoint: process.env.LOCAL_STS_URL, credentials: fromNodeProviderChain() });
const end = Date.now() + Number(process.env.RUN_MS);
while (Date.now() < end) {
  const start = Date.now();
  let line;
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    line = { start, end: Date.now(), arn: id.Arn };
  } catch (e) {
    line = { start, end: Date.now(), error: String(e && e.message) };
  }
  process.stdout.write(JSON.stringify(line) + '\\n');
  await new Promise((r) => setTimeout(r, 500));
}`;

interface Call {
  start: number;
  end: number;
  arn?: string;
  error?: string;
}

/**
 * The fewest role sessions that could have served these calls. A session is handed out from its
 * issue until MARGIN before its end, a window of at most ROLE - MARGIN seconds, and each call got
 * its credentials somewhere between its start and its end: greedy interval stabbing.
 */
function fewestSessions(calls: Call[]): number {
  const windowMs = (ROLE_SECONDS - MARGIN_SECONDS) * 1000;
  const byEnd = [...calls].sort((a, b) => a.end - b.end);
  let n = 0;
  let coveredUntil = -Infinity;
  for (const c of byEnd) {
    if (c.start > coveredUntil) {
      n++;
      coveredUntil = c.end + windowMs;
    }
  }
  return n;
}

test('a consumer calling for more than three role lifetimes: every call succeeds, one code, the predicted renewals', async (t) => {
  const code = await codeWithTime(sb, alice);
  const t0 = Date.now();
  const r = await runCommand(process.execPath, [MFA_LOGIN, 'exec', '--server', 'prod', '--mfa-token', code, '--', process.execPath, '--input-type=module', '-e', CONSUMER], sb.env({
    LOCAL_STS_URL: sb.sts.url,
    RUN_MS: String(RUN_MS),
    MFA_LOGIN_TEST_MIN_VALIDITY_SECONDS: String(MARGIN_SECONDS),
  }), { cwd: ROOT });
  const elapsedMs = Date.now() - t0;
  assert.equal(r.status, 0, r.stderr);
  const calls = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Call);
  const failed = calls.filter((c) => c.error !== undefined);
  assert.deepEqual(failed, [], 'every call succeeded');
  for (const c of calls) assert.match(c.arn!, ASSUMED_ROLE);
  const span = calls[calls.length - 1]!.end - calls[0]!.start;
  assert.ok(span > 3 * ROLE_SECONDS * 1000, `the calls span ${span} ms: more than three role lifetimes`);

  assert.equal(sb.sts.calls.GetSessionToken, 1, 'one code in all');
  const assumed = sb.sts.calls.AssumeRole ?? 0;
  // STS expirations are whole seconds, so a session can start with up to 1 s less than ROLE; it is
  // renewed only once it has less than MARGIN left: renewals are at least ROLE - 1 - MARGIN apart.
  const most = 1 + Math.floor(elapsedMs / ((ROLE_SECONDS - 1 - MARGIN_SECONDS) * 1000));
  const least = fewestSessions(calls);
  t.diagnostic(`${calls.length} calls over ${span} ms; AssumeRole ${assumed} (predicted ${least} to ${most}); GetSessionToken ${sb.sts.calls.GetSessionToken}`);
  assert.ok(least >= 3, `the calls needed at least ${least} role sessions`);
  assert.ok(assumed >= least && assumed <= most, `AssumeRole ${assumed} times; the lifetimes predict ${least} to ${most} over ${elapsedMs} ms and ${calls.length} calls`);
});
