/** A local STS with a simulated clock, and real SDK clients whose clocks follow it. */
import { after, before } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient, type Credentials } from '@aws-sdk/client-sts';
import { startLocalSts, type LocalSts, type LocalStsOptions, type LocalStsRole, type LocalStsUser } from '../../src/aws-stand-in/server.js';
import { totp } from '../../src/mfa/totp.js';

// The SDK warns on Node 20 when a client is built; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const ALICE_SERIAL = 'arn:aws:iam::111111111111:mfa/alice';
/** The RFC 6238 SHA-1 seed "12345678901234567890". */
export const ALICE_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

export const ALICE: LocalStsUser = {
  userName: 'alice',
  accountId: '111111111111',
  accessKeyId: 'AKIAALICEEXAMPLE0001',
  // Real secrets contain `/` and `+`; they must survive signing untouched.
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  mfaDevices: [{ serial: ALICE_SERIAL, seed: ALICE_SEED }],
  // Her own policy lets her assume roles without MFA, as bob's and carol's do: the tests that use
  // them are about what the roles' trust policies and STS itself refuse. The MFA policy's refusals
  // are tried on users of their own (aws-rules.test.ts, iam-self-service.test.ts).
  mfaPolicy: false,
};

export const BOB: LocalStsUser = {
  userName: 'bob',
  accountId: '111111111111',
  accessKeyId: 'AKIABOBEXAMPLE000002',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  canListMfaDevices: false,
  mfaPolicy: false,
};

/** A GovCloud user: ARNs in the aws-us-gov partition. */
export const CAROL: LocalStsUser = {
  userName: 'carol',
  accountId: '444444444444',
  partition: 'aws-us-gov',
  accessKeyId: 'AKIACAROLEXAMPLE0003',
  secretAccessKey: 'Xq+8/Zz0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV',
  mfaPolicy: false,
};

export const ADMIN = 'arn:aws:iam::222222222222:role/Admin';
export const READ_ONLY = 'arn:aws:iam::222222222222:role/ReadOnly';
export const PARTNER = 'arn:aws:iam::333333333333:role/Partner';
export const BOB_ONLY = 'arn:aws:iam::222222222222:role/BobOnly';
export const DEPLOY = 'arn:aws:iam::222222222222:role/ci/Deploy';
export const GOV_ROLE = 'arn:aws-us-gov:iam::444444444444:role/Gov';
/** In alice's own account. */
export const AUDITOR = 'arn:aws:iam::111111111111:role/Auditor';

export const ROLES: LocalStsRole[] = [
  { roleArn: ADMIN, requireMfa: true, maxSessionDuration: 43200, allowsSourceIdentity: true },
  { roleArn: READ_ONLY, allowsSourceIdentity: true },
  { roleArn: PARTNER, externalId: 'partner-42' },
  { roleArn: BOB_ONLY, trustedPrincipals: ['arn:aws:iam::111111111111:user/bob'] },
  { roleArn: DEPLOY, trustedPrincipals: [READ_ONLY], allowsSourceIdentity: true },
  { roleArn: AUDITOR, trustedPrincipals: ['111111111111'] },
  { roleArn: GOV_ROLE },
];

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const aliceKeys: Keys = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };
export const bobKeys: Keys = { accessKeyId: BOB.accessKeyId, secretAccessKey: BOB.secretAccessKey };
export const carolKeys: Keys = { accessKeyId: CAROL.accessKeyId, secretAccessKey: CAROL.secretAccessKey };

export function keysOf(credentials: Credentials | undefined): Keys {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('no credentials in response');
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

export interface Harness {
  sts: LocalSts;
  /** The server's simulated time, in ms. */
  clock: { ms: number };
  /**
   * A client whose signing clock agrees with the simulated one, unless `clockOffsetMs` says
   * otherwise. It signs for us-east-1 unless `region` names another (a GovCloud key needs a
   * us-gov region: keys exist in one partition only).
   */
  stsClient(keys?: Keys, config?: { maxAttempts?: number; clockOffsetMs?: number; region?: string }): STSClient;
  /** IAM signs for us-east-1 (the aws partition's IAM region) unless `region` says otherwise. */
  iamClient(keys?: Keys, config?: { region?: string }): IAMClient;
  /** Alice's TOTP code at the simulated time. */
  code(): string;
  /** Moves to the next 30-second step and returns its code: a code can be used only once. */
  freshCode(): string;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<LocalStsOptions> = {}): Promise<Harness> {
  const clock = { ms: Date.now() };
  const sts = await startLocalSts({ users: [ALICE, BOB, CAROL], roles: ROLES, now: () => clock.ms, ...options });
  const clients: { destroy(): void }[] = [];
  const offset = () => clock.ms - Date.now();
  return {
    sts,
    clock,
    stsClient(keys = aliceKeys, config = {}) {
      const client = new STSClient({
        endpoint: sts.url,
        region: config.region ?? 'us-east-1',
        credentials: keys,
        maxAttempts: config.maxAttempts ?? 1,
        systemClockOffset: config.clockOffsetMs ?? offset(),
      });
      clients.push(client);
      return client;
    },
    iamClient(keys = aliceKeys, config = {}) {
      const client = new IAMClient({
        endpoint: sts.url,
        region: config.region ?? 'us-east-1',
        credentials: keys,
        maxAttempts: 1,
        systemClockOffset: offset(),
      });
      clients.push(client);
      return client;
    },
    code: () => totp(ALICE_SEED, clock.ms),
    freshCode() {
      clock.ms += 30_000;
      return totp(ALICE_SEED, clock.ms);
    },
    async close() {
      for (const client of clients) client.destroy();
      await sts.close();
    },
  };
}

/**
 * The harness of the tests in the enclosing describe: started before them, closed after them.
 * It is filled in when it starts; its methods close over the one server and clock, so the copy
 * is the harness itself (`h.clock.ms = …` moves the server's clock).
 */
export function harnessForTests(options: Partial<LocalStsOptions> = {}): Harness {
  const h = {} as Harness;
  before(async () => {
    Object.assign(h, await startHarness(options));
  });
  after(() => h.close());
  return h;
}

/** Session key ids as real STS issues them: `ASIA` and 16 base32 characters. */
export const SESSION_KEY_ID = /^ASIA[A-Z2-7]{16}$/;
