import type { Deps } from '../deps.js';
import { lstatIfAny, openToOthers, tooOpenWarning, whyNotReplaceable } from '../files/file-safety.js';
import { readProfiles, shortPath } from '../session/profiles-io.js';
import { count } from '../output/count.js';
import { ok, warn, type Check, type Finding, type Learnt } from './check.js';

/** The AWS config and credentials files parse; the credentials file is its owner's alone. */
export const configFiles: Check = {
  area: 'config',
  name: 'config files',
  async run(deps: Deps, learnt: Learnt) {
    const read = await readProfiles(deps);
    learnt.files = read;
    const present = [read.configText !== undefined && shortPath(deps, read.configFile), read.credentialsText !== undefined && shortPath(deps, read.credentialsFile)].filter((x): x is string => x !== false);
    if (present.length === 0) {
      return [warn('config', `config files: neither ${shortPath(deps, read.configFile)} nor ${shortPath(deps, read.credentialsFile)} exists`, 'store an IAM user\'s keys and record its MFA device with: mfa-login add PROFILE')];
    }
    return [ok('config', `config files: ${present.join(' and ')} parse (${count(read.profiles.size, 'profile')})`), ...(await checkCredentialsFile(deps, read.credentialsFile))];
  },
};

/** Sessions written to the credentials file are bearer tokens: only its owner may read it. */
async function checkCredentialsFile(deps: Deps, file: string): Promise<Finding[]> {
  const st = await lstatIfAny(file);
  if (st === undefined || st.isSymbolicLink()) return [];
  const out: Finding[] = [];
  if (openToOthers(st)) out.push(warn('config', `credentials file: ${tooOpenWarning(shortPath(deps, file), st).replace(/; fix it with: .*$/, '')}`, `chmod 600 ${file}`));
  const why = whyNotReplaceable(file, st);
  if (why !== undefined) out.push(warn('config', `credentials file: mfa-login will not write ${shortPath(deps, file)}: ${why}`));
  return out;
}
