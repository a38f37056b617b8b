import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { resolveChain } from '../config/chain.js';
import { nearMisses } from '../config/near-miss.js';
import { configHeaderFor, type ProfileSet } from '../config/profiles.js';
import { shortPath } from '../session/profiles-io.js';
import { fail, notChecked, ok, tilde, warn, type Check, type Finding, type Learnt } from './check.js';

/** Every profile that takes part in a chain resolves, with a well-formed mfa_serial, and its source has keys. */
export const profiles: Check = {
  area: 'config',
  name: 'profiles',
  async run(deps: Deps, { files, stored, storeName }: Learnt) {
    return files ? checkProfiles(deps, files, stored, storeName) : [notChecked('config', 'profiles')];
  },
};

function checkProfiles(deps: Deps, files: ProfileSet, stored: string[] | undefined, storeName: string): Finding[] {
  const out: Finding[] = [];
  const resolved: string[] = [];
  const sources = new Map<string, string[]>();
  for (const [name, p] of [...files.profiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p.settings.role_arn === undefined && p.settings.mfa_serial === undefined) continue;
    try {
      const plan = resolveChain(files, name);
      resolved.push(name);
      sources.set(plan.source.profile, [...(sources.get(plan.source.profile) ?? []), name]);
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      out.push(fail('config', `profile ${name}: ${tilde(deps, e.message)}`, tilde(deps, e.hint ?? `fix [${configHeaderFor(name)}] in ${shortPath(deps, files.configFile)}`)));
    }
  }
  if (resolved.length > 0) out.unshift(ok('config', `profiles: ${resolved.length === 1 ? 'the chain of' : `${resolved.length} chains resolve:`} ${resolved.join(', ')}${resolved.length === 1 ? ' resolves' : ''}`));
  else if (out.length === 0) out.push(ok('config', 'profiles: none has role_arn or mfa_serial yet'));
  for (const w of nearMisses([...files.profiles.values()])) {
    const meant = / did you mean (\S+)\?$/.exec(w)?.[1];
    out.push(warn('config', `profile settings: ${tilde(deps, w)}`, meant ? `rename the key to ${meant}, or remove it` : undefined));
  }
  if (stored !== undefined) {
    for (const [source, users] of sources) {
      if (stored.includes(source)) continue;
      const inCredentials = files.profiles.get(source)?.settings.aws_access_key_id !== undefined;
      out.push(
        warn(
          'config',
          `profile ${source}: no keys stored in ${storeName} (used by ${users.join(', ')})`,
          inCredentials ? `move its keys from ${shortPath(deps, files.credentialsFile)} into the key store: mfa-login add ${source} --import` : `mfa-login add ${source}`,
        ),
      );
    }
  }
  return out;
}
