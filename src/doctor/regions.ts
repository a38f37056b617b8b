import type { Deps } from '../deps.js';
import { resolveChain } from '../config/chain.js';
import { configHeaderFor, type ProfileSet } from '../config/profiles.js';
import { shortPath } from '../session/profiles-io.js';
import { ok, warn, type Check, type Finding, type Learnt } from './check.js';

/**
 * Every role profile has a region, its own or the nearest up its source_profile chain (what login
 * writes into the profile it writes). Without one, `aws --profile` refuses that profile ("You must
 * specify a region") wherever the environment names none. A warning: AWS_REGION may be how the
 * user means to give it. Profiles that do not resolve are the profiles check's to report.
 */
export const regions: Check = {
  area: 'config',
  name: 'regions',
  async run(deps: Deps, { files }: Learnt) {
    return files ? checkRegions(deps, files) : [];
  },
};

function checkRegions(deps: Deps, files: ProfileSet): Finding[] {
  const roles = [...files.profiles.values()].filter((p) => p.settings.role_arn !== undefined).map((p) => p.name).sort();
  const resolved: string[] = [];
  const missing: string[] = [];
  for (const name of roles) {
    let region: string | undefined;
    try {
      region = resolveChain(files, name).region;
    } catch {
      continue;
    }
    resolved.push(name);
    if (region === undefined) missing.push(name);
  }
  if (resolved.length === 0) return [];
  if (missing.length === 0) return [ok('config', `regions: every role profile has one (${resolved.join(', ')})`)];
  const one = missing.length === 1;
  return [
    warn(
      'config',
      `regions: ${missing.join(', ')} ${one ? 'has' : 'have'} no region, nor ${one ? 'does any profile up its' : 'do the profiles up their'} source_profile chain: "aws --profile" fails with "You must specify a region" for the session${one ? '' : 's'} mfa-login writes for ${one ? 'it' : 'them'} wherever AWS_REGION is not set`,
      `add region = REGION to ${missing.map((n) => `[${configHeaderFor(n)}]`).join(', ')} in ${shortPath(deps, files.configFile)}`,
    ),
  ];
}
