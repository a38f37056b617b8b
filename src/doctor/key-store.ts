import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { shortPath } from '../session/profiles-io.js';
import { count } from '../output/count.js';
import { ok, type Check, type Learnt } from './check.js';

/** The key store can be opened and lists the profiles with stored keys (no secret is read). */
export const keyStore: Check = {
  area: 'keychain',
  name: 'key store',
  async run(deps: Deps, learnt: Learnt) {
    const store = deps.secrets();
    learnt.storeName = `${store.backend} ${shortPath(deps, store.location)}`;
    let stored: string[];
    try {
      stored = await store.list();
    } catch (e) {
      if (e instanceof MfaLoginError && e.code === 'E_MFA_NO_SOURCE') {
        throw new MfaLoginError('E_FILE_STORE_PASSPHRASE', `${learnt.storeName} needs its passphrase and there is no terminal to ask on`, { hint: 'set MFA_LOGIN_FILE_PASSPHRASE, or run mfa-login doctor in a terminal' });
      }
      throw e;
    }
    learnt.stored = stored;
    return [ok('keychain', `key store: ${learnt.storeName} is readable, ${stored.length === 0 ? 'no keys stored yet' : `keys for ${count(stored.length, 'profile')}`}`)];
  },
};
