import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../../deps.js';
import { MfaLoginError } from '../../errors.js';
import { resolveChain } from '../../config/chain.js';
import { defaultProfileName, type ProfileSet } from '../../config/profiles.js';
import { CHAINED_ROLE_MAX_SECONDS } from '../../providers/assume-role.js';
import { consoleDestination, federationEndpoint, loginUrl, partitionOfArn, signinTokenUrl, SIGNIN_TOKEN_MINUTES } from '../../output/console-url.js';
import type { Credentials } from '../../credentials.js';
import { consoleSettings, regionFor } from '../../settings.js';
import { readProfiles } from '../../session/profiles-io.js';
import { otherUserOf } from '../../net/loopback-peer.js';
import { startChild } from '../../child-process.js';
import { sessionFor } from '../../session/session.js';
import type { SessionScope } from '../../config/session-scope.js';

export interface ConsoleInput {
  profile?: string;
  print: boolean;
  service?: string;
  path?: string;
  /** --duration: the console session's length (SessionDuration). */
  consoleDuration?: number;
  mfaToken?: string;
  region?: string;
  /** --session-tags, --policy-arn and the like: the console session is the narrowed one. */
  scope?: SessionScope;
}

const FETCH_TIMEOUT_MS = 15_000;
/** How long the one-shot redirect waits for the browser to come and take the URL. */
const BROWSER_WAIT_MS = 120_000;

/** `mfa-login console <profile>`: the AWS console in a browser, signed in as the profile's role. */
export async function openConsole(deps: Deps, input: ConsoleInput): Promise<void> {
  const settings = consoleSettings(deps.env);
  const profile = input.profile || defaultProfileName(deps.env);
  const files = await readProfiles(deps);
  const plan = resolveChain(files, profile);
  const role = plan.roles[plan.roles.length - 1];
  if (role === undefined) throw notARole(files, profile);
  // Everything that can be refused is refused before a code is spent.
  // Only a role assumed straight from the IAM user's long-term key escapes role chaining
  // (chain-runner.ts takes that path when duration_seconds asks for more than an hour).
  const chained = !(plan.roles.length === 1 && (role.durationSeconds ?? 0) > CHAINED_ROLE_MAX_SECONDS);
  if (input.consoleDuration !== undefined && chained) {
    throw new MfaLoginError(
      'E_USAGE',
      `--duration cannot be used with ${profile}: its role session comes from role chaining (AssumeRole with the MFA session), and AWS refuses a console SessionDuration for such sessions`,
      { hint: `run without it (the console session then lasts 1 hour): mfa-login console ${profile}   or set duration_seconds above 3600 in [profile ${role.profile}] so the role is assumed straight from the IAM user` },
    );
  }
  const partition = partitionOfArn(role.roleArn);
  // The region of the console page follows the one rule every command uses: --region, then the
  // environment's (unless mfa-login exported it), then the profile's.
  const { region } = regionFor(deps.env, plan.region, input.region);
  const destination = consoleDestination({ partition, ...(region !== undefined ? { region } : {}), ...(input.service !== undefined ? { service: input.service } : {}), ...(input.path !== undefined ? { path: input.path } : {}) });
  const endpoint = federationEndpoint(partition, settings.federationEndpoint);

  const { got } = await sessionFor(deps, { profile, ...(input.mfaToken !== undefined ? { mfaToken: input.mfaToken } : {}), ...(input.region !== undefined ? { region: input.region } : {}), ...(input.scope !== undefined ? { scope: input.scope } : {}) });
  deps.debug(`asking ${new URL(endpoint).host} for a sign-in token for ${role.roleArn}${input.consoleDuration !== undefined ? ` (console session ${input.consoleDuration}s)` : ''}`);
  const token = await signinToken(endpoint, got.credentials, role.roleArn, input.consoleDuration);
  const url = loginUrl(endpoint, token, destination);
  const until = new Date(deps.now().getTime() + SIGNIN_TOKEN_MINUTES * 60_000);
  const goodFor = `good for ${SIGNIN_TOKEN_MINUTES} minutes (until ${until.toISOString().slice(11, 16)} UTC)`;

  if (input.print) {
    deps.stdout(`${url}\n`);
    deps.stderr(`mfa-login: sign-in URL for ${role.roleArn}, ${goodFor}\n`);
    return;
  }
  const opener = browserCommand(deps.env, settings.browser);
  if (opener === undefined) {
    deps.stdout(`${url}\n`);
    deps.stderr(`mfa-login: no browser to open here (no display, no BROWSER set); open the URL above yourself, ${goodFor}\n`);
    return;
  }
  const outcome = await openThroughRedirect(url, opener, deps.stderr, deps.env);
  if (outcome === 'opened') {
    deps.stderr(`mfa-login: opened the AWS console for ${role.roleArn} in your browser\n`);
    return;
  }
  deps.stdout(`${url}\n`);
  deps.stderr(`mfa-login: ${outcome}; open the URL above yourself, ${goodFor}\n`);
}

function notARole(files: ProfileSet, profile: string): MfaLoginError {
  const roles: string[] = [];
  for (const [name, p] of files.profiles) {
    if (p.settings.role_arn === undefined) continue;
    try {
      if (resolveChain(files, name).source.profile === profile) roles.push(name);
    } catch {
      // a broken profile is not a suggestion
    }
  }
  roles.sort();
  return new MfaLoginError('E_NOT_A_ROLE', `${profile} is an IAM user's MFA session (GetSessionToken), and the AWS console sign-in accepts only role sessions`, {
    hint:
      roles.length > 0
        ? `open a role reached from it instead: mfa-login console ${roles[0]}${roles.length > 1 ? `  (also: ${roles.slice(1, 4).join(', ')})` : ''}`
        : `add a role profile (role_arn, source_profile = ${profile}) to ~/.aws/config and open that, or sign in to the console as the IAM user with its password and MFA device`,
  });
}

/** The federation endpoint's getSigninToken, with a bound on the wait. */
async function signinToken(endpoint: string, creds: Credentials, roleArn: string, duration: number | undefined): Promise<string> {
  const host = new URL(endpoint).host;
  let res: Response;
  try {
    res = await fetch(signinTokenUrl(endpoint, creds, duration), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s` : ((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message);
    throw new MfaLoginError('E_STS_UNREACHABLE', `cannot reach the AWS sign-in endpoint ${host}: ${why}`, { hint: 'check your network connection (or MFA_LOGIN_FEDERATION_ENDPOINT), then try again' });
  }
  const body = await res.text().catch(() => '');
  let token: unknown;
  try {
    token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (!res.ok || typeof token !== 'string' || token === '') {
    throw new MfaLoginError('E_STS', `the AWS sign-in endpoint ${host} refused the session of ${roleArn} (HTTP ${res.status}${res.ok ? ', no SigninToken in the answer' : ''})`, {
      hint: 'the role may not allow console sign-in; run with --debug, or try again: a session that has just been revoked is refused too',
    });
  }
  return token;
}

/** What opens a URL here: BROWSER when set, else the desktop's opener when there is a desktop. */
export function browserCommand(env: Record<string, string | undefined>, browser: string | undefined, platform: NodeJS.Platform = process.platform): string[] | undefined {
  if (browser !== undefined) {
    const first = browser.split(':').find((c) => c.trim() !== '');
    if (first !== undefined) return first.trim().split(/\s+/);
  }
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler'];
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return ['xdg-open'];
}

/**
 * The sign-in URL is a credential for 15 minutes: it is not put on the opener's command line
 * (where `ps` shows it to every user) but served once from loopback as a redirect. The opener
 * gets only the address of that redirect, which works once. That address is on the browser's
 * command line, so another user could ask for it first: where the system says who connected
 * (Linux), a connection of another user's (not root's) is refused and reported.
 */
function openThroughRedirect(url: string, opener: string[], warn: (line: string) => void, env: Record<string, string | undefined>): Promise<'opened' | string> {
  const secretPath = `/${randomBytes(16).toString('hex')}`;
  return new Promise((resolve) => {
    let settled = false;
    let refused = 0;
    const finish = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      resolve(outcome);
    };
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== secretPath || settled) {
        res.writeHead(404).end();
        return;
      }
      const peer = otherUserOf(req.socket);
      if (peer !== undefined) {
        if (!refused++) warn(`mfa-login: user id ${peer} asked for the sign-in address before your browser; it was refused\n`);
        res.writeHead(403).end();
        return;
      }
      res.writeHead(302, { Location: url, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).end(() => finish('opened'));
    });
    const timer = setTimeout(() => finish(`the browser did not come for the sign-in URL within ${BROWSER_WAIT_MS / 1000} s`), BROWSER_WAIT_MS);
    server.on('error', (e) => finish(`could not serve the sign-in URL to the browser (${e.message})`));
    server.listen(0, '127.0.0.1', () => {
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}${secretPath}`;
      const args = opener.slice(1);
      const withUrl = args.some((a) => a.includes('%s')) ? args.map((a) => a.replaceAll('%s', local)) : [...args, local];
      const child = startChild(opener[0]!, withUrl, { stdio: 'ignore', detached: true, env });
      child.on('error', (e: NodeJS.ErrnoException) => finish(`could not start ${opener[0]} (${e.code ?? e.message})`));
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) finish(`${opener[0]} exited with status ${code}`);
      });
      child.unref();
    });
  });
}
