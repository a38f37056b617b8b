/**
 * One test per row of src/aws-stand-in/aws-rules.ts: each asks the local STS, through the AWS SDK's
 * own clients, for what AWS refuses and checks the refusal word for word (and, where there is
 * one, the neighbouring call AWS allows), so that taking a rule out of the local STS fails its
 * test. Rows the local STS cannot hold name a product test instead, which must exist.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ResyncMFADeviceCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  type AssumeRoleCommandInput,
  type GetSessionTokenCommandInput,
} from '@aws-sdk/client-sts';
import { AWS_RULES, renderRules } from '../../src/aws-stand-in/aws-rules.js';
import { DEFAULT_NEW_KEY_DELAY_MS } from '../../src/aws-stand-in/state.js';
import { totp } from '../../src/mfa/totp.js';
import type { LocalStsUser } from '../../src/aws-stand-in/types.js';
import {
  ADMIN,
  ALICE,
  ALICE_SEED,
  ALICE_SERIAL,
  aliceKeys,
  AUDITOR,
  BOB,
  BOB_ONLY,
  bobKeys,
  CAROL,
  carolKeys,
  DEPLOY,
  GOV_ROLE,
  keysOf,
  PARTNER,
  READ_ONLY,
  ROLES,
  startHarness,
  type Harness,
  type Keys,
} from './harness.js';

const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const user = (name: string, extra: Partial<LocalStsUser> = {}): LocalStsUser => {
  const tag = name.toUpperCase().padEnd(12, 'X');
  return {
    userName: name,
    accountId: '111111111111',
    accessKeyId: `AKIA${tag}0001`,
    secretAccessKey: `${name}/Secret+${'0'.repeat(40)}`.slice(0, 40),
    mfaDevices: [{ serial: `arn:aws:iam::111111111111:mfa/${name}`, seed: `GEZDGNBV${tag.replace(/[^A-Z2-7]/g, 'A')}` }],
    ...extra,
  };
};
const keysOfUser = (u: LocalStsUser): Keys => ({ accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey });

/** IAM self-service users, one per check that changes IAM, so that checks do not see each other's keys. */
const ERIN = user('erin');
const FRANK = user('frank');
const GINA = user('gina', { mfaDevices: [] });
/** No MFA policy attached: long-term keys reach all of IAM. */
const LAX = user('lax', { mfaPolicy: false });
const ROOT: LocalStsUser = {
  userName: 'root',
  root: true,
  accountId: '555555555555',
  accessKeyId: 'AKIAROOTEXAMPLE00005',
  secretAccessKey: 'r00t/Secret+r00t/Secret+r00t/Secret+r00',
  mfaDevices: [{ serial: 'arn:aws:iam::555555555555:mfa/root-account-mfa-device', seed: 'GEZDGNBVROOTAAAAGEZDGNBV' }],
};
/** Trusts the ReadOnly role's sessions, but its trust policy does not allow sts:SetSourceIdentity. */
const NO_SOURCE_IDENTITY = 'arn:aws:iam::222222222222:role/NoSourceIdentity';
/** Trust policies that allow sts:TagSession: one for anyone, one for sessions of the first. */
const TAGGED = 'arn:aws:iam::222222222222:role/Tagged';
const TAGGED_NEXT = 'arn:aws:iam::222222222222:role/TaggedNext';
/** Trusts Tagged's sessions, without sts:TagSession. */
const NO_TAG_SESSION = 'arn:aws:iam::222222222222:role/NoTagSession';
const tagsOf = (n: number, key = (i: number) => `k${i}`, value = (i: number) => `v${i}`) => Array.from({ length: n }, (_, i) => ({ Key: key(i), Value: value(i) }));
/** Text that does not compress, as long as asked: hex of a hash chain. */
const noise = (seed: string, length: number) => {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}/${i}`).digest('hex');
  return out.slice(0, length);
};
const TAG_PATTERN = 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
const invalidParameter = (message: string) => ({ name: 'InvalidParameterValue', message });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

const denied = (caller: string, role: string) => ({ name: 'AccessDenied', message: `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}` });
const GST_MFA_FAILED = { name: 'AccessDenied', message: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.' };
const AR_MFA_FAILED = { name: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.' };
const INVALID_TOKEN = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
const NO_USER_NAME = { name: 'ValidationError', message: 'Must specify userName when calling with non-User credentials' };
const validation = (member: string, value: string, constraint: string) => ({
  name: 'ValidationError',
  message: `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
});

let h: Harness;

/** The whole-second time STS stamps on what it issues, plus `seconds`. */
const expiresIn = (seconds: number) => Math.floor(h.clock.ms / 1000) * 1000 + seconds * 1000;
/** A code of `seed` that nobody has used: the shared clock moves to the next 30-second step. */
const freshCode = (seed: string) => {
  h.clock.ms += 30_000;
  return totp(seed, h.clock.ms);
};
const seedOf = (u: LocalStsUser) => u.mfaDevices![0]!.seed;
const serialOf = (u: LocalStsUser) => u.mfaDevices![0]!.serial;

const gst = (keys: Keys, input: GetSessionTokenCommandInput = {}, region?: string) =>
  h.stsClient(keys, region ? { region } : {}).send(new GetSessionTokenCommand(input));
const mfaSession = async (u: LocalStsUser = ALICE) => keysOf((await gst(keysOfUser(u), { SerialNumber: serialOf(u), TokenCode: freshCode(seedOf(u)) })).Credentials);
const plainSession = async (u: LocalStsUser = ALICE) => keysOf((await gst(keysOfUser(u))).Credentials);
const assume = (keys: Keys, input: Partial<AssumeRoleCommandInput>, region?: string) =>
  h.stsClient(keys, region ? { region } : {}).send(new AssumeRoleCommand({ RoleArn: READ_ONLY, RoleSessionName: 'rules', ...input }));
const roleKeys = async (keys: Keys, input: Partial<AssumeRoleCommandInput> = {}) => keysOf((await assume(keys, input)).Credentials);
const whoAmI = async (keys: Keys, region?: string) => (await h.stsClient(keys, region ? { region } : {}).send(new GetCallerIdentityCommand({}))).Arn;

/** getSigninToken at the local federation endpoint: the HTTP status and the body. */
async function signinToken(keys: Keys, sessionDuration?: number): Promise<{ status: number; body: string }> {
  const session = encodeURIComponent(JSON.stringify({ sessionId: keys.accessKeyId, sessionKey: keys.secretAccessKey, sessionToken: keys.sessionToken }));
  const res = await fetch(`${h.sts.url}/federation?Action=getSigninToken&Session=${session}${sessionDuration !== undefined ? `&SessionDuration=${sessionDuration}` : ''}`);
  return { status: res.status, body: await res.text() };
}

const CHECKS: Record<string, () => Promise<void>> = {
  async 'gst-duration-user'() {
    const out = await gst(aliceKeys);
    assert.equal(out.Credentials!.Expiration!.getTime(), expiresIn(43200), 'default 12 hours');
    assert.equal((await gst(aliceKeys, { DurationSeconds: 129600 })).Credentials!.Expiration!.getTime(), expiresIn(129600));
    await assert.rejects(gst(aliceKeys, { DurationSeconds: 899 }), validation('durationSeconds', '899', 'Member must have value greater than or equal to 900'));
    await assert.rejects(gst(aliceKeys, { DurationSeconds: 129601 }), validation('durationSeconds', '129601', 'Member must have value less than or equal to 129600'));
  },

  async 'gst-duration-root'() {
    const root = keysOfUser(ROOT);
    assert.equal((await gst(root, { DurationSeconds: 7200 })).Credentials!.Expiration!.getTime(), expiresIn(3600), 'two hours asked, one given');
    assert.equal((await gst(root)).Credentials!.Expiration!.getTime(), expiresIn(3600), 'the default is one hour too');
    assert.equal((await gst(root, { DurationSeconds: 900 })).Credentials!.Expiration!.getTime(), expiresIn(900));
    assert.equal(await whoAmI(root), 'arn:aws:iam::555555555555:root');
  },

  async 'gst-long-term-only'() {
    const message = 'Cannot call GetSessionToken with session credentials';
    await assert.rejects(gst(await plainSession()), { name: 'AccessDenied', message });
    await assert.rejects(gst(await roleKeys(aliceKeys)), { name: 'AccessDenied', message });
  },

  async 'gst-mfa-failed'() {
    const code = freshCode(ALICE_SEED);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: wrong }), GST_MFA_FAILED);
    await assert.rejects(gst(bobKeys, { SerialNumber: ALICE_SERIAL, TokenCode: code }), GST_MFA_FAILED, 'not bob\'s device');
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL }), GST_MFA_FAILED, 'a serial without a code');
    await gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: code });
  },

  async 'gst-no-iam-without-mfa'() {
    await assert.rejects(h.iamClient(await plainSession()).send(new ListMFADevicesCommand({ UserName: 'alice' })), INVALID_TOKEN);
    const out = await h.iamClient(await mfaSession()).send(new ListMFADevicesCommand({ UserName: 'alice' }));
    assert.equal(out.MFADevices![0]!.SerialNumber, ALICE_SERIAL);
  },

  async 'gst-sts-limits'() {
    const session = await mfaSession();
    await assert.rejects(h.stsClient(session).send(new GetFederationTokenCommand({ Name: 'alice' })), { name: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
    assert.equal(await whoAmI(session), 'arn:aws:iam::111111111111:user/alice');
    await assume(session, {});
  },

  async 'gft-long-term-only'() {
    const out = await h.stsClient(bobKeys).send(new GetFederationTokenCommand({ Name: 'bob-proxy', DurationSeconds: 900 }));
    assert.equal(out.FederatedUser!.Arn, 'arn:aws:sts::111111111111:federated-user/bob-proxy');
    assert.equal(out.Credentials!.Expiration!.getTime(), expiresIn(900));
    const refused = { name: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' };
    await assert.rejects(h.stsClient(await roleKeys(bobKeys)).send(new GetFederationTokenCommand({ Name: 'bob-proxy' })), refused);
    await assert.rejects(h.stsClient(keysOf(out.Credentials)).send(new GetFederationTokenCommand({ Name: 'bob-proxy' })), refused);
    await assert.rejects(h.stsClient(bobKeys).send(new GetFederationTokenCommand({ Name: 'b' })), validation('name', 'b', 'Member must have length greater than or equal to 2'));
    await assert.rejects(h.stsClient(bobKeys).send(new GetFederationTokenCommand({ Name: 'bob', DurationSeconds: 129601 })), validation('durationSeconds', '129601', 'Member must have value less than or equal to 129600'));
  },

  async 'gft-limits'() {
    const federated = keysOf((await h.stsClient(bobKeys).send(new GetFederationTokenCommand({ Name: 'bob-proxy' }))).Credentials);
    assert.equal(await whoAmI(federated), 'arn:aws:sts::111111111111:federated-user/bob-proxy');
    await assert.rejects(h.iamClient(federated).send(new GetUserCommand({ UserName: 'bob' })), INVALID_TOKEN);
    await assert.rejects(assume(federated, {}), denied('arn:aws:sts::111111111111:federated-user/bob-proxy', READ_ONLY));
  },

  async 'ar-duration-role-max'() {
    assert.equal((await assume(aliceKeys, {})).Credentials!.Expiration!.getTime(), expiresIn(3600), 'default one hour');
    await assert.rejects(assume(aliceKeys, { DurationSeconds: 3601 }), { name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
    const admin = await assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: freshCode(ALICE_SEED), DurationSeconds: 43200 });
    assert.equal(admin.Credentials!.Expiration!.getTime(), expiresIn(43200), 'up to the role\'s own maximum');
    await assert.rejects(assume(aliceKeys, { DurationSeconds: 899 }), validation('durationSeconds', '899', 'Member must have value greater than or equal to 900'));
  },

  async 'ar-chaining-1h'() {
    const role = await roleKeys(aliceKeys);
    await assert.rejects(assume(role, { RoleArn: DEPLOY, DurationSeconds: 3601 }), { name: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
    assert.equal((await assume(role, { RoleArn: DEPLOY, DurationSeconds: 3600 })).Credentials!.Expiration!.getTime(), expiresIn(3600));
  },

  async 'ar-gst-session-is-chaining'() {
    await assert.rejects(assume(await mfaSession(), { RoleArn: ADMIN, DurationSeconds: 7200 }), { name: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
    const direct = await assume(aliceKeys, { RoleArn: ADMIN, DurationSeconds: 7200, SerialNumber: ALICE_SERIAL, TokenCode: freshCode(ALICE_SEED) });
    assert.equal(direct.Credentials!.Expiration!.getTime(), expiresIn(7200), 'from the long-term key with a code, the role\'s maximum applies');
  },

  async 'ar-mfa-condition'() {
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN }), denied('arn:aws:iam::111111111111:user/alice', ADMIN));
    await assert.rejects(assume(await plainSession(), { RoleArn: ADMIN }), denied('arn:aws:iam::111111111111:user/alice', ADMIN));
    const admin = await roleKeys(await mfaSession(), { RoleArn: ADMIN });
    await assume(admin, { RoleArn: ADMIN, RoleSessionName: 'again' });
    await assert.rejects(assume(await roleKeys(aliceKeys), { RoleArn: ADMIN }), denied('arn:aws:sts::222222222222:assumed-role/ReadOnly/rules', ADMIN), 'a role assumed without MFA passes none on');
  },

  async 'ar-mfa-failed'() {
    const code = freshCode(ALICE_SEED);
    await assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: code });
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: code }), AR_MFA_FAILED);
    const wrong = String((Number(freshCode(ALICE_SEED)) + 500_000) % 1_000_000).padStart(6, '0');
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: wrong }), AR_MFA_FAILED);
  },

  async 'ar-same-denial'() {
    const me = 'arn:aws:iam::111111111111:user/alice';
    const missing = 'arn:aws:iam::222222222222:role/Missing';
    await assert.rejects(assume(aliceKeys, { RoleArn: missing }), denied(me, missing));
    await assert.rejects(assume(aliceKeys, { RoleArn: BOB_ONLY }), denied(me, BOB_ONLY));
    await assert.rejects(assume(aliceKeys, { RoleArn: PARTNER }), denied(me, PARTNER));
    await assert.rejects(assume(aliceKeys, { RoleArn: PARTNER, ExternalId: 'partner-43' }), denied(me, PARTNER));
    await assume(bobKeys, { RoleArn: BOB_ONLY });
  },

  async 'ar-root-refused'() {
    const message = 'Roles may not be assumed by root accounts.';
    await assert.rejects(assume(keysOfUser(ROOT), {}), { name: 'AccessDenied', message });
    await assert.rejects(assume(keysOf((await gst(keysOfUser(ROOT))).Credentials), {}), { name: 'AccessDenied', message });
  },

  async 'ar-session-name'() {
    await assert.rejects(assume(aliceKeys, { RoleSessionName: 'a' }), validation('roleSessionName', 'a', 'Member must have length greater than or equal to 2'));
    await assert.rejects(assume(aliceKeys, { RoleSessionName: 'alice smith' }), validation('roleSessionName', 'alice smith', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'));
    await assert.rejects(assume(aliceKeys, { RoleSessionName: 'a'.repeat(65) }), validation('roleSessionName', 'a'.repeat(65), 'Member must have length less than or equal to 64'));
    await assert.rejects(assume(aliceKeys, { RoleSessionName: undefined as unknown as string }), { name: 'ValidationError', message: "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null" });
    await assume(aliceKeys, { RoleSessionName: 'alice@example.com' });
  },

  async 'ar-external-id'() {
    await assert.rejects(assume(aliceKeys, { RoleArn: PARTNER, ExternalId: 'x' }), validation('externalId', 'x', 'Member must have length greater than or equal to 2'));
    await assert.rejects(assume(aliceKeys, { RoleArn: PARTNER, ExternalId: 'partner 42' }), validation('externalId', 'partner 42', 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*'));
    await assume(aliceKeys, { RoleArn: PARTNER, ExternalId: 'partner-42' });
  },

  async 'ar-serial-number'() {
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: 'GAHT1234', TokenCode: '123456' }), validation('serialNumber', 'GAHT1234', 'Member must have length greater than or equal to 9'));
    await assert.rejects(gst(aliceKeys, { SerialNumber: 'arn:aws:iam::111111111111:mfa/al ice', TokenCode: '123456' }), validation('serialNumber', 'arn:aws:iam::111111111111:mfa/al ice', 'Member must satisfy regular expression pattern: [\\w+=/:,.@-]*'));
  },

  async 'ar-token-code'() {
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: '12a' }), validation('tokenCode', '12a', 'Member must satisfy regular expression pattern: [\\d]*'));
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: '12345' }), validation('tokenCode', '12345', 'Member must have length greater than or equal to 6'));
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: '1234567' }), validation('tokenCode', '1234567', 'Member must have length less than or equal to 6'));
  },

  async 'ar-source-identity-pattern'() {
    await assert.rejects(assume(aliceKeys, { SourceIdentity: 'a' }), validation('sourceIdentity', 'a', 'Member must have length greater than or equal to 2'));
    await assert.rejects(assume(aliceKeys, { SourceIdentity: 'aws:alice' }), validation('sourceIdentity', 'aws:alice', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'));
    assert.equal((await assume(aliceKeys, { SourceIdentity: 'alice@example.com' })).SourceIdentity, 'alice@example.com');
  },

  async 'ar-source-identity-sticky'() {
    const first = await roleKeys(aliceKeys, { SourceIdentity: 'alice' });
    assert.equal((await assume(first, { RoleArn: DEPLOY, RoleSessionName: 'ci' })).SourceIdentity, 'alice', 'carried down the chain');
    await assert.rejects(assume(first, { RoleArn: DEPLOY, RoleSessionName: 'ci', SourceIdentity: 'mallory' }), denied('arn:aws:sts::222222222222:assumed-role/ReadOnly/rules', DEPLOY));
  },

  async 'ar-source-identity-trust'() {
    await assert.rejects(assume(aliceKeys, { RoleArn: AUDITOR, SourceIdentity: 'alice' }), denied('arn:aws:iam::111111111111:user/alice', AUDITOR));
    await assume(aliceKeys, { RoleArn: AUDITOR });
    const withIdentity = await roleKeys(aliceKeys, { SourceIdentity: 'alice' });
    await assert.rejects(assume(withIdentity, { RoleArn: NO_SOURCE_IDENTITY }), denied('arn:aws:sts::222222222222:assumed-role/ReadOnly/rules', NO_SOURCE_IDENTITY), 'carrying one in needs the permission too');
    await assume(await roleKeys(aliceKeys), { RoleArn: NO_SOURCE_IDENTITY });
  },

  async 'ar-tags-limits'() {
    await assume(aliceKeys, { RoleArn: TAGGED, Tags: tagsOf(50) });
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: tagsOf(51) }), {
      name: 'ValidationError',
      message: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    });
    await assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }, { Key: 'Équipe de nuit', Value: '' }, { Key: 'a_.:/=+-@1', Value: 'Zürich 2' }] });
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }), validation('tags.1.member.key', 'k'.repeat(129), 'Member must have length less than or equal to 128'));
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }), validation('tags.1.member.value', 'v'.repeat(257), 'Member must have length less than or equal to 256'));
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'ok', Value: 'v' }, { Key: 'cost#center', Value: 'v' }] }), validation('tags.2.member.key', 'cost#center', TAG_PATTERN));
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'k', Value: 'a,b' }] }), validation('tags.1.member.value', 'a,b', TAG_PATTERN.replace(/\+$/, '*')));
  },

  async 'ar-tags-case-insensitive'() {
    await assert.rejects(
      assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Department', Value: 'a' }, { Key: 'department', Value: 'b' }] }),
      invalidParameter('Duplicate tag keys found. Please note that Tag keys are case insensitive.'),
    );
    await assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Department', Value: 'a' }, { Key: 'Team', Value: 'b' }] });
  },

  async 'ar-transitive-among-tags'() {
    await assert.rejects(
      assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Project', Value: 'x' }], TransitiveTagKeys: ['Team'] }),
      invalidParameter('The specified transitive tag key must be included in the requested tags.'),
    );
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, TransitiveTagKeys: ['Team'] }), invalidParameter('The specified transitive tag key must be included in the requested tags.'));
    await assume(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Project', Value: 'x' }], TransitiveTagKeys: ['project'] });
  },

  async 'ar-transitive-inherited'() {
    const first = await roleKeys(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Project', Value: 'a' }, { Key: 'Team', Value: 'b' }], TransitiveTagKeys: ['Project'] });
    await assert.rejects(
      assume(first, { RoleArn: TAGGED_NEXT, Tags: [{ Key: 'project', Value: 'c' }] }),
      invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session."),
    );
    h.sts.resetCalls();
    const second = await roleKeys(first, { RoleArn: TAGGED_NEXT, Tags: [{ Key: 'Team', Value: 'c' }] });
    await whoAmI(second);
    // The new session has the inherited tag and its own; Team was not transitive, so it is the new value.
    assert.deepEqual(
      h.sts.log.map((e) => ({ action: e.action, status: e.status, issued: e.issued, principalTags: e.principalTags })),
      [
        { action: 'AssumeRole', status: 200, issued: { tags: { Project: 'a', Team: 'c' }, transitiveTagKeys: ['Project'], packedPolicySize: h.sts.log[0]!.issued!.packedPolicySize }, principalTags: { Project: 'a', Team: 'b' } },
        { action: 'GetCallerIdentity', status: 200, issued: undefined, principalTags: { Project: 'a', Team: 'c' } },
      ],
    );
  },

  async 'ar-tag-session-trust'() {
    await assert.rejects(
      assume(aliceKeys, { Tags: [{ Key: 'Project', Value: 'a' }] }),
      { name: 'AccessDenied', message: `User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:TagSession on resource: ${READ_ONLY}` },
    );
    await assume(aliceKeys, {});
    const transitive = await roleKeys(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Project', Value: 'a' }], TransitiveTagKeys: ['Project'] });
    await assert.rejects(
      assume(transitive, { RoleArn: NO_TAG_SESSION }),
      { name: 'AccessDenied', message: `User: arn:aws:sts::222222222222:assumed-role/Tagged/rules is not authorized to perform: sts:TagSession on resource: ${NO_TAG_SESSION}` },
      'carrying transitive tags in needs the permission too',
    );
    await assume(await roleKeys(aliceKeys, { RoleArn: TAGGED, Tags: [{ Key: 'Project', Value: 'a' }] }), { RoleArn: NO_TAG_SESSION });
  },

  async 'ar-policy-arns'() {
    const arns = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::222222222222:policy/Scoped${i}` }));
    const out = await assume(aliceKeys, { PolicyArns: arns.slice(0, 10) });
    assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! <= 100, `PackedPolicySize ${out.PackedPolicySize}`);
    await assert.rejects(assume(aliceKeys, { PolicyArns: arns }), {
      name: 'ValidationError',
      message: "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
    });
    await assert.rejects(assume(aliceKeys, { PolicyArns: [{ arn: 'arn:aws:iam::aws:p' }] }), validation('policyArns.1.member.arn', 'arn:aws:iam::aws:p', 'Member must have length greater than or equal to 20'));
  },

  async 'ar-policy-inline'() {
    const out = await assume(aliceKeys, { Policy: POLICY });
    assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! <= 100, `PackedPolicySize ${out.PackedPolicySize}`);
    assert.equal((await assume(aliceKeys, {})).PackedPolicySize, undefined, 'no policy, no tags: no PackedPolicySize');
    const long = POLICY.replace('{', `{${' '.repeat(2049 - POLICY.length)}`);
    await assert.rejects(assume(aliceKeys, { Policy: long }), validation('policy', long, 'Member must have length less than or equal to 2048'));
    await assume(aliceKeys, { Policy: long.replace('{ ', '{') });
    const wide = POLICY.replace('s3:GetObject', 's3:GetĀObject');
    await assert.rejects(assume(aliceKeys, { Policy: wide }), validation('policy', wide, 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'));
    await assert.rejects(assume(aliceKeys, { Policy: POLICY.slice(0, -1) }), { name: 'MalformedPolicyDocumentException', message: 'The policy is not in the valid JSON format.' });
  },

  async 'ar-packed-size'() {
    const big = tagsOf(50, (i) => `${i}${noise(`k${i}`, 128 - String(i).length)}`, (i) => noise(`v${i}`, 256));
    await assert.rejects(assume(aliceKeys, { RoleArn: TAGGED, Tags: big }), (e: Error) => e.name === 'PackedPolicyTooLargeException' && (e as Error & { Code?: string }).Code === 'PackedPolicyTooLarge' && /^Packed policy consumes \d{3,}% of allotted space, please use smaller policy\.$/.test(e.message));
    const small = await assume(aliceKeys, { RoleArn: TAGGED, Tags: big.slice(0, 1).map((t) => ({ Key: 'k', Value: t.Value.slice(0, 8) })) });
    assert.ok(small.PackedPolicySize! > 0 && small.PackedPolicySize! < 100, `PackedPolicySize ${small.PackedPolicySize}`);
  },

  async 'ar-partition'() {
    const gov = await assume(carolKeys, { RoleArn: GOV_ROLE, RoleSessionName: 'carol' }, 'us-gov-west-1');
    assert.equal(gov.AssumedRoleUser!.Arn, 'arn:aws-us-gov:sts::444444444444:assumed-role/Gov/carol');
    await assert.rejects(assume(carolKeys, {}, 'us-gov-west-1'), denied('arn:aws-us-gov:iam::444444444444:user/carol', READ_ONLY));
    await assert.rejects(assume(aliceKeys, { RoleArn: GOV_ROLE }), denied('arn:aws:iam::111111111111:user/alice', GOV_ROLE));
  },

  async 'mfa-code-once'() {
    const code = freshCode(ALICE_SEED);
    await gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: code });
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: code }), GST_MFA_FAILED);
    await assert.rejects(assume(aliceKeys, { RoleArn: ADMIN, SerialNumber: ALICE_SERIAL, TokenCode: code }), AR_MFA_FAILED);
  },

  async 'mfa-window'() {
    h.clock.ms += 90_000; // past every step used so far
    const step = 30_000;
    await gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms - step) });
    await gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms + step) });
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms + 2 * step) }), GST_MFA_FAILED);
    h.clock.ms += 3 * step;
    await assert.rejects(gst(aliceKeys, { SerialNumber: ALICE_SERIAL, TokenCode: totp(ALICE_SEED, h.clock.ms - 2 * step) }), GST_MFA_FAILED, 'two steps late');
  },

  async 'sig-clock-skew'() {
    const offset = h.clock.ms - Date.now();
    const at = (skewMs: number) => h.stsClient(aliceKeys, { clockOffsetMs: offset + skewMs }).send(new GetCallerIdentityCommand({}));
    await assert.rejects(at(-6 * 60_000), (e: Error) => e.name === 'SignatureDoesNotMatch' && /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/.test(e.message));
    await assert.rejects(at(6 * 60_000), (e: Error) => e.name === 'SignatureDoesNotMatch' && /^Signature not yet current: /.test(e.message));
    await at(-4 * 60_000);
    await at(4 * 60_000);
  },

  async 'sig-unknown-key'() {
    await assert.rejects(h.stsClient({ accessKeyId: 'AKIANOBODYEXAMPLE001', secretAccessKey: aliceKeys.secretAccessKey }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN);
  },

  async 'sig-wrong-secret'() {
    await assert.rejects(h.stsClient({ ...aliceKeys, secretAccessKey: BOB.secretAccessKey }).send(new GetCallerIdentityCommand({})), {
      name: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
  },

  async 'sig-expired-token'() {
    const short = keysOf((await gst(aliceKeys, { DurationSeconds: 900 })).Credentials);
    await whoAmI(short);
    h.clock.ms += 901_000;
    await assert.rejects(h.stsClient(short).send(new GetCallerIdentityCommand({})), { name: 'ExpiredToken', message: 'The security token included in the request is expired' });
  },

  async 'sig-token-pairing'() {
    const session = await plainSession();
    await assert.rejects(h.stsClient({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN, 'session keys without their token');
    await assert.rejects(h.stsClient({ ...aliceKeys, sessionToken: session.sessionToken }).send(new GetCallerIdentityCommand({})), INVALID_TOKEN, 'long-term keys with a stale token');
  },

  async 'sig-partition'() {
    await assert.rejects(whoAmI(carolKeys, 'us-east-1'), INVALID_TOKEN);
    await assert.rejects(whoAmI(aliceKeys, 'us-gov-west-1'), INVALID_TOKEN);
    await assert.rejects(whoAmI(aliceKeys, 'cn-north-1'), INVALID_TOKEN);
    assert.equal(await whoAmI(carolKeys, 'us-gov-east-1'), 'arn:aws-us-gov:iam::444444444444:user/carol');
    assert.equal(await whoAmI(aliceKeys, 'eu-west-1'), 'arn:aws:iam::111111111111:user/alice');
  },

  async 'iam-signing-region'() {
    const lax = keysOfUser(LAX);
    await assert.rejects(h.iamClient(lax, { region: 'eu-west-1' }).send(new GetUserCommand({})), { name: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'eu-west-1'. " });
    await assert.rejects(h.iamClient(carolKeys, { region: 'us-gov-east-1' }).send(new GetUserCommand({})), { name: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'us-gov-east-1'. " });
    assert.equal((await h.iamClient(lax).send(new GetUserCommand({}))).User!.UserName, 'lax');
    assert.equal((await h.iamClient(carolKeys, { region: 'us-gov-west-1' }).send(new GetUserCommand({}))).User!.Arn, 'arn:aws-us-gov:iam::444444444444:user/carol');
  },

  async 'iam-username-temporary'() {
    // What rotate used to send: every call that defaults to the caller, made with the MFA session.
    const iam = h.iamClient(await mfaSession(ERIN));
    await assert.rejects(iam.send(new ListAccessKeysCommand({})), NO_USER_NAME);
    await assert.rejects(iam.send(new CreateAccessKeyCommand({})), NO_USER_NAME);
    await assert.rejects(iam.send(new DeleteAccessKeyCommand({ AccessKeyId: ERIN.accessKeyId })), NO_USER_NAME);
    await assert.rejects(iam.send(new ListMFADevicesCommand({})), NO_USER_NAME);
    await assert.rejects(iam.send(new GetUserCommand({})), NO_USER_NAME);
    await assert.rejects(h.iamClient(await roleKeys(aliceKeys, { RoleArn: AUDITOR })).send(new ListAccessKeysCommand({})), NO_USER_NAME, 'a role session too');
    // Named, the same session may.
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'erin' }));
    assert.deepEqual(listed.AccessKeyMetadata!.map((k) => k.AccessKeyId), [ERIN.accessKeyId]);
    // Long-term keys are the user: no name needed.
    assert.equal((await h.iamClient(keysOfUser(LAX)).send(new ListAccessKeysCommand({}))).AccessKeyMetadata![0]!.UserName, 'lax');
  },

  async 'iam-mfa-policy-without-mfa'() {
    const iam = h.iamClient(keysOfUser(ERIN));
    await assert.rejects(iam.send(new ListAccessKeysCommand({})), {
      name: 'AccessDenied',
      message: 'User: arn:aws:iam::111111111111:user/erin is not authorized to perform: iam:ListAccessKeys on resource: user erin with an explicit deny in an identity-based policy',
    });
    await assert.rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'erin' })), (e: Error) => e.name === 'AccessDenied' && e.message.endsWith('with an explicit deny in an identity-based policy'));
    assert.equal((await iam.send(new ListMFADevicesCommand({}))).MFADevices![0]!.SerialNumber, serialOf(ERIN));
    assert.equal((await iam.send(new GetUserCommand({}))).User!.UserName, 'erin');
    // Without the policy, long-term keys reach the rest of IAM.
    await h.iamClient(keysOfUser(LAX)).send(new ListAccessKeysCommand({}));
  },

  async 'sts-mfa-policy-without-mfa'() {
    const erin = keysOfUser(ERIN);
    const deny = (action: string, resource: string) => ({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::111111111111:user/erin is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
    });
    await assert.rejects(assume(erin, {}), deny('sts:AssumeRole', READ_ONLY));
    await assert.rejects(assume(await plainSession(ERIN), {}), deny('sts:AssumeRole', READ_ONLY));
    await assert.rejects(h.stsClient(erin).send(new GetFederationTokenCommand({ Name: 'erin' })), deny('sts:GetFederationToken', 'arn:aws:sts::111111111111:federated-user/erin'));
    assert.equal(await whoAmI(erin), 'arn:aws:iam::111111111111:user/erin');
    await assume(await mfaSession(ERIN), {});
    await assume(erin, { RoleArn: ADMIN, SerialNumber: serialOf(ERIN), TokenCode: freshCode(seedOf(ERIN)) });
    await assume(keysOfUser(LAX), {}, undefined);
  },

  async 'iam-mfa-policy-self'() {
    await assert.rejects(h.iamClient(keysOfUser(ERIN)).send(new GetUserCommand({ UserName: 'frank' })), {
      name: 'AccessDenied',
      message: 'User: arn:aws:iam::111111111111:user/erin is not authorized to perform: iam:GetUser on resource: user frank because no identity-based policy allows the iam:GetUser action',
    });
    await assert.rejects(h.iamClient(await mfaSession(ERIN)).send(new ListAccessKeysCommand({ UserName: 'frank' })), {
      name: 'AccessDenied',
      message: 'User: arn:aws:iam::111111111111:user/erin is not authorized to perform: iam:ListAccessKeys on resource: user frank because no identity-based policy allows the iam:ListAccessKeys action',
    });
    assert.equal((await h.iamClient(keysOfUser(LAX)).send(new GetUserCommand({ UserName: 'frank' }))).User!.UserName, 'frank', 'without the policy');
  },

  async 'iam-access-key-limit'() {
    const iam = h.iamClient(await mfaSession(ERIN));
    const made = (await iam.send(new CreateAccessKeyCommand({ UserName: 'erin' }))).AccessKey!;
    await assert.rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'erin' })), { name: 'LimitExceededException', message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'erin', AccessKeyId: made.AccessKeyId! }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'erin' }));
  },

  async 'iam-new-key-propagation'() {
    const made = (await h.iamClient(await mfaSession(FRANK)).send(new CreateAccessKeyCommand({ UserName: 'frank' }))).AccessKey!;
    const fresh = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };
    await assert.rejects(whoAmI(fresh), INVALID_TOKEN, 'not yet');
    h.clock.ms += DEFAULT_NEW_KEY_DELAY_MS;
    assert.equal(await whoAmI(fresh), 'arn:aws:iam::111111111111:user/frank');
  },

  async 'iam-enable-two-codes'() {
    const iam = h.iamClient(keysOfUser(GINA));
    const made = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'gina' }))).VirtualMFADevice!;
    const seed = Buffer.from(made.Base32StringSeed!).toString('ascii');
    const enable = (c1: string, c2: string) => iam.send(new EnableMFADeviceCommand({ UserName: 'gina', SerialNumber: made.SerialNumber!, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
    h.clock.ms += 60_000;
    const at = (ms: number) => totp(seed, h.clock.ms + ms);
    const invalid = { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.' };
    await assert.rejects(enable(at(0), at(0)), invalid, 'the same code twice');
    await assert.rejects(enable(at(-60_000), at(0)), invalid, 'not consecutive');
    await enable(at(-30_000), at(0));
    assert.deepEqual((await iam.send(new ListMFADevicesCommand({}))).MFADevices!.map((d) => d.SerialNumber), ['arn:aws:iam::111111111111:mfa/gina']);
  },

  async 'iam-resync-two-codes'() {
    const iam = h.iamClient(keysOfUser(LAX));
    const made = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'lax-resync' }))).VirtualMFADevice!;
    const seed = Buffer.from(made.Base32StringSeed!).toString('ascii');
    h.clock.ms += 60_000;
    await iam.send(new EnableMFADeviceCommand({ UserName: 'lax', SerialNumber: made.SerialNumber!, AuthenticationCode1: totp(seed, h.clock.ms - 30_000), AuthenticationCode2: totp(seed, h.clock.ms) }));
    // The device's clock runs four minutes fast: its single codes fail until a resync.
    h.clock.ms += 60_000;
    const fast = (ms: number) => totp(seed, h.clock.ms + 240_000 + ms);
    const session = () => gst(keysOfUser(LAX), { SerialNumber: made.SerialNumber!, TokenCode: fast(0) });
    await assert.rejects(session(), GST_MFA_FAILED);
    const resync = (c1: string, c2: string) => iam.send(new ResyncMFADeviceCommand({ UserName: 'lax', SerialNumber: made.SerialNumber!, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
    await assert.rejects(resync(fast(-60_000), fast(0)), { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.' });
    await resync(fast(-30_000), fast(0));
    h.clock.ms += 30_000;
    await session();
  },

  async 'iam-virtual-mfa-name-taken'() {
    const iam = h.iamClient(keysOfUser(GINA));
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'gina-taken' }));
    await assert.rejects(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'gina-taken' })), { name: 'EntityAlreadyExistsException', message: 'MFADevice entity at the same path and name already exists.' });
  },

  async 'iam-delete-enabled-device'() {
    const iam = h.iamClient(keysOfUser(LAX));
    await assert.rejects(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serialOf(LAX) })), (e: Error) => e.name === 'DeleteConflictException');
    const spare = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'lax-spare' }))).VirtualMFADevice!.SerialNumber!;
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: spare }));
  },

  async 'fed-session-duration-range'() {
    const role = await roleKeys(aliceKeys);
    assert.equal((await signinToken(role, 899)).status, 400);
    assert.equal((await signinToken(role, 43201)).status, 400);
    assert.equal((await signinToken(role, 900)).status, 200);
    assert.equal((await signinToken(role, 43200)).status, 200);
  },

  async 'fed-no-session-token-credentials'() {
    const refused = await signinToken(await mfaSession());
    assert.equal(refused.status, 400);
    assert.match(refused.body, /Invalid credentials parameter/);
    assert.equal((await signinToken(await roleKeys(aliceKeys))).status, 200);
    assert.equal((await signinToken(keysOf((await h.stsClient(bobKeys).send(new GetFederationTokenCommand({ Name: 'bob-console' }))).Credentials))).status, 200);
  },

  async 'fed-chained-no-session-duration'() {
    const chained = await roleKeys(await mfaSession(), { RoleArn: ADMIN });
    const refused = await signinToken(chained, 3600);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /Invalid credentials parameter/);
    assert.equal((await signinToken(chained)).status, 200, 'without SessionDuration it signs in');
    assert.equal((await signinToken(await roleKeys(aliceKeys), 3600)).status, 200, 'a role from the long-term key may set one');
  },

  async 'fed-signin-token-15-minutes'() {
    const token = async () => (JSON.parse((await signinToken(await roleKeys(aliceKeys))).body) as { SigninToken: string }).SigninToken;
    const login = async (signin: string) =>
      (await fetch(`${h.sts.url}/federation?Action=login&SigninToken=${encodeURIComponent(signin)}&Destination=${encodeURIComponent('https://console.aws.amazon.com/')}`, { redirect: 'manual' })).status;
    const early = await token();
    h.clock.ms += 14 * 60_000;
    assert.equal(await login(early), 302);
    const late = await token();
    h.clock.ms += 15 * 60_000;
    assert.equal(await login(late), 400);
  },
};

describe('AWS rules the local STS enforces (src/aws-stand-in/aws-rules.ts)', () => {
  before(async () => {
    h = await startHarness({
      users: [ALICE, BOB, CAROL, ERIN, FRANK, GINA, LAX, ROOT],
      roles: [
        ...ROLES,
        { roleArn: NO_SOURCE_IDENTITY, trustedPrincipals: [READ_ONLY] },
        { roleArn: TAGGED, allowsTagSession: true },
        { roleArn: TAGGED_NEXT, trustedPrincipals: [TAGGED], allowsTagSession: true },
        { roleArn: NO_TAG_SESSION, trustedPrincipals: [TAGGED] },
      ],
    });
  });
  after(() => h.close());

  for (const rule of AWS_RULES) {
    if (rule.productTest !== undefined) continue;
    test(`aws rule ${rule.id}: ${rule.rule}`, async () => {
      const check = CHECKS[rule.id];
      assert.ok(check, `no check for rule ${rule.id}`);
      await check();
    });
  }

  test('every rule has a check or names a product test, every check a rule, and there are at least 30 rules', () => {
    const ids = AWS_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
    assert.ok(ids.length >= 30, `${ids.length} rules`);
    for (const r of AWS_RULES) {
      assert.ok(r.sources.length > 0 && r.sources.every((s) => /^https:\/\//.test(s.url) && s.title !== ''), `${r.id} names where AWS documents it`);
      assert.ok(r.rule !== '' && r.product !== '', r.id);
      assert.ok((r.productTest === undefined) !== (CHECKS[r.id] === undefined), `${r.id} has a local STS check or a product test, not both`);
    }
    for (const id of Object.keys(CHECKS)) assert.ok(ids.includes(id), `check ${id} is a rule of the table`);
  });

  test('the product tests the table names exist', () => {
    for (const r of AWS_RULES) {
      if (r.productTest === undefined) continue;
      const [file, name] = r.productTest.split(' › ') as [string, string];
      const source = readFileSync(path.join(ROOT_DIR, file), 'utf8');
      // Test names built from a table are written as `prefix: ${why}`: the row's text is what the file holds.
      const written = name.includes(': ') ? [name, name.slice(name.indexOf(': ') + 2)] : [name];
      assert.ok(written.some((w) => source.includes(w)), `${r.id}: ${file} has a test "${name}"`);
    }
  });

  test('aws-rules.md is the rendering of the table', () => {
    const md = readFileSync(path.join(ROOT_DIR, 'src/aws-stand-in/aws-rules.md'), 'utf8');
    assert.equal(md, renderRules(), 'regenerate it: npm run build && node dist/src/aws-stand-in/main.js --rules > src/aws-stand-in/aws-rules.md');
  });
});
