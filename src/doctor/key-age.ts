import type { Deps } from '../deps.js';
import { ageInDays, readKeyInfo } from '../secrets/key-info.js';
import { deleteKeyCommand } from '../session/iam-user.js';
import { ok, warn, type Check, type Finding, type Learnt } from './check.js';

/**
 * Each stored key's age (from what add and rotate remembered; no network), and what an interrupted
 * rotate left behind, with the command that cleans it up.
 */
export const keyAge: Check = {
  area: 'keys',
  name: 'access keys',
  async run(deps: Deps, { stored }: Learnt) {
    return stored ? checkKeys(deps, stored) : [];
  },
};

async function checkKeys(deps: Deps, stored: string[]): Promise<Finding[]> {
  const info = await readKeyInfo(deps);
  const { maxAgeDays } = deps.settings.keys;
  const out: Finding[] = [];
  for (const profile of stored) {
    const k = info.keys[profile];
    if (k === undefined) {
      out.push(ok('keys', `key age: ${profile}: unknown (IAM's CreateDate is learnt when the key is added with permission to list keys, or rotated)`));
      continue;
    }
    const days = ageInDays(k.created, deps.now());
    if (days > maxAgeDays) out.push(warn('keys', `key age: ${profile}: ${k.accessKeyId} is ${days} days old, more than ${maxAgeDays} (MFA_LOGIN_KEY_MAX_AGE_DAYS)`, `mfa-login rotate ${profile}`));
    else out.push(ok('keys', `key age: ${profile}: ${k.accessKeyId} is ${days} days old`));
  }
  for (const [profile, r] of Object.entries(info.rotations)) {
    if (r.stage === 'stored') {
      out.push(warn('keys', `rotate ${profile} was interrupted after storing the new key ${r.newKeyId}: the old key ${r.oldKeyId} may still be in IAM`, `mfa-login rotate ${profile}  (deletes ${r.oldKeyId} and finishes)`));
    } else if (r.stage === 'created') {
      out.push(warn('keys', `rotate ${profile} was interrupted after IAM created ${r.newKeyId}, before it was stored: the stored key ${r.oldKeyId} still works, and ${r.newKeyId} is left in IAM`, deleteKeyCommand(profile, r.newKeyId!, r.userName)));
    } else {
      out.push(warn('keys', `rotate ${profile} was interrupted while IAM was creating a new key: the stored key ${r.oldKeyId} still works; IAM may hold a second key`, `mfa-login rotate ${profile}  (lists the keys and names any to delete)`));
    }
  }
  return out;
}
