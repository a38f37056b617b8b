import type { Credentials, SessionCredentials } from '../credentials.js';
import { StsError, stsUrl, type AccessKeyInfo, type AssumeRoleInput, type AssumedRole, type CallerIdentity, type GetSessionTokenInput, type LongTermOnly, type MfaDeviceCodes, type NewMfaDevice, type Sts, type StsTarget } from './sts.js';

/**
 * The Sts port over the AWS SDK for JavaScript v3. The only module that imports the SDK, and it
 * does so lazily: loading the SDK costs more than half a Node start, and the cached credential
 * path never needs it.
 */
export interface AwsSdkStsOptions {
  debug?: (msg: string) => void;
  now?: () => Date;
  /** Told once when STS's clock and ours differ by more than CLOCK_SKEW_LIMIT_S (positive: ours is ahead). */
  onClockSkew?: (seconds: number) => void;
  /**
   * How long one call may take, retries included (MFA_LOGIN_STS_TIMEOUT). An endpoint that accepts
   * the connection and never answers would otherwise hold credential_process, and the lease other
   * callers wait on, until something kills it.
   */
  timeoutMs?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * How far our clock may be from STS's: TOTP codes change every 30 s, so a clock further off starts
 * failing codes, and cached sessions look fresh when they are not. Calls warn beyond it and
 * doctor fails its clock check (doctor/clock.ts). AWS's own 5-minute signature window is another
 * fact, the local STS's to enforce.
 */
export const CLOCK_SKEW_LIMIT_S = 30;

export function awsSdkSts(options: AwsSdkStsOptions = {}): Sts {
  const debug = options.debug ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  // Each attempt is bounded too (connect, then the answer), so a retry starts only when one has
  // failed, and the whole call's deadline in call() bounds the retries together.
  const requestHandler = { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true };
  const now = options.now ?? (() => new Date());
  let skewReported = false;
  // Every STS response carries the server's time: comparing costs nothing and catches a drifting
  // clock before it shows up as refused codes or signatures.
  const watchClock = (client: { middlewareStack: { add: (mw: any, opts: any) => void } }) =>
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
        const out = await next(args);
        const date = (out.response as { headers?: Record<string, string> } | undefined)?.headers?.date;
        const server = date ? Date.parse(date) : NaN;
        if (!Number.isNaN(server) && !skewReported) {
          const skew = Math.round((now().getTime() - server) / 1000);
          if (Math.abs(skew) > CLOCK_SKEW_LIMIT_S) {
            skewReported = true;
            options.onClockSkew?.(skew);
          }
        }
        return out;
      },
      { step: 'deserialize', name: 'mfaLoginClockWatch' },
    );
  // The host the SDK actually resolved, for --debug: proof of which endpoint a setting chose.
  const traceHost = (client: { middlewareStack: { add: (mw: any, opts: any) => void } }) =>
    client.middlewareStack.add(
      (next: (args: { request?: { hostname?: string; port?: number } }) => Promise<unknown>) => async (args: { request?: { hostname?: string; port?: number } }) => {
        if (args.request?.hostname) debug(`request to ${args.request.hostname}${args.request.port ? `:${args.request.port}` : ''}`);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'mfaLoginHostTrace' },
    );
  // Node 20 is supported by the SDK until early 2027; its notice would only confuse our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const stsClient = async (credentials: Credentials, target: StsTarget): Promise<{ sdk: typeof import('@aws-sdk/client-sts'); client: import('@aws-sdk/client-sts').STSClient }> => {
    const sdk = await import('@aws-sdk/client-sts');
    const client = new sdk.STSClient({
      region: target.region,
      credentials: toSdkCredentials(credentials),
      // An endpoint named outright is the host to call (a FIPS VPC endpoint, a test STS); the SDK
      // would otherwise refuse it next to FIPS ("FIPS and custom endpoint are not supported").
      useFipsEndpoint: target.endpoint ? false : target.useFips,
      useGlobalEndpoint: target.endpoint ? false : target.useGlobalEndpoint,
      maxAttempts: 2,
      requestHandler,
      // Signing time follows the injected clock (simulated days in tests; the real one otherwise).
      ...(options.now ? { systemClockOffset: options.now().getTime() - Date.now() } : {}),
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    });
    watchClock(client);
    traceHost(client);
    return { sdk, client };
  };

  // IAM is global: its signing region is the partition's (us-east-1, us-gov-west-1, cn-north-1),
  // whatever region the profile uses; IAM refuses any other.
  const iamClient = async (credentials: Credentials, target: StsTarget): Promise<{ iam: typeof import('@aws-sdk/client-iam'); client: import('@aws-sdk/client-iam').IAMClient }> => {
    const iam = await import('@aws-sdk/client-iam');
    const client = new iam.IAMClient({
      region: target.region.startsWith('us-gov-') ? 'us-gov-west-1' : target.region.startsWith('cn-') ? 'cn-north-1' : 'us-east-1',
      credentials: toSdkCredentials(credentials),
      maxAttempts: 2,
      requestHandler,
      ...(options.now ? { systemClockOffset: options.now().getTime() - Date.now() } : {}),
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    });
    traceHost(client);
    return { iam, client };
  };

  const describe = (target: StsTarget) => stsUrl(target);
  // Which service a call went to, by the URL the SDK resolves: what a failure is said against.
  const viaSts = (target: StsTarget): Where => ({ service: 'STS', url: stsUrl(target), debug });
  const viaIam = (target: StsTarget): Where => ({ service: 'IAM', url: iamUrl(target), debug });

  return {
    async getSessionToken(input: GetSessionTokenInput): Promise<SessionCredentials> {
      const { sdk, client } = await stsClient(input.keys, input.target);
      debug(`GetSessionToken via ${describe(input.target)} for ${input.durationSeconds}s${input.serialNumber ? ` with MFA device ${input.serialNumber}` : ''}`);
      const where = viaSts(input.target);
      const out = await call(where, timeoutMs, (abortSignal) =>
        client.send(new sdk.GetSessionTokenCommand({
          DurationSeconds: input.durationSeconds,
          ...(input.serialNumber ? { SerialNumber: input.serialNumber, TokenCode: input.tokenCode } : {}),
        }), { abortSignal }),
      );
      return fromSdkCredentials(out, where);
    },

    async assumeRole(input: AssumeRoleInput): Promise<AssumedRole> {
      const { sdk, client } = await stsClient(input.credentials, input.target);
      debug(`AssumeRole ${input.roleArn} as ${input.roleSessionName} via ${describe(input.target)}${input.durationSeconds ? ` for ${input.durationSeconds}s` : ''}${input.serialNumber ? ' with an MFA code' : ''}${scopeNote(input)}`);
      const where = viaSts(input.target);
      const out = await call(where, timeoutMs, (abortSignal) =>
        client.send(new sdk.AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.roleSessionName,
          ...(input.durationSeconds !== undefined ? { DurationSeconds: input.durationSeconds } : {}),
          ...(input.externalId !== undefined ? { ExternalId: input.externalId } : {}),
          ...(input.sourceIdentity !== undefined ? { SourceIdentity: input.sourceIdentity } : {}),
          ...(input.tags !== undefined ? { Tags: input.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
          ...(input.transitiveTagKeys !== undefined ? { TransitiveTagKeys: input.transitiveTagKeys } : {}),
          ...(input.policyArns !== undefined ? { PolicyArns: input.policyArns.map((arn) => ({ arn })) } : {}),
          ...(input.policy !== undefined ? { Policy: input.policy } : {}),
          ...(input.serialNumber ? { SerialNumber: input.serialNumber, TokenCode: input.tokenCode } : {}),
        }), { abortSignal }),
      );
      return { credentials: fromSdkCredentials(out, where), assumedRoleArn: out.AssumedRoleUser?.Arn ?? input.roleArn };
    },

    async getCallerIdentity(credentials: Credentials, target: StsTarget): Promise<CallerIdentity> {
      const { sdk, client } = await stsClient(credentials, target);
      debug(`GetCallerIdentity via ${describe(target)}`);
      const where = viaSts(target);
      const out = await call(where, timeoutMs, (abortSignal) => client.send(new sdk.GetCallerIdentityCommand({}), { abortSignal }));
      if (!out.Arn) throw notAws(where, out.$metadata?.httpStatusCode);
      return { account: out.Account ?? '', arn: out.Arn, userId: out.UserId ?? '' };
    },

    async listMfaDevices(keys: LongTermOnly, target: StsTarget): Promise<string[]> {
      const { iam, client } = await iamClient(keys, target);
      debug(`ListMFADevices of the key's own user via ${target.endpoint ?? 'IAM'}`);
      const out = await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.ListMFADevicesCommand({}), { abortSignal }));
      // AWS always sends the list, empty or not: a page without one came from something else.
      if (out.MFADevices === undefined) throw notAws(viaIam(target), out.$metadata?.httpStatusCode);
      return (out.MFADevices ?? []).map((d) => d.SerialNumber ?? '').filter((s) => s !== '');
    },

    async createVirtualMfaDevice(credentials: Credentials, target: StsTarget, name: string): Promise<NewMfaDevice> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`CreateVirtualMFADevice ${name} via ${target.endpoint ?? 'IAM'}`);
      const out = await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }), { abortSignal }));
      const device = out.VirtualMFADevice;
      if (!device?.SerialNumber || !device.Base32StringSeed) throw notAws(viaIam(target), out.$metadata?.httpStatusCode);
      return { serialNumber: device.SerialNumber, base32Seed: device.Base32StringSeed };
    },

    async enableMfaDevice(credentials: Credentials, target: StsTarget, codes: MfaDeviceCodes): Promise<void> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`EnableMFADevice ${codes.serialNumber} for ${codes.userName} via ${target.endpoint ?? 'IAM'}`);
      await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.EnableMFADeviceCommand({ UserName: codes.userName, SerialNumber: codes.serialNumber, AuthenticationCode1: codes.code1, AuthenticationCode2: codes.code2 }), { abortSignal }));
    },

    async resyncMfaDevice(credentials: Credentials, target: StsTarget, codes: MfaDeviceCodes): Promise<void> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`ResyncMFADevice ${codes.serialNumber} for ${codes.userName} via ${target.endpoint ?? 'IAM'}`);
      await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.ResyncMFADeviceCommand({ UserName: codes.userName, SerialNumber: codes.serialNumber, AuthenticationCode1: codes.code1, AuthenticationCode2: codes.code2 }), { abortSignal }));
    },

    async deleteVirtualMfaDevice(credentials: Credentials, target: StsTarget, serialNumber: string): Promise<void> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`DeleteVirtualMFADevice ${serialNumber} via ${target.endpoint ?? 'IAM'}`);
      await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: serialNumber }), { abortSignal }));
    },

    // UserName on every access-key call: they are made with the MFA session, and IAM does not
    // work out the user from temporary credentials (IAM API reference, ListAccessKeys).
    async createAccessKey(credentials: Credentials, target: StsTarget, userName: string) {
      const { iam, client } = await iamClient(credentials, target);
      debug(`CreateAccessKey for ${userName} via ${target.endpoint ?? 'IAM'}`);
      const out = await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.CreateAccessKeyCommand({ UserName: userName }), { abortSignal }));
      const k = out.AccessKey;
      if (!k?.AccessKeyId || !k.SecretAccessKey) throw notAws(viaIam(target), out.$metadata?.httpStatusCode);
      return { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey, createDate: k.CreateDate ? new Date(k.CreateDate) : now() };
    },

    async listAccessKeys(credentials: Credentials, target: StsTarget, userName: string): Promise<AccessKeyInfo[]> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`ListAccessKeys for ${userName} via ${target.endpoint ?? 'IAM'}`);
      const out = await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.ListAccessKeysCommand({ UserName: userName }), { abortSignal }));
      if (out.AccessKeyMetadata === undefined) throw notAws(viaIam(target), out.$metadata?.httpStatusCode);
      return (out.AccessKeyMetadata ?? []).filter((k) => k.AccessKeyId).map((k) => ({ accessKeyId: k.AccessKeyId!, status: k.Status ?? 'Active', createDate: new Date(k.CreateDate ?? 0) }));
    },

    async deleteAccessKey(credentials: Credentials, target: StsTarget, userName: string, accessKeyId: string): Promise<void> {
      const { iam, client } = await iamClient(credentials, target);
      debug(`DeleteAccessKey ${accessKeyId} for ${userName} via ${target.endpoint ?? 'IAM'}`);
      await call(viaIam(target), timeoutMs, (abortSignal) => client.send(new iam.DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }), { abortSignal }));
    },
  };
}

/** For --debug: which tags and policies scope the session (tag values are labels, not secrets). */
function scopeNote(input: AssumeRoleInput): string {
  const parts = [
    input.tags ? `session tags ${input.tags.map((t) => `${t.key}=${t.value}`).join(',')}` : '',
    input.transitiveTagKeys ? `transitive ${input.transitiveTagKeys.join(',')}` : '',
    input.policyArns ? `session policies ${input.policyArns.join(',')}` : '',
    input.policy !== undefined ? `an inline session policy of ${input.policy.length} characters` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? `, with ${parts.join('; ')}` : '';
}

function toSdkCredentials(c: Credentials) {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
}

function fromSdkCredentials(out: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date }; $metadata?: { httpStatusCode?: number } }, where: Where): SessionCredentials {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw notAws(where, out.$metadata?.httpStatusCode);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
}

/** The service a call goes to, and the URL the SDK resolves for it: what its failures are said against. */
interface Where {
  service: 'STS' | 'IAM';
  url: string;
  /** For what the SDK itself said, which goes no further than --debug. */
  debug: (msg: string) => void;
}

/** IAM's URL as the SDK resolves it: the endpoint when one is set, else the partition's one global endpoint. */
function iamUrl(target: StsTarget): string {
  if (target.endpoint) return target.endpoint;
  if (target.region.startsWith('cn-')) return 'https://iam.cn-north-1.amazonaws.com.cn';
  if (target.region.startsWith('us-gov-')) return 'https://iam.us-gov.amazonaws.com';
  return 'https://iam.amazonaws.com';
}

/**
 * An answer that is not AWS's: a proxy's or a captive portal's page, a load balancer's 502, an
 * endpoint_url naming some other server. It refused nothing, so it is never said as a refusal.
 */
function notAws(where: Where, status: number | undefined, serverDate?: Date): StsError {
  return new StsError('NotAwsResponse', `${where.service} at ${where.url} answered with something that is not an AWS response${status !== undefined ? ` (HTTP ${status})` : ''}`, status, serverDate, where.url);
}

/**
 * Turns whatever the SDK throws into an StsError in our words: AWS's own code, message and server
 * time for a refusal AWS made; NetworkError when nothing answered; NotAwsResponse when something
 * else did. The one place the SDK's failures are read: its own wording goes no further than --debug.
 */
async function call<T>(where: Where, timeoutMs: number, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const endpoint = where.url;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new StsError('NetworkError', `no answer within ${formatSeconds(timeoutMs)} (MFA_LOGIN_STS_TIMEOUT)`, undefined, undefined, endpoint));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(abort.signal), deadline]);
  } catch (e) {
    if (e instanceof StsError) throw e;
    const err = e as { name?: string; Code?: string; message?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
    if (err.name === 'TimeoutError') {
      throw new StsError('NetworkError', `no answer within ${formatSeconds(timeoutMs)} (MFA_LOGIN_STS_TIMEOUT)`, undefined, undefined, endpoint);
    }
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined && (err.code || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(String(err.message)))) {
      throw new StsError('NetworkError', `${err.code ?? ''} ${err.message ?? ''}`.trim(), undefined, undefined, endpoint);
    }
    const dateHeader = err.$response?.headers?.date;
    const parsed = dateHeader ? new Date(dateHeader) : undefined;
    const serverDate = parsed && !isNaN(parsed.getTime()) ? parsed : undefined;
    // AWS answers an error with XML that the SDK turns into an exception carrying AWS's code (it
    // has a $fault, and a name other than Unknown). A body it could not read, or one with no error
    // code in it, came from something else, whatever its HTTP status.
    const code = err.Code ?? (err.$fault !== undefined ? err.name : undefined);
    if (code === undefined || code === '' || code === 'Unknown') {
      where.debug(`${where.service} at ${endpoint} answered HTTP ${status ?? '(no status)'}, which the AWS SDK could not read as AWS's: ${String(err.message ?? e).replace(/\s+/g, ' ')}`);
      throw notAws(where, status, serverDate);
    }
    throw new StsError(code, err.message ?? String(e), status, serverDate, endpoint);
  } finally {
    clearTimeout(timer);
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
