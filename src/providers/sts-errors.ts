import { MfaLoginError } from '../errors.js';
import { StsError } from '../sts/sts.js';

export interface CallContext {
  action: 'GetSessionToken' | 'AssumeRole' | 'GetCallerIdentity' | 'ListMFADevices';
  profile: string;
  /** The role being assumed, for AssumeRole. */
  roleArn?: string;
  serial?: string;
  accessKeyId?: string;
  /** Where the setting that likely needs fixing lives. */
  configFile?: string;
  /** The keys were just given (`add`), not read from the store: a refusal stores nothing. */
  keysJustGiven?: boolean;
}

/**
 * Turns an STS refusal into one line that says what went wrong in the user's terms and what to do.
 * Matching is on the code and the stable start of AWS's message (src/aws-stand-in/aws-rules.md
 * names the AWS page that documents each).
 */
export function explainStsError(e: unknown, ctx: CallContext): unknown {
  if (!(e instanceof StsError)) return e;
  const m = e.message;
  const who = `profile ${ctx.profile}`;
  const unanswered = notAnsweredByAws(e, 'STS');
  if (unanswered !== undefined) return unanswered;
  if (e.code === 'AccessDenied' && m.startsWith('MultiFactorAuthentication failed')) {
    const off = skewSeconds(e);
    if (off !== undefined && Math.abs(off) > 30) {
      return new MfaLoginError('E_MFA_REJECTED', `STS refused the MFA code for ${ctx.serial ?? 'the MFA device'} (${who}), and this computer's clock is ${Math.abs(off)}s ${off > 0 ? 'ahead of' : 'behind'} AWS: codes depend on the time`, {
        hint: 'set the clock right (enable NTP: timedatectl set-ntp true), then try a new code',
        cause: e,
      });
    }
    return new MfaLoginError('E_MFA_REJECTED', `STS refused the MFA code for ${ctx.serial ?? 'the MFA device'} (${who}): a wrong code, a code already used, or a device that is not this user's`, {
      // GetSessionToken's profile is the IAM user's, which is what a resync needs.
      hint: `wait for the next code and try again; if it keeps failing, check mfa_serial in ${ctx.configFile ?? 'the config file'}${ctx.action === 'GetSessionToken' ? `, or resync the device: mfa-login mfa resync ${ctx.profile}` : ''}`,
      cause: e,
    });
  }
  if (e.code === 'ValidationError' && /tokenCode/.test(m)) {
    return new MfaLoginError('E_MFA_CODE', 'STS refused the code as malformed: it must be 6 digits', { cause: e });
  }
  if (e.code === 'ValidationError' && /role chaining/.test(m)) {
    return new MfaLoginError('E_STS', `${ctx.roleArn} cannot be assumed for longer than 1 hour through another role (${who})`, {
      hint: 'lower duration_seconds to 3600 or less for this profile',
      cause: e,
    });
  }
  if (e.code === 'ValidationError' && /DurationSeconds/.test(m)) {
    return new MfaLoginError('E_STS', `STS refused the requested duration for ${ctx.roleArn ?? ctx.action} (${who}): ${m}`, {
      hint: 'lower duration_seconds, or raise the role\'s maximum session duration in IAM',
      cause: e,
    });
  }
  if (ctx.keysJustGiven === true && (e.code === 'InvalidClientTokenId' || e.code === 'SignatureDoesNotMatch') && !/expired|skew/i.test(m)) {
    // From `add`: the keys were just given, nothing is stored yet.
    return new MfaLoginError('E_STS', e.code === 'InvalidClientTokenId' ? `AWS does not recognise the access key ${ctx.accessKeyId ?? ''} you gave; nothing was stored` : `the secret key you gave does not match access key ${ctx.accessKeyId ?? ''}; nothing was stored`, {
      hint: 'check the key in the IAM console (Security credentials), or create a new access key there',
      cause: e,
    });
  }
  if (e.code === 'InvalidClientTokenId') {
    return new MfaLoginError('E_STS', `AWS does not recognise the access key ${ctx.accessKeyId ?? ''} stored for ${who}`.replace('  ', ' '), {
      hint: `store the current keys with: mfa-login add ${ctx.profile}`,
      cause: e,
    });
  }
  if (e.code === 'SignatureDoesNotMatch' || e.code === 'RequestExpired') {
    if (/expired|skew/i.test(m)) {
      return new MfaLoginError('E_STS', `STS refused the request because this computer's clock is off${skew(e)}`, {
        hint: 'set the clock right (enable NTP: timedatectl set-ntp true) and try again',
        cause: e,
      });
    }
    return new MfaLoginError('E_STS', `the secret key stored for ${who} does not match its access key ${ctx.accessKeyId ?? ''}`.trimEnd(), {
      hint: `store the current keys with: mfa-login add ${ctx.profile}`,
      cause: e,
    });
  }
  if (e.code === 'AccessDenied' && ctx.action === 'AssumeRole') {
    const caller = /^User: (\S+) is not authorized/.exec(m)?.[1];
    return new MfaLoginError('E_STS_ACCESS_DENIED', `${caller ?? 'the caller'} may not assume ${ctx.roleArn} (${who}): the role's trust policy does not trust this caller, requires MFA it did not get, or expects a different external_id`, {
      hint: 'check the role\'s trust policy, and mfa_serial / external_id for this profile',
      cause: e,
    });
  }
  if (e.code === 'ExpiredToken') {
    return new MfaLoginError('E_STS', `the cached session for ${who} has expired`, { hint: `forget it with: mfa-login logout ${ctx.profile}`, cause: e });
  }
  return new MfaLoginError('E_STS', `STS refused ${ctx.action} for ${who}: ${e.code}: ${m}`, { cause: e });
}

/**
 * A call AWS never answered, in the same words for STS and IAM: nothing answered (NetworkError),
 * or something else did (NotAwsResponse: a proxy's page, an endpoint_url naming another server).
 * Neither is a refusal, so neither is said as one. Undefined for an answer from AWS.
 */
export function notAnsweredByAws(e: StsError, service: 'STS' | 'IAM'): MfaLoginError | undefined {
  const variables = `endpoint_url / AWS_ENDPOINT_URL_${service} / AWS_ENDPOINT_URL`;
  if (e.code === 'NetworkError') {
    return new MfaLoginError('E_STS_UNREACHABLE', `cannot reach ${service} at ${e.endpoint} (${e.message})`, {
      hint: `check the network, the region, and ${variables}`,
      cause: e,
    });
  }
  if (e.code === 'NotAwsResponse') {
    // AWS's own host answered with something else only through a proxy or a captive portal.
    const own = /^https:\/\/[^/]+\.amazonaws\.com(\.cn)?\/?$/.test(e.endpoint);
    return new MfaLoginError('E_STS_UNREACHABLE', e.message, {
      hint: own
        ? 'a proxy, firewall or captive portal answered in its place: check the network; --debug says more'
        : `${e.endpoint} does not answer as ${service} does: check ${variables}; --debug says more`,
      cause: e,
    });
  }
  return undefined;
}

function skewSeconds(e: StsError): number | undefined {
  return e.serverDate === undefined ? undefined : Math.round((Date.now() - e.serverDate.getTime()) / 1000);
}

function skew(e: StsError): string {
  const seconds = skewSeconds(e);
  return seconds === undefined ? '' : ` by about ${Math.abs(seconds)}s (${seconds > 0 ? 'ahead of' : 'behind'} AWS)`;
}
