import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, MfaLoginError } from '../../src/errors.js';
import { explainStsError, notAnsweredByAws, type CallContext } from '../../src/providers/sts-errors.js';
import { StsError } from '../../src/sts/sts.js';

const ENDPOINT = 'https://sts.eu-west-1.amazonaws.com';
const refusal = (code: string, message: string, serverDate?: Date, endpoint = ENDPOINT) => new StsError(code, message, 403, serverDate, endpoint);
const ROLE = 'arn:aws:iam::222222222222:role/admin';
const SERIAL = 'arn:aws:iam::111111111111:mfa/alice';
const token: CallContext = { action: 'GetSessionToken', profile: 'alice', serial: SERIAL, accessKeyId: 'AKIAALICE', configFile: '~/.aws/config' };
const assume: CallContext = { action: 'AssumeRole', profile: 'prod', roleArn: ROLE, serial: SERIAL, accessKeyId: 'AKIAALICE' };
const add: CallContext = { action: 'GetCallerIdentity', profile: 'alice', accessKeyId: 'AKIANEW', keysJustGiven: true };

function explained(e: StsError, ctx: CallContext): MfaLoginError {
  const out = explainStsError(e, ctx);
  assert.ok(out instanceof MfaLoginError, `not explained: ${String(out)}`);
  return out;
}

/** Each refusal AWS gives, in the user's words, with the exit status scripts branch on and the next step. */
const CASES: Array<[why: string, error: StsError, ctx: CallContext, code: string, status: number, message: RegExp, hint: RegExp | undefined]> = [
  ['a wrong code for the IAM user: resync is offered', refusal('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'), token, 'E_MFA_REJECTED', EXIT.mfa,
    /^STS refused the MFA code for arn:aws:iam::111111111111:mfa\/alice \(profile alice\): a wrong code/, /check mfa_serial in ~\/\.aws\/config, or resync the device: mfa-login mfa resync alice$/],
  ['a wrong code for a role: no resync, the role profile is not the device owner', refusal('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'), assume, 'E_MFA_REJECTED', EXIT.mfa,
    /profile prod\): a wrong code/, /check mfa_serial in the config file$/],
  ['a malformed code', refusal('ValidationError', "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint"), token, 'E_MFA_CODE', EXIT.mfa,
    /^STS refused the code as malformed: it must be 6 digits$/, undefined],
  ['a chained role asked for more than an hour', refusal('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'), assume, 'E_STS', EXIT.sts,
    /^arn:aws:iam::222222222222:role\/admin cannot be assumed for longer than 1 hour through another role \(profile prod\)$/, /duration_seconds to 3600/],
  ['a duration past the role\'s maximum', refusal('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'), assume, 'E_STS', EXIT.sts,
    /^STS refused the requested duration for arn:aws:iam::222222222222:role\/admin \(profile prod\): The requested/, /maximum session duration in IAM/],
  ['keys just given to add that AWS does not know: nothing stored', refusal('InvalidClientTokenId', 'The security token included in the request is invalid.'), add, 'E_STS', EXIT.sts,
    /^AWS does not recognise the access key AKIANEW you gave; nothing was stored$/, /IAM console/],
  ['a secret just given to add that does not match', refusal('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), add, 'E_STS', EXIT.sts,
    /^the secret key you gave does not match access key AKIANEW; nothing was stored$/, /IAM console/],
  ['stored keys AWS does not know', refusal('InvalidClientTokenId', 'The security token included in the request is invalid.'), token, 'E_STS', EXIT.sts,
    /^AWS does not recognise the access key AKIAALICE stored for profile alice$/, /^store the current keys with: mfa-login add alice$/],
  ['a stored secret that does not match its key', refusal('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), token, 'E_STS', EXIT.sts,
    /^the secret key stored for profile alice does not match its access key AKIAALICE$/, /^store the current keys with: mfa-login add alice$/],
  ['a signature refused for the clock', refusal('SignatureDoesNotMatch', 'Signature expired: 20250101T000000Z is now earlier than 20250101T001000Z'), token, 'E_STS', EXIT.sts,
    /^STS refused the request because this computer's clock is off$/, /timedatectl set-ntp true/],
  ['a role whose trust policy refuses the caller', refusal('AccessDenied', `User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`), assume, 'E_STS_ACCESS_DENIED', EXIT.sts,
    /^arn:aws:iam::111111111111:user\/alice may not assume arn:aws:iam::222222222222:role\/admin \(profile prod\): the role's trust policy/, /trust policy, and mfa_serial \/ external_id/],
  ['an expired session', refusal('ExpiredToken', 'The security token included in the request is expired'), assume, 'E_STS', EXIT.sts,
    /^the cached session for profile prod has expired$/, /^forget it with: mfa-login logout prod$/],
  ['anything else: the action, the code and AWS\'s own words', refusal('Throttling', 'Rate exceeded'), token, 'E_STS', EXIT.sts,
    /^STS refused GetSessionToken for profile alice: Throttling: Rate exceeded$/, undefined],
  ['nothing answered', new StsError('NetworkError', 'connect ECONNREFUSED 127.0.0.1:9', undefined, undefined, 'http://127.0.0.1:9'), token, 'E_STS_UNREACHABLE', EXIT.sts,
    /^cannot reach STS at http:\/\/127\.0\.0\.1:9 \(connect ECONNREFUSED 127\.0\.0\.1:9\)$/, /endpoint_url \/ AWS_ENDPOINT_URL_STS \/ AWS_ENDPOINT_URL$/],
  ['AWS\'s own host answered with a page: a proxy', new StsError('NotAwsResponse', 'STS answered with an HTML page', 200, undefined, ENDPOINT), token, 'E_STS_UNREACHABLE', EXIT.sts,
    /^STS answered with an HTML page$/, /proxy, firewall or captive portal/],
  ['another server answered at endpoint_url', new StsError('NotAwsResponse', 'not STS', 200, undefined, 'http://localhost:8080'), token, 'E_STS_UNREACHABLE', EXIT.sts,
    /^not STS$/, /^http:\/\/localhost:8080 does not answer as STS does: check endpoint_url/],
];

for (const [why, error, ctx, code, status, message, hint] of CASES) {
  test(`explainStsError: ${why}`, () => {
    const e = explained(error, ctx);
    assert.equal(e.code, code);
    assert.equal(e.exitStatus, status);
    assert.match(e.message, message);
    if (hint === undefined) assert.equal(e.hint, undefined);
    else assert.match(e.hint ?? '', hint);
    assert.equal(e.cause, error, 'the STS error is kept for --debug');
  });
}

test('explainStsError: a refused code with the clock far off says by how much, and which way', () => {
  const aheadBy = 120;
  const serverDate = new Date(Date.now() - aheadBy * 1000);
  const e = explained(refusal('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.', serverDate), token);
  assert.equal(e.code, 'E_MFA_REJECTED');
  assert.match(e.message, /this computer's clock is 1[12]\ds ahead of AWS: codes depend on the time$/);
  assert.match(e.hint ?? '', /timedatectl set-ntp true/);
  // Within 30 seconds the code itself is the likelier fault.
  const near = explained(refusal('AccessDenied', 'MultiFactorAuthentication failed', new Date(Date.now() + 5000)), token);
  assert.match(near.message, /a wrong code/);
});

test('explainStsError: a skewed signature says the skew when the server gave its date', () => {
  const e = explained(refusal('RequestExpired', 'Request has expired.', new Date(Date.now() + 600_000)), token);
  assert.match(e.message, /clock is off by about (59\d|600)s \(behind AWS\)$/);
});

test('explainStsError: what is not an STS error passes through unchanged', () => {
  const bug = new TypeError('x is undefined');
  assert.equal(explainStsError(bug, token), bug);
});

test('notAnsweredByAws: an answer from AWS is a refusal, not "unreachable"', () => {
  assert.equal(notAnsweredByAws(refusal('AccessDenied', 'no'), 'IAM'), undefined);
  assert.match(notAnsweredByAws(new StsError('NetworkError', 'timeout', undefined, undefined, 'https://iam.amazonaws.com'), 'IAM')!.hint ?? '', /AWS_ENDPOINT_URL_IAM/);
});
