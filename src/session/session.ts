import type { Deps } from '../deps.js';
import { accountOf, resolveChain, withScope, type ChainPlan } from '../config/chain.js';
import { isEmptyScope, type SessionScope } from '../config/session-scope.js';
import { defaultProfileName } from '../config/profiles.js';
import { codeSessionOf, runChain, targetMaxSeconds, type Obtained } from '../providers/chain-runner.js';
import { MfaLoginError } from '../errors.js';
import { formatDuration } from '../output/duration.js';
import { regionFor, withRegion, type RegionHandover } from '../settings.js';
import { codeSourceFor } from './code-source.js';
import type { NoTerminalAdvice } from '../mfa/code-source.js';
import { refuseHookProfile } from './hook-profile.js';
import { readProfiles, type ProfileFiles } from './profiles-io.js';

export interface SessionInput {
  profile?: string;
  /** How the user called this (`mfa-env`, `mfa-login credential-process`), for hints that name a command. */
  calledAs?: string;
  mfaToken?: string;
  duration?: number;
  /** --region: over the profile's region, for STS and for what the tools are given. */
  region?: string;
  /** --session-tags, --policy-arn and the like: over the profile's own, for the target role's session. */
  scope?: SessionScope;
  /** --ensure, in seconds; at the start the session must still last that long (Ensure). */
  ensure?: Ensure;
}

/**
 * --ensure: what must last. When the credentials are renewed (`exec --server`, `serve`) it is the
 * session they are renewed from, the one a code is spent on; when they are not (keys in plain
 * exec's environment) it is the credentials themselves.
 */
export interface Ensure {
  seconds: number;
  renewed: boolean;
}

/**
 * Resolves a profile and obtains its credentials (from the cache when it can), with the region its
 * tools are to be given (settings.ts, regionFor). What exec, serve, console, rotate, mfa-env and
 * credential_process share; the cached path answers the next call for the profile from the route
 * noted here.
 */
export async function sessionFor(deps: Deps, input: SessionInput): Promise<{ plan: ChainPlan; got: Obtained; region: RegionHandover }> {
  const profile = input.profile || defaultProfileName(deps.env);
  const files = await readProfiles(deps);
  const resolved = resolveChain(files, profile);
  checkPlan(deps, files, resolved, input.calledAs ?? 'mfa-login session');
  // Before the code source is chosen: options STS would refuse, or that fit no role, cost no code.
  const plan = withScope(resolved, input.scope ?? {});
  const region = regionFor(deps.env, plan.region, input.region);
  if (input.ensure !== undefined) refuseEnsure(deps, plan, input.ensure);
  const asked = deps.now().getTime();
  const got = await obtain(withRegionFlag(deps, input.region), plan, {
    // credential_process and mfa-env run where nobody reads stderr; this is what to do instead.
    // `session PROFILE` would hand back the cached session however short: with --ensure only a run
    // that ensures as much makes one that lasts (exec --server, for the MFA session behind a role too).
    byHand: input.ensure === undefined ? `mfa-login session ${profile}` : ensureByHand(profile, input.ensure),
    ...(input.mfaToken !== undefined ? { mfaToken: input.mfaToken } : {}),
    ...(input.duration !== undefined ? { duration: input.duration } : {}),
    ...(deps.settings.testHooks.minValidityMs !== undefined ? { minValidityMs: deps.settings.testHooks.minValidityMs } : {}),
    ...(input.ensure !== undefined ? { ensure: input.ensure } : {}),
  });
  // STS gives the account's root user an hour whatever was asked: known only now. A minute of
  // slack for expirations in whole seconds and the time the call took.
  if (input.ensure !== undefined && got.ensuredUntil !== undefined && got.ensuredUntil.getTime() < asked + input.ensure.seconds * 1000 - 60_000) {
    // STS's answer, not the flag, fell short (exit 6, as a refused duration); the session is cached.
    const left = Math.floor((got.ensuredUntil.getTime() - deps.now().getTime()) / 60_000) - 1;
    throw new MfaLoginError('E_STS', `--ensure ${formatDuration(input.ensure.seconds)}: STS gave ${plan.target} a session that ends at ${got.ensuredUntil.toISOString()}, sooner (the account's root user gets at most 1 hour)`, {
      hint: left >= 1 ? `the session is cached: --ensure ${formatDuration(left * 60)} or less takes it without a code; an IAM user's keys get sessions of up to 36h` : `use an IAM user's keys: their sessions last up to 36h`,
    });
  }
  // With --region or a scope the answer is not the profile's own: the cached path never answers for
  // it (a plain `credential-process PROFILE` would be handed the narrowed session).
  if (input.region === undefined && isEmptyScope(input.scope) && plan.warnings.length === 0) await noteRoute(deps, profile, files, plan, got.key);
  return { plan, got, region };
}

/**
 * What every command that obtains a session checks of the plan first: a profile that only stands
 * for another (`mfa-login setup` wrote it) is refused, and misspelt keys are warned about.
 */
export function checkPlan(deps: Deps, files: ProfileFiles, plan: ChainPlan, calledAs: string): void {
  refuseHookProfile(files, plan, calledAs);
  warn(deps, plan);
}

/** Misspelt keys are reported on stderr, which credential_process callers capture and drop. */
function warn(deps: Deps, plan: ChainPlan): void {
  for (const w of plan.warnings) deps.stderr(`mfa-login: warning: ${w}\n`);
}

/**
 * Deps for a run with --region: as the AWS CLI's, it beats AWS_REGION and the config, for STS as
 * for the tools. Sessions are cached per partition, so another region of the same one reuses them.
 */
export function withRegionFlag(deps: Deps, region: string | undefined): Deps {
  return region === undefined ? deps : { ...deps, env: withRegion(deps.env, region) };
}

/** An --ensure longer than the session it is about can ever last is refused before any code is asked for. */
function refuseEnsure(deps: Deps, plan: ChainPlan, ensure: Ensure): void {
  const code = codeSessionOf(plan, deps.env);
  const wanted = formatDuration(ensure.seconds);
  if (!ensure.renewed && !code.isTarget) {
    const most = targetMaxSeconds(plan, deps.env);
    if (ensure.seconds > most) {
      throw new MfaLoginError('E_USAGE', `--ensure ${wanted}: the keys exec gives ${plan.target} last at most ${formatDuration(most)} (a role session), and keys in a command's environment are not renewed`, {
        hint: `with --server they are renewed for as long as the MFA session lasts: mfa-login exec --server --ensure ${wanted} ${plan.target} -- COMMAND`,
      });
    }
  } else if (ensure.seconds > code.maxSeconds) {
    throw new MfaLoginError('E_USAGE', `--ensure ${wanted}: the session of ${code.profile} lasts at most ${formatDuration(code.maxSeconds)} (its duration_seconds; the role is assumed with a code)`, {
      hint: `use --ensure ${formatDuration(code.maxSeconds)} or less, or raise duration_seconds in [profile ${code.profile}] (a role allows at most 12h)`,
    });
  }
}

/** What to do when --ensure needs a code and there is no terminal: run one that asks, in a terminal. */
function ensureByHand(profile: string, ensure: Ensure): NoTerminalAdvice {
  const wanted = formatDuration(ensure.seconds);
  return {
    why: `--ensure ${wanted} wants a session that lasts ${wanted} more, and none cached does`,
    hint: `run this in a terminal first, where the code can be asked for: mfa-login exec --server --ensure ${wanted} ${profile} -- true  (or pass --mfa-token)`,
  };
}

export interface ObtainOptions {
  /** The command to run by hand in a terminal when a code is needed and there is none to ask on. */
  byHand: string | NoTerminalAdvice;
  mfaToken?: string;
  /** --duration: the MFA session's length. */
  duration?: number;
  minValidityMs?: number;
  ensure?: Ensure;
}

/** The plan's credentials through the chain runner, with the code source picked for this run. */
export function obtain(deps: Deps, plan: ChainPlan, options: ObtainOptions): Promise<Obtained> {
  return runChain(deps, plan, {
    codeSource: () => codeSourceFor(deps, plan, options.mfaToken, options.byHand),
    ...(options.duration !== undefined ? { sessionDurationSeconds: options.duration } : {}),
    ...(options.minValidityMs !== undefined ? { minValidityMs: options.minValidityMs } : {}),
    ...(options.ensure !== undefined ? { ensure: { ms: options.ensure.seconds * 1000, of: options.ensure.renewed ? ('code-session' as const) : ('target' as const) } } : {}),
  });
}

/** Lets the cached path answer the next call for this profile without the config (session-store/route.ts). */
async function noteRoute(deps: Deps, profile: string, files: ProfileFiles, plan: ChainPlan, key: string): Promise<void> {
  const accountId = accountOf(plan);
  try {
    await deps.routes().noteRoute({
      profile,
      files: { configFile: files.configFile, credentialsFile: files.credentialsFile },
      texts: [files.configText, files.credentialsText],
      env: deps.env,
      key,
      ...(accountId !== undefined ? { accountId } : {}),
      // The profile's own: the cached path puts the environment's in front of it as regionFor does.
      ...(plan.region !== undefined ? { region: plan.region } : {}),
    });
  } catch (e) {
    // Only the next call's speed depends on it.
    deps.debug(`the route of ${profile} was not noted: ${(e as Error).message}`);
  }
}
