import type { Deps } from '../../deps.js';
import { accountOf, resolveChain, type ChainPlan } from '../../config/chain.js';
import { parentProcessName } from '../../terminal/parent-process.js';
import { defaultProfileName } from '../../config/profiles.js';
import { credentialsFor, type Obtained } from '../../providers/credentials-for.js';
import { chainKeys, targetKey } from '../../providers/chain-keys.js';
import { formatCredentialProcess } from '../../output/credential-process.js';
import { detectShell, formatExports, formatUnset, saving, type Shell } from '../../output/exports.js';
import { toRfc3339 } from '../../output/rfc3339.js';
import { isatty } from 'node:tty';
import { regionFor, withRegion, type RegionHandover } from '../../settings.js';
import { readProfiles } from '../profiles-io.js';
import { codeSourceFor } from './code.js';
import { refuseHookProfile } from './hook-profile.js';

export interface SessionInput {
  profile?: string;
  /** How the user called this (`mfa-env`, `mfa-login credential-process`), for hints that name a command. */
  calledAs?: string;
  mfaToken?: string;
  duration?: number;
  /** --region: over the profile's region, for STS and for what the tools are given. */
  region?: string;
}

/**
 * Resolves a profile and obtains its credentials (from the cache when it can), with the region its
 * tools are to be given (settings.ts, regionFor).
 */
export async function sessionFor(deps: Deps, input: SessionInput): Promise<{ plan: ChainPlan; got: Obtained; region: RegionHandover }> {
  const profile = input.profile || defaultProfileName(deps.env);
  const files = await readProfiles(deps);
  const plan = resolveChain(files, profile);
  refuseHookProfile(files, plan, input.calledAs ?? 'mfa-login session');
  warn(deps, plan);
  const region = regionFor(deps.env, plan.region, input.region);
  if (input.region !== undefined) {
    // As the AWS CLI's --region: it beats AWS_REGION and the config, for STS as for the tools.
    // Sessions are cached per partition, so another region of the same one reuses them.
    deps = { ...deps, env: withRegion(deps.env, input.region) };
  }
  const got = await credentialsFor(deps, plan, {
    // credential_process and mfa-env run where nobody reads stderr; this is what to do instead.
    codeSource: () => codeSourceFor(deps, plan, input.mfaToken, `mfa-login session ${profile}`),
    ...(input.duration !== undefined ? { sessionDurationSeconds: input.duration } : {}),
    ...(deps.settings.testHooks.minValidityMs !== undefined ? { minValidityMs: deps.settings.testHooks.minValidityMs } : {}),
  });
  // With --region the answer is not the profile's own: the cached path never answers for it.
  if (input.region === undefined && plan.warnings.length === 0) await noteRoute(deps, profile, files, plan);
  return { plan, got, region };
}

/** Lets the cached path answer the next call for this profile without the config (cache/route.ts). */
async function noteRoute(deps: Deps, profile: string, files: Awaited<ReturnType<typeof readProfiles>>, plan: ChainPlan): Promise<void> {
  const store = deps.cache();
  if (store.noteRoute === undefined) return;
  const accountId = accountOf(plan);
  try {
    await store.noteRoute({
      profile,
      files: { configFile: files.configFile, credentialsFile: files.credentialsFile },
      texts: [files.configText, files.credentialsText],
      env: deps.env,
      key: targetKey(chainKeys(plan, deps.env)),
      ...(accountId !== undefined ? { accountId } : {}),
      // The profile's own: the cached path puts the environment's in front of it as regionFor does.
      ...(plan.region !== undefined ? { region: plan.region } : {}),
    });
  } catch (e) {
    // Only the next call's speed depends on it.
    deps.debug(`the route of ${profile} was not noted: ${(e as Error).message}`);
  }
}

/** Misspelt keys are reported on stderr, which credential_process callers capture and drop. */
export function warn(deps: Deps, plan: ChainPlan): void {
  for (const w of plan.warnings) deps.stderr(`mfa-login: warning: ${w}\n`);
}

export { accountOf };

/** `mfa-login credential-process <profile>`: the JSON the SDKs read, and nothing else on stdout. */
export async function credentialProcess(deps: Deps, input: SessionInput): Promise<void> {
  const { plan, got } = await sessionFor(deps, { ...input, calledAs: 'mfa-login credential-process' });
  deps.stdout(formatCredentialProcess(got.credentials, accountOf(plan)));
}

/** `mfa-login session <profile>`: start or check the session without printing any secret. */
export async function session(deps: Deps, input: SessionInput): Promise<void> {
  const { plan, got } = await sessionFor(deps, { ...input, calledAs: 'mfa-login session' });
  const minutes = Math.round((got.credentials.expiration.getTime() - deps.now().getTime()) / 60000);
  const what = plan.roles.length > 0 ? plan.roles[plan.roles.length - 1]!.roleArn : `the MFA session of ${plan.source.profile}`;
  deps.stdout(`${plan.target}: ${what}, valid until ${toRfc3339(got.credentials.expiration)} (${minutes} min${got.fromCache ? ', cached' : ''}).\n`);
}

export interface EnvInput extends SessionInput {
  shell?: Shell;
  unset: boolean;
}

/** `mfa-env [<profile>]`: statements for the user's shell to evaluate. */
export async function env(deps: Deps, input: EnvInput): Promise<void> {
  const shell = input.shell ?? detectShell(deps.env, parentProcessName());
  deps.debug(`formatting for ${shell}${input.shell ? ' (--shell)' : ' (detected)'}`);
  if (input.unset) {
    deps.stdout(formatUnset(shell, deps.env));
    return;
  }
  const { plan, got, region } = await sessionFor(deps, { ...input, calledAs: 'mfa-env' });
  deps.stdout(formatExports(got.credentials, { shell, ...region, ...saving(deps.env) }));
  // On a terminal the statements land on the screen, secret included, and change nothing.
  if (isatty(1)) deps.stderr(`${terminalHint(shell, input.profile ?? plan.target, parentProcessName())}\n`);
}

/** One line: how to have the shell run what mfa-env prints, and the switch that does it for you. */
export function terminalHint(shell: Shell, profile: string, parent?: string): string {
  const p = /^[\w.@+=,:/-]+$/.test(profile) ? profile : `'${profile.replace(/'/g, `'\\''`)}'`;
  const [run, init] =
    shell === 'fish'
      ? [`mfa-env ${p} | source`, 'mfa-login shell-init fish | source']
      : shell === 'powershell'
        ? [`mfa-env ${p} | Invoke-Expression`, 'mfa-login shell-init powershell | Out-String | Invoke-Expression']
        : [`eval "$(mfa-env ${p})"`, `eval "$(mfa-login shell-init ${/zsh$/.test(parent ?? '') ? 'zsh' : 'bash'})"`];
  return `mfa-env: these lines only print the credentials; to set them in this shell run: ${run}  (or once: ${init}, then: mfa-use ${p})`;
}
