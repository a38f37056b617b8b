/**
 * The rules of AWS that mfa-login depends on, each with where AWS documents it, the test that
 * holds the local STS to it and the product behaviour that relies on it.
 *
 * A table in code rather than only prose: test/aws-stand-in/aws-rules.test.ts walks it and fails for
 * a rule that has no check (and each check fails when the rule is taken out of the local STS);
 * aws-rules.md is rendered from it (`node dist/src/aws-stand-in/main.js --rules`) and a test keeps
 * the two equal, so the page a reader opens cannot drift from what is enforced.
 */

export interface AwsSource {
  title: string;
  url: string;
}

export interface AwsRule {
  /** The rule's name in the test that enforces it: "aws rule <id>". */
  id: string;
  area: string;
  /** The rule in one line. */
  rule: string;
  /** Where AWS says so (an API reference page, a user-guide section, a knowledge-center article). */
  sources: AwsSource[];
  /** What mfa-login does that would break if AWS did otherwise. */
  product: string;
  /**
   * For a rule the local STS cannot hold (it is about how clients pick a region or an endpoint):
   * the product test that covers it, as "file › test name". Absent: the local STS enforces it.
   */
  productTest?: string;
}

const doc = (title: string, url: string): AwsSource => ({ title, url });

const STS_API = (action: string) => doc(`${action} (AWS STS API Reference)`, `https://docs.aws.amazon.com/STS/latest/APIReference/API_${action}.html`);
const IAM_API = (action: string) => doc(`${action} (IAM API Reference)`, `https://docs.aws.amazon.com/IAM/latest/APIReference/API_${action}.html`);
const COMPARE = doc('Compare AWS STS credentials (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html');
const GST_PERMISSIONS = doc('Permissions for GetSessionToken (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html');
const CHAINING_KC = doc('AWS Knowledge Center: iam-role-chaining-limit ("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining")', 'https://repost.aws/knowledge-center/iam-role-chaining-limit');
const ASSUME_METHODS = doc('Methods to assume a role (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html');
const SOURCE_IDENTITY = doc('Monitor and control actions taken with assumed roles (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html');
const SESSION_TAGS = doc('Pass session tags in AWS STS (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html');
const SESSION_TAGS_CHAINING = doc('Pass session tags in AWS STS: Chaining roles with session tags (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining');
const SESSION_TAGS_PERMISSIONS = doc('Pass session tags in AWS STS: Permissions required to add session tags (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required');
const TAG_RULES = doc('Tags for AWS Identity and Access Management resources: Rules for tagging in IAM and AWS STS (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules');
const SESSION_POLICIES = doc('Policies and permissions in IAM: Session policies (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session');
const MFA_POLICY = doc('AWS: Allows MFA-authenticated IAM users to manage their own credentials on the Security credentials page (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html');
const MFA_ONLY_POLICY = doc('AWS: Allows MFA-authenticated IAM users to manage their own MFA device on the Security credentials page (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage-mfa-only.html');
const QUOTAS = doc('IAM and AWS STS quotas (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html');
const CONSISTENCY = doc('Troubleshoot IAM: Changes that I make are not always immediately visible (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency');
const MFA_SYNC = doc('Resynchronize virtual and hardware MFA devices (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_sync.html');
const SIGNING = doc('AWS Signature Version 4 for API requests (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-signing.html');
const SIGNING_TROUBLE = doc('Troubleshoot Signature Version 4 signing for AWS API requests (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html');
const STS_ERRORS = doc('Common Errors (AWS STS API Reference)', 'https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html');
const IAM_ENDPOINTS = doc('AWS Identity and Access Management endpoints and quotas (AWS General Reference)', 'https://docs.aws.amazon.com/general/latest/gr/iam-service.html');
const STS_REGIONS = doc('Manage AWS STS in an AWS Region (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html');
const CONSOLE_BROKER = doc('Enable custom identity broker access to the AWS console (IAM User Guide)', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html');
const INVALID_CREDENTIALS_KC = doc('AWS Knowledge Center: invalid-credentials-parameter ("HTTP Status 400 - Invalid credentials parameter")', 'https://aws.amazon.com/premiumsupport/knowledge-center/invalid-credentials-parameter/');
const RFC6238 = doc('RFC 6238, TOTP, section 5.2 (validation and time-step size)', 'https://www.rfc-editor.org/rfc/rfc6238#section-5.2');
const SDK_REGION = doc('AWS Region (AWS SDKs and Tools Reference Guide)', 'https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html');
const CLI_ENV = doc('Configuring environment variables for the AWS CLI (AWS CLI User Guide)', 'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html');
const BOTO3_CONFIG = doc('Configuration (Boto3 documentation)', 'https://boto3.amazonaws.com/v1/documentation/api/latest/guide/configuration.html');
const SDK_ENDPOINTS = doc('Service-specific endpoints (AWS SDKs and Tools Reference Guide)', 'https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html');
const SDK_FIPS = doc('Dual-stack and FIPS endpoints (AWS SDKs and Tools Reference Guide)', 'https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html');
const SDK_STS_REGIONAL = doc('AWS STS Regional endpoints (AWS SDKs and Tools Reference Guide)', 'https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html');
const AWS_VAULT_508 = doc('99designs/aws-vault#508, "Missing username when trying to rotate access keys" (the message real IAM answers)', 'https://github.com/99designs/aws-vault/issues/508');

export const AWS_RULES: AwsRule[] = [
  // STS: GetSessionToken
  {
    id: 'gst-duration-user',
    area: 'GetSessionToken',
    rule: 'An IAM user\'s session lasts 900 to 129600 s (default 43200); outside that range: ValidationError naming durationSeconds.',
    sources: [STS_API('GetSessionToken'), COMPARE],
    product: 'The MFA session defaults to 12 h and --duration / duration_seconds up to 36 h are sent as asked; the cached session ends at the returned Expiration.',
  },
  {
    id: 'gst-duration-root',
    area: 'GetSessionToken',
    rule: 'The root user\'s sessions last at most 3600 s: a longer DurationSeconds is not refused, it gets one hour.',
    sources: [STS_API('GetSessionToken'), COMPARE],
    product: 'Session lifetimes are taken from the returned Expiration, never from the duration asked for.',
  },
  {
    id: 'gst-long-term-only',
    area: 'GetSessionToken',
    rule: 'GetSessionToken takes long-term keys only: with session credentials AccessDenied "Cannot call GetSessionToken with session credentials".',
    sources: [STS_API('GetSessionToken'), COMPARE],
    product: 'The chain runner calls GetSessionToken only with the stored long-term key, never with a cached or inherited session.',
  },
  {
    id: 'gst-mfa-failed',
    area: 'GetSessionToken',
    rule: 'A wrong code, a device that is not the caller\'s, or a serial without a code: AccessDenied "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."',
    sources: [STS_API('GetSessionToken'), GST_PERMISSIONS],
    product: 'sts-errors.ts turns it into E_MFA_REJECTED with the resync hint (mfa-login mfa resync PROFILE), or the clock hint when STS\'s Date header shows skew.',
  },
  {
    id: 'gst-no-iam-without-mfa',
    area: 'GetSessionToken',
    rule: 'GetSessionToken credentials without MFA cannot call IAM: InvalidClientTokenId "The security token included in the request is invalid."',
    sources: [STS_API('GetSessionToken'), COMPARE],
    product: 'rotate refuses a profile without mfa_serial (E_NO_MFA_SERIAL) before asking IAM anything: its IAM calls need an MFA session.',
  },
  {
    id: 'gst-sts-limits',
    area: 'GetSessionToken',
    rule: 'GetSessionToken credentials may call, of STS, only AssumeRole and GetCallerIdentity: GetFederationToken is refused "Cannot call GetFederationToken with session credentials".',
    sources: [COMPARE, STS_API('GetSessionToken')],
    product: 'From the MFA session the product only assumes roles and asks who it is; console sign-in goes through a role, never GetFederationToken.',
  },
  // STS: GetFederationToken
  {
    id: 'gft-long-term-only',
    area: 'GetFederationToken',
    rule: 'GetFederationToken takes long-term keys only (Name 2-32 of [\\w+=,.@-], 900-129600 s): with role or MFA-session credentials AccessDenied "Cannot call GetFederationToken with session credentials".',
    sources: [STS_API('GetFederationToken'), COMPARE],
    product: 'console does not fall back to GetFederationToken for an IAM user profile (it carries no MFA and would need the long-term key): E_NOT_A_ROLE names a role profile instead.',
  },
  {
    id: 'gft-limits',
    area: 'GetFederationToken',
    rule: 'A federated user\'s credentials cannot call IAM (InvalidClientTokenId) nor any STS action but GetCallerIdentity.',
    sources: [STS_API('GetFederationToken'), COMPARE],
    product: 'As above: the product builds nothing on federated-user sessions.',
  },
  // STS: AssumeRole
  {
    id: 'ar-duration-role-max',
    area: 'AssumeRole',
    rule: 'A role session lasts 900 s up to the role\'s MaxSessionDuration (default 3600); more: ValidationError "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."',
    sources: [STS_API('AssumeRole'), ASSUME_METHODS],
    product: 'sts-errors.ts explains it as "lower duration_seconds, or raise the role\'s maximum session duration in IAM".',
  },
  {
    id: 'ar-chaining-1h',
    area: 'AssumeRole',
    rule: 'A role assumed with a role\'s credentials (role chaining) lasts at most 3600 s: ValidationError "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."',
    sources: [STS_API('AssumeRole'), CHAINING_KC],
    product: 'assume-role.ts caps every chained hop at 3600 s; sts-errors.ts explains the refusal with "lower duration_seconds to 3600 or less".',
  },
  {
    id: 'ar-gst-session-is-chaining',
    area: 'AssumeRole',
    rule: 'AssumeRole called with GetSessionToken (MFA session) credentials is held to the same 1-hour limit.',
    sources: [CHAINING_KC],
    product: 'A role profile with duration_seconds above 3600 is assumed straight from the long-term key with SerialNumber and TokenCode (assume-role.ts), not from the MFA session.',
  },
  {
    id: 'ar-mfa-condition',
    area: 'AssumeRole',
    rule: 'A trust policy that requires aws:MultiFactorAuthPresent refuses callers without MFA with AccessDenied "User: CALLER is not authorized to perform: sts:AssumeRole on resource: ROLE"; MFA comes from the code, the MFA session, or a role assumed with MFA.',
    sources: [STS_API('AssumeRole'), MFA_ONLY_POLICY],
    product: 'Roles are assumed from the cached MFA session without a new code; sts-errors.ts names the caller and the likely causes (E_STS_ACCESS_DENIED).',
  },
  {
    id: 'ar-mfa-failed',
    area: 'AssumeRole',
    rule: 'A wrong or reused code on AssumeRole: AccessDenied "MultiFactorAuthentication failed with invalid MFA one time pass code."',
    sources: [STS_API('AssumeRole')],
    product: 'sts-errors.ts turns it into E_MFA_REJECTED ("wait for the next code and try again").',
  },
  {
    id: 'ar-same-denial',
    area: 'AssumeRole',
    rule: 'An unknown role, an untrusted caller and a wrong or missing ExternalId all get the same AccessDenied, so callers cannot probe which roles exist.',
    sources: [STS_API('AssumeRole')],
    product: 'E_STS_ACCESS_DENIED lists every likely cause (trust policy, MFA, external_id) instead of guessing one.',
  },
  {
    id: 'ar-root-refused',
    area: 'AssumeRole',
    rule: 'The root user cannot assume a role: AccessDenied "Roles may not be assumed by root accounts."',
    sources: [COMPARE, STS_API('AssumeRole')],
    product: 'rotate and mfa refuse keys that are not an IAM user\'s (E_NO_KEYS); an AssumeRole refusal without a "User:" prefix is explained as "the caller may not assume".',
  },
  {
    id: 'ar-session-name',
    area: 'AssumeRole',
    rule: 'RoleSessionName is required, 2-64 characters of [\\w+=,.@-]; otherwise ValidationError naming roleSessionName.',
    sources: [STS_API('AssumeRole')],
    product: 'config/chain.ts checks role_session_name against the same pattern and reports file and line before calling STS.',
  },
  {
    id: 'ar-external-id',
    area: 'AssumeRole',
    rule: 'ExternalId is 2-1224 characters of [\\w+=,.@:/-]; the trust policy\'s sts:ExternalId must match.',
    sources: [STS_API('AssumeRole')],
    product: 'external_id from the profile is passed on every hop that has one and is part of the cache key (chain-keys.ts).',
  },
  {
    id: 'ar-serial-number',
    area: 'AssumeRole / GetSessionToken',
    rule: 'SerialNumber is 9-256 characters of [\\w+=/:,.@-]; otherwise ValidationError naming serialNumber.',
    sources: [STS_API('AssumeRole'), STS_API('GetSessionToken')],
    product: 'config/chain.ts checks mfa_serial as an MFA device ARN before any call.',
  },
  {
    id: 'ar-token-code',
    area: 'AssumeRole / GetSessionToken',
    rule: 'TokenCode is exactly 6 digits: otherwise ValidationError "1 validation error detected: Value \'12a\' at \'tokenCode\' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*".',
    sources: [STS_API('GetSessionToken'), STS_API('AssumeRole')],
    product: 'Codes are checked as 6 digits where they are read; sts-errors.ts turns the tokenCode ValidationError into E_MFA_CODE.',
  },
  {
    id: 'ar-source-identity-pattern',
    area: 'AssumeRole',
    rule: 'SourceIdentity is 2-64 characters of [\\w+=,.@-]; otherwise ValidationError naming sourceIdentity.',
    sources: [STS_API('AssumeRole'), SOURCE_IDENTITY],
    product: 'config/chain.ts checks source_identity against the same pattern.',
  },
  {
    id: 'ar-source-identity-sticky',
    area: 'AssumeRole',
    rule: 'A source identity, once set, is carried down a role chain and cannot be changed: a different one is AccessDenied.',
    sources: [SOURCE_IDENTITY],
    product: 'source_identity is sent on the hop that sets it and is part of the chain\'s cache key, so a changed value starts a new chain.',
  },
  {
    id: 'ar-source-identity-trust',
    area: 'AssumeRole',
    rule: 'Setting a source identity, or carrying one into a role, needs sts:SetSourceIdentity in that role\'s trust policy; otherwise AccessDenied.',
    sources: [SOURCE_IDENTITY],
    product: 'A refused source_identity surfaces as E_STS_ACCESS_DENIED naming the role whose trust policy to check.',
  },
  {
    id: 'ar-tags-limits',
    area: 'AssumeRole',
    rule: 'Tags holds at most 50 session tags; a key is 1-128 and a value 0-256 characters of [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]; otherwise ValidationError naming tags or tags.N.member.key / .value.',
    sources: [STS_API('AssumeRole'), SESSION_TAGS, TAG_RULES],
    product: 'session_tags and --session-tags are checked against the same limits (config/session-scope.ts), with file and line, before a code is asked for.',
  },
  {
    id: 'ar-tags-case-insensitive',
    area: 'AssumeRole',
    rule: 'Tag keys are not case-sensitive: Department and department in one request is InvalidParameterValue "Duplicate tag keys found. Please note that Tag keys are case insensitive."',
    sources: [STS_API('AssumeRole'), TAG_RULES],
    product: 'session_tags naming a key twice in any case is refused before a code is asked for.',
  },
  {
    id: 'ar-transitive-among-tags',
    area: 'AssumeRole',
    rule: 'Every TransitiveTagKeys key must be one of the request\'s Tags: otherwise InvalidParameterValue "The specified transitive tag key must be included in the requested tags."',
    sources: [STS_API('AssumeRole'), SESSION_TAGS_CHAINING],
    product: 'transitive_session_tags naming a key that session_tags of the same profile does not set is refused before a code is asked for.',
  },
  {
    id: 'ar-transitive-inherited',
    area: 'AssumeRole',
    rule: 'Transitive tags pass to every later session of a role chain, and a later AssumeRole that passes a tag with the same key fails: InvalidParameterValue "One of the specified transitive tag keys can\'t be set because it conflicts with a transitive tag key from the calling session."',
    sources: [SESSION_TAGS_CHAINING, STS_API('AssumeRole')],
    product: 'A chain whose later profile sets a key an earlier one made transitive is refused by config/chain.ts, naming both profiles; a hop\'s cache key holds its parent\'s, so inherited tags are part of it.',
  },
  {
    id: 'ar-tag-session-trust',
    area: 'AssumeRole',
    rule: 'Passing session tags needs sts:TagSession in the role\'s trust policy: otherwise AccessDenied "User: CALLER is not authorized to perform: sts:TagSession on resource: ROLE". The local STS asks the same of a role that inherits transitive tags.',
    sources: [SESSION_TAGS_PERMISSIONS, STS_API('AssumeRole')],
    product: 'assume-role.ts says which trust policy lacks sts:TagSession (E_STS_ACCESS_DENIED) instead of the generic "may not assume".',
  },
  {
    id: 'ar-policy-arns',
    area: 'AssumeRole',
    rule: 'PolicyArns names at most 10 managed policies, each an ARN of 20-2048 characters; more: ValidationError naming policyArns.',
    sources: [STS_API('AssumeRole'), SESSION_POLICIES],
    product: 'policy_arns and --policy-arn are checked (at most 10 managed policy ARNs, in the role\'s partition and account or AWS-managed) before a code is asked for.',
  },
  {
    id: 'ar-policy-inline',
    area: 'AssumeRole',
    rule: 'Policy is 1-2048 characters of tab, line feed, carriage return and U+0020-U+00FF (ValidationError naming policy otherwise); text that is not JSON is MalformedPolicyDocument "The policy is not in the valid JSON format."',
    sources: [STS_API('AssumeRole'), SESSION_POLICIES],
    product: '--policy FILE is read and checked the same way (length, characters, JSON with a Statement) before a code is asked for.',
  },
  {
    id: 'ar-packed-size',
    area: 'AssumeRole',
    rule: 'Session policies and tags are packed into a binary form with a limit of its own, which plaintext within the other limits can still exceed: PackedPolicyTooLarge "Packed policy consumes N% of allotted space, please use smaller policy."; a request that fits is answered with PackedPolicySize. (The stand-in\'s measure is its own: AWS does not publish the packing.)',
    sources: [STS_API('AssumeRole'), SESSION_TAGS],
    product: 'No client-side limit predicts it: assume-role.ts explains the refusal as "too large once packed" with the hint to use fewer or shorter tags or policies.',
  },
  {
    id: 'ar-partition',
    area: 'AssumeRole',
    rule: 'ARNs carry the partition (aws, aws-us-gov, aws-cn), and no trust policy reaches across partitions.',
    sources: [COMPARE, STS_REGIONS],
    product: 'console hosts and `mfa-login policy` take the partition from the role or MFA device ARN.',
  },
  // MFA codes and signing
  {
    id: 'mfa-code-once',
    area: 'MFA codes',
    rule: 'A TOTP code is accepted once: the same code again (same device, same step) is refused like a wrong one.',
    sources: [RFC6238, STS_API('GetSessionToken')],
    product: 'Concurrent callers share one lease and one code (cache leases); tests give each flow its own user or ask for allowCodeReuse by name.',
  },
  {
    id: 'mfa-window',
    area: 'MFA codes',
    rule: 'Codes are 30-second steps; one step either side of AWS\'s clock is accepted, two are not.',
    sources: [RFC6238, MFA_SYNC],
    product: 'The STS adapter compares STS\'s Date header with the local clock and warns beyond 30 s (CLOCK_SKEW_LIMIT_S), before codes start failing.',
  },
  {
    id: 'sig-clock-skew',
    area: 'Signing',
    rule: 'A request must reach AWS within 5 minutes of its signing time: SignatureDoesNotMatch "Signature expired: ... is now earlier than ... (... - 5 min.)".',
    sources: [SIGNING, SIGNING_TROUBLE],
    product: 'sts-errors.ts turns it into "this computer\'s clock is off" with the NTP hint.',
  },
  {
    id: 'sig-unknown-key',
    area: 'Signing',
    rule: 'An access key AWS does not know: InvalidClientTokenId "The security token included in the request is invalid."',
    sources: [STS_ERRORS, SIGNING_TROUBLE],
    product: 'add says nothing was stored; later calls say "AWS does not recognise the access key ... stored for profile P" with the mfa-login add hint.',
  },
  {
    id: 'sig-wrong-secret',
    area: 'Signing',
    rule: 'A secret that does not match the key: SignatureDoesNotMatch "The request signature we calculated does not match the signature you provided. ..."',
    sources: [SIGNING_TROUBLE],
    product: 'sts-errors.ts: "the secret key stored for profile P does not match its access key" with the mfa-login add hint.',
  },
  {
    id: 'sig-expired-token',
    area: 'Signing',
    rule: 'Session credentials past their Expiration: ExpiredToken "The security token included in the request is expired".',
    sources: [COMPARE, STS_ERRORS],
    product: 'Cached sessions are renewed before they expire; a refusal becomes "the cached session for profile P has expired" with the logout hint.',
  },
  {
    id: 'sig-token-pairing',
    area: 'Signing',
    rule: 'Session keys work only with the session token they were issued with, and long-term keys with none: otherwise InvalidClientTokenId.',
    sources: [COMPARE, SIGNING],
    product: 'Exports and child environments always set or unset AWS_SESSION_TOKEN together with the keys.',
  },
  {
    id: 'sig-partition',
    area: 'Signing',
    rule: 'Keys exist in one partition only: a request signed for a region of another partition is InvalidClientTokenId.',
    sources: [STS_REGIONS, IAM_ENDPOINTS],
    product: 'STS calls go to the profile\'s region (stsTarget), so a GovCloud or China profile needs its region set; IAM is signed in its partition\'s region.',
  },
  {
    id: 'iam-signing-region',
    area: 'Signing',
    rule: 'IAM is global per partition and takes signatures for us-east-1 (aws), us-gov-west-1 (aws-us-gov) or cn-north-1 (aws-cn) only: SignatureDoesNotMatch "Credential should be scoped to a valid region, not \'eu-west-1\'. ".',
    sources: [IAM_ENDPOINTS, SIGNING_TROUBLE],
    product: 'aws-sdk-sts.ts signs IAM calls for the partition\'s IAM region whatever region the profile uses.',
  },
  // IAM
  {
    id: 'iam-username-temporary',
    area: 'IAM',
    rule: 'With temporary credentials (an MFA session, a role) IAM calls that default to the caller need UserName: ValidationError "Must specify userName when calling with non-User credentials".',
    sources: [IAM_API('ListAccessKeys'), IAM_API('CreateAccessKey'), IAM_API('DeleteAccessKey'), AWS_VAULT_508],
    product: 'rotate names the user (from GetCallerIdentity, the last path segment of the user ARN) on ListAccessKeys, CreateAccessKey and DeleteAccessKey, and --debug shows it; the delete-access-key hints carry --user-name.',
  },
  {
    id: 'iam-mfa-policy-without-mfa',
    area: 'IAM',
    rule: 'Under the MFA-enforcing policy, a caller without MFA may only manage their MFA device, read their user and call sts:GetSessionToken; anything else: AccessDenied "... with an explicit deny in an identity-based policy".',
    sources: [MFA_POLICY, MFA_ONLY_POLICY],
    product: 'mfa create / resync work with the long-term key; rotate uses the MFA session; add treats a refused ListAccessKeys as "age unknown".',
  },
  {
    id: 'sts-mfa-policy-without-mfa',
    area: 'STS',
    rule: 'Under the MFA-enforcing policy a caller without MFA (long-term keys and no code, a session without MFA) may call of STS only GetSessionToken (GetCallerIdentity needs no permission): AssumeRole and GetFederationToken are an explicit deny.',
    sources: [MFA_POLICY, doc('AWS Knowledge Center: mfa-iam-user-aws-cli ("How do I use an MFA token to authenticate access to my AWS resources through the AWS CLI?")', 'https://repost.aws/knowledge-center/mfa-iam-user-aws-cli')],
    product: 'Roles are assumed from the MFA session, or from the long-term key together with a code; a profile without mfa_serial gets E_STS_ACCESS_DENIED naming missing MFA among the causes.',
  },
  {
    id: 'iam-mfa-policy-self',
    area: 'IAM',
    rule: 'The MFA policy allows these actions on the caller\'s own user only (user/${aws:username}): another user is AccessDenied "... because no identity-based policy allows the ... action".',
    sources: [MFA_POLICY],
    product: 'Every IAM call names the caller\'s own user, taken from GetCallerIdentity, never a name from the profile.',
  },
  {
    id: 'iam-access-key-limit',
    area: 'IAM',
    rule: 'A user has at most 2 access keys: CreateAccessKey beyond that is LimitExceeded "Cannot exceed quota for AccessKeysPerUser: 2".',
    sources: [QUOTAS, IAM_API('CreateAccessKey')],
    product: 'rotate lists the keys first and, at two, names the one not stored with a delete hint instead of creating.',
  },
  {
    id: 'iam-new-key-propagation',
    area: 'IAM',
    rule: 'A new access key is not usable at once: until IAM\'s change has propagated it is refused as unknown (InvalidClientTokenId).',
    sources: [CONSISTENCY],
    product: 'rotate polls GetCallerIdentity with the new key (at most 90 s) before storing it, and says it is waiting.',
  },
  {
    id: 'iam-enable-two-codes',
    area: 'IAM',
    rule: 'EnableMFADevice needs UserName and two consecutive codes of the device: otherwise InvalidAuthenticationCode "Authentication code for device is not valid."',
    sources: [IAM_API('EnableMFADevice')],
    product: 'mfa create asks for two codes (refusing the same one twice) and deletes the device it made when IAM refuses them.',
  },
  {
    id: 'iam-resync-two-codes',
    area: 'IAM',
    rule: 'ResyncMFADevice needs UserName and two consecutive codes; afterwards single codes are checked against the device\'s drift.',
    sources: [IAM_API('ResyncMFADevice'), MFA_SYNC],
    product: 'mfa resync asks for two codes; the wrong-code hint of GetSessionToken points to it.',
  },
  {
    id: 'iam-virtual-mfa-name-taken',
    area: 'IAM',
    rule: 'CreateVirtualMFADevice with a name already in use: EntityAlreadyExists "MFADevice entity at the same path and name already exists."',
    sources: [IAM_API('CreateVirtualMFADevice')],
    product: 'mfa create deletes a device it could not enable, so the next try is not refused as a duplicate.',
  },
  {
    id: 'iam-delete-enabled-device',
    area: 'IAM',
    rule: 'DeleteVirtualMFADevice refuses a device that is enabled: DeleteConflict.',
    sources: [IAM_API('DeleteVirtualMFADevice')],
    product: 'mfa create only deletes the device it just made and failed to enable; an enabled device is never at risk.',
  },
  // Console sign-in
  {
    id: 'fed-session-duration-range',
    area: 'Console sign-in',
    rule: 'getSigninToken\'s SessionDuration is 900-43200 s.',
    sources: [CONSOLE_BROKER],
    product: 'console --duration is checked against 900-43200 before a code is spent.',
  },
  {
    id: 'fed-no-session-token-credentials',
    area: 'Console sign-in',
    rule: 'GetSessionToken credentials cannot sign in to the console (no SSO to the console); role and federated-user sessions can.',
    sources: [COMPARE, CONSOLE_BROKER],
    product: 'console refuses an IAM user profile with E_NOT_A_ROLE and names a role profile reached from it.',
  },
  {
    id: 'fed-chained-no-session-duration',
    area: 'Console sign-in',
    rule: 'A role session from role chaining with a SessionDuration: HTTP 400 "Invalid credentials parameter"; without SessionDuration it signs in.',
    sources: [INVALID_CREDENTIALS_KC, CONSOLE_BROKER],
    product: 'console refuses --duration for a chained role before spending a code, and signs chained roles in without it.',
  },
  {
    id: 'fed-signin-token-15-minutes',
    area: 'Console sign-in',
    rule: 'A SigninToken is good for 15 minutes.',
    sources: [CONSOLE_BROKER],
    product: 'console --print says "good for 15 minutes (until HH:MM UTC)".',
  },
  // Clients: where a call goes (no local STS test: the local STS is one endpoint)
  {
    id: 'client-region-precedence',
    area: 'Clients',
    rule: 'Region: the command line, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile\'s region; the environment wins over the profile.',
    sources: [CLI_ENV, SDK_REGION],
    product: 'stsTarget applies the same order for every STS call.',
    productTest: 'test/sts/sts.test.ts › stsTarget: AWS_REGION over AWS_DEFAULT_REGION',
  },
  {
    id: 'client-region-variables',
    area: 'Clients',
    rule: 'botocore reads AWS_DEFAULT_REGION, the JS SDK v3 AWS_REGION: a tool that hands a region to a child sets both.',
    sources: [BOTO3_CONFIG, SDK_REGION],
    product: 'mfa-env and exec export AWS_REGION and AWS_DEFAULT_REGION together and unset AWS_PROFILE / AWS_DEFAULT_PROFILE next to keys.',
    productTest: 'test/e2e/role-chain.test.ts › exec passes the exit status, refuses to nest, and mfa-env prints exports',
  },
  {
    id: 'client-endpoint-precedence',
    area: 'Clients',
    rule: 'Endpoint: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then the profile\'s endpoint_url; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them off.',
    sources: [SDK_ENDPOINTS],
    product: 'stsTarget resolves the endpoint in this order; --debug shows the host actually called.',
    productTest: 'test/sts/sts.test.ts › stsTarget: AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL',
  },
  {
    id: 'client-sts-regional',
    area: 'Clients',
    rule: 'STS is regional (sts.REGION.amazonaws.com); sts_regional_endpoints = legacy sends us-east-1 to the global sts.amazonaws.com; China is .amazonaws.com.cn.',
    sources: [SDK_STS_REGIONAL, STS_REGIONS],
    product: 'stsTarget / stsUrl pick the same host the SDK resolves.',
    productTest: 'test/sts/sts.test.ts › stsTarget: sts_regional_endpoints = legacy in us-east-1: the global endpoint',
  },
  {
    id: 'client-fips',
    area: 'Clients',
    rule: 'use_fips_endpoint / AWS_USE_FIPS_ENDPOINT sends STS to sts-fips.REGION.amazonaws.com; an explicit endpoint wins over it.',
    sources: [SDK_FIPS],
    product: 'stsTarget passes FIPS to the SDK unless an endpoint is named.',
    productTest: 'test/sts/sts.test.ts › stsTarget: use_fips_endpoint with a GovCloud region',
  },
];

/** The table as markdown: what aws-rules.md holds. */
export function renderRules(rules: AwsRule[] = AWS_RULES): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# AWS rules the local STS enforces',
    '',
    'Generated from src/aws-stand-in/aws-rules.ts by `node dist/src/aws-stand-in/main.js --rules`; do not edit by hand.',
    'Each rule names where AWS documents it, the test that holds the local STS to it (in',
    'test/aws-stand-in/aws-rules.test.ts, named "aws rule ID"; it fails when the rule is taken out of the',
    'local STS) and the mfa-login behaviour that relies on it. The last rows are about how clients pick',
    'a region and an endpoint, which a single local endpoint cannot check: a product test covers them.',
    '',
    '| # | Area | Rule | Where AWS documents it | Test | Product behaviour that relies on it |',
    '|---|---|---|---|---|---|',
  ];
  rules.forEach((r, i) => {
    const sources = r.sources.map((s) => `[${cell(s.title)}](${s.url})`).join('; ');
    const test = r.productTest ? `product test: ${cell(r.productTest)}` : `aws rule ${r.id}`;
    lines.push(`| ${i + 1} | ${cell(r.area)} | ${cell(r.rule)} | ${sources} | ${test} | ${cell(r.product)} |`);
  });
  return `${lines.join('\n')}\n`;
}
