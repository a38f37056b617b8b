/**
 * Standalone runner: `node dist/src/aws-stand-in/main.js fixture.json` (`--help` prints HELP,
 * `--rules` the table of AWS rules it enforces, as aws-rules.md holds it).
 */
import { readFileSync } from 'node:fs';
import { renderRules } from './aws-rules.js';
import { startLocalSts } from './server.js';
import type { LocalStsOptions } from './types.js';

/** What `--help` prints: how to run it, and the fixture format, for trying mfa-login against it. */
export const HELP = `usage: node dist/src/aws-stand-in/main.js FIXTURE.json
       node dist/src/aws-stand-in/main.js --rules     the AWS rules it enforces, as markdown

A local stand-in for AWS STS (and the IAM calls mfa-login makes) on loopback, for trying mfa-login
without an AWS account. It checks SigV4 signatures and TOTP codes and answers with AWS's own XML,
error codes included, and refuses what AWS refuses (--rules lists each rule and where AWS documents
it). Once listening it prints one JSON line, {"url": "http://127.0.0.1:PORT"},
and serves until SIGTERM or Ctrl-C.

The fixture (JSON):
  {
    "port": 0,                         optional; 0 (default) picks a free port
    "host": "127.0.0.1",               optional
    "allowCodeReuse": false,           optional; true accepts a code more than once (AWS does not)
    "newKeyDelayMs": 2000,             optional; how long a key made by CreateAccessKey is refused
    "users": [{                        IAM users: the long-term keys you store with mfa-login add
      "userName": "alice",
      "accountId": "111111111111",
      "accessKeyId": "AKIAALICE00000000001",          AKIA + 16 letters or digits
      "secretAccessKey": "aliceSecretaliceSecretaliceSecretalice1",
      "partition": "aws",              optional; aws, aws-us-gov or aws-cn
      "canListMfaDevices": true,       optional; false refuses iam:ListMFADevices
      "mfaPolicy": true,               optional; false: the MFA-enforcing policy is not attached
      "root": false,                   optional; true: the account's root user, not an IAM user
      "mfaDevices": [{ "serial": "arn:aws:iam::111111111111:mfa/alice",
                       "seed": "JBSWY3DPEHPK3PXP" }]  the base32 TOTP seed an authenticator app holds
    }],
    "roles": [{                        optional; roles users may assume
      "roleArn": "arn:aws:iam::222222222222:role/Admin",
      "maxSessionDuration": 3600,      optional; 3600 to 43200
      "requireMfa": true,              optional; trust policy demands aws:MultiFactorAuthPresent
      "externalId": "x-123",           optional; trust policy demands this sts:ExternalId
      "trustedPrincipals": ["111111111111"],  optional; ARNs or account ids (absent: anyone)
      "allowsSourceIdentity": false,   optional; trust policy allows sts:SetSourceIdentity
      "allowsTagSession": false        optional; trust policy allows sts:TagSession (session tags)
    }]
  }

Then point mfa-login at it:
  export AWS_ENDPOINT_URL=http://127.0.0.1:PORT
  printf '%s\\n' AKIAALICE00000000001 aliceSecretaliceSecretaliceSecretalice1 | mfa-login add alice --yes
  mfa-login alice        (a code: oathtool --totp -b JBSWY3DPEHPK3PXP, or any authenticator app)
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.length === 1 && argv[0] === '--rules') {
    process.stdout.write(renderRules());
    return 0;
  }
  const [fixturePath] = argv;
  if (!fixturePath || argv.length > 1 || fixturePath.startsWith('-')) {
    process.stderr.write(`local-sts: ${fixturePath === undefined ? 'no fixture given' : `cannot use ${argv.join(' ')}`}\n  hint: node dist/src/aws-stand-in/main.js --help\n`);
    return 2;
  }
  let fixture: LocalStsOptions;
  try {
    fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as LocalStsOptions;
    if (!Array.isArray(fixture.users)) throw new Error('"users" must be an array');
  } catch (error) {
    process.stderr.write(`local-sts: cannot read fixture ${fixturePath}: ${(error as Error).message}\n`);
    return 2;
  }
  const sts = await startLocalSts({
    port: fixture.port ?? 0,
    host: fixture.host ?? '127.0.0.1',
    users: fixture.users,
    roles: fixture.roles ?? [],
    allowCodeReuse: fixture.allowCodeReuse === true,
    ...(fixture.roleSessionSecondsCap !== undefined ? { roleSessionSecondsCap: fixture.roleSessionSecondsCap } : {}),
    ...(fixture.newKeyDelayMs !== undefined ? { newKeyDelayMs: fixture.newKeyDelayMs } : {}),
  });
  process.stdout.write(JSON.stringify({ url: sts.url }) + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await sts.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
