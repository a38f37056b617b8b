import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Deps } from '../deps.js';
import { stsSettings, type StsSettings } from '../config/chain.js';
import { defaultProfileName } from '../config/profiles.js';
import { stsTarget, stsUrl } from '../sts/sts.js';
import { CLOCK_SKEW_LIMIT_S } from '../sts/aws-sdk-sts.js';
import { readProfiles } from '../session/profiles-io.js';
import { fail, ok, warn, type Check, type Finding, type Learnt } from './check.js';

/**
 * Our clock against STS's, from the Date header of one unauthenticated request (STS answers it
 * with an error, and the header, without any credentials). AWS refuses signatures more than
 * 5 minutes off, and a skewed clock makes cached sessions look valid when STS says they expired.
 */
export const clock: Check = {
  area: 'clock',
  name: 'clock',
  slow: true,
  run: (deps: Deps, { clockTimeoutMs }: Learnt) => checkClock(deps, clockTimeoutMs),
};

async function checkClock(deps: Deps, timeoutMs: number): Promise<Finding[]> {
  const endpoint = stsUrl(stsTarget(await defaultProfileSts(deps), deps.env));
  const t0 = deps.now().getTime();
  let date: string | undefined;
  try {
    date = await dateHeader(endpoint, timeoutMs);
  } catch (e) {
    return [warn('clock', `clock: not checked, STS at ${endpoint} cannot be reached (${(e as Error).message})`, 'check the network or proxy; AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL choose another endpoint')];
  }
  const t1 = deps.now().getTime();
  const server = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(server)) return [warn('clock', `clock: not checked, ${endpoint} sent no usable Date header`)];
  // The header has whole seconds: the server's clock read somewhere in [server, server + 1 s).
  const skew = server + 500 - (t0 + t1) / 2;
  const size = formatSeconds(Math.abs(skew));
  if (Math.abs(skew) <= CLOCK_SKEW_LIMIT_S * 1000) return [ok('clock', `clock: within ${Math.abs(skew) < 1500 ? '1 s' : size} of STS at ${endpoint}`)];
  return [
    fail(
      'clock',
      `clock: this machine is ${size} ${skew > 0 ? 'behind' : 'ahead of'} STS at ${endpoint} (more than ${CLOCK_SKEW_LIMIT_S} s); AWS refuses requests beyond 5 min and session expiry is misjudged`,
      'enable time synchronisation (NTP): sudo timedatectl set-ntp true',
    ),
  ];
}

/**
 * The STS settings of the profile commands use by default ($AWS_PROFILE, else default), so the
 * clock is checked against the endpoint they call (FIPS, regional, endpoint_url); none when the
 * files do not parse, which the config check reports on its own.
 */
async function defaultProfileSts(deps: Deps): Promise<StsSettings> {
  try {
    const p = (await readProfiles(deps)).profiles.get(defaultProfileName(deps.env));
    return p ? stsSettings(p) : {};
  } catch {
    return {};
  }
}

/** The Date header of a HEAD request to `url`; no redirect is followed, no credentials are sent. */
function dateHeader(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('not a URL'));
      return;
    }
    const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send(target, { method: 'HEAD', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.headers.date);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
