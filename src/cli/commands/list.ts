import type { Deps } from '../../deps.js';
import { configHeaderFor } from '../../config/profiles.js';
import { readProfiles, shortPath } from '../../session/profiles-io.js';
import type { StorePlace } from '../../secrets/store.js';

/**
 * `mfa-login list`: the profiles whose keys are stored, in whichever store holds them, with their
 * MFA device. The store new keys go to must be readable (a broken MFA_LOGIN_FILE_STORE fails the
 * command); another that cannot be read now (a key file whose passphrase nobody can type here) is
 * said, and its profiles listed as recorded.
 */
export async function list(deps: Deps, json: boolean): Promise<void> {
  const store = deps.secrets();
  const [found, files] = await Promise.all([store.inventory(), readProfiles(deps)]);
  const same = (a: StorePlace, b: StorePlace) => a.backend === b.backend && a.location === b.location;
  const problem = found.unreadable.find((u) => same(u, found.newKeys))?.problem;
  if (problem !== undefined) throw problem;
  const listed = new Map(found.profiles);
  for (const u of found.unreadable) {
    deps.stderr(`mfa-login: warning: ${shortPath(deps, u.location)} cannot be read (${u.problem.message}); its profiles are listed as recorded\n`);
    for (const [name, place] of found.recorded) if (same(place, u) && !listed.has(name)) listed.set(name, place);
  }
  const rows = [...listed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, place]) => {
    const p = files.profiles.get(name);
    return { profile: name, backend: place.backend, mfaSerial: p?.settings.mfa_serial ?? null, inConfig: p?.inConfig ?? false };
  });
  if (json) {
    deps.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    deps.stdout(`No keys stored in ${shortPath(deps, found.newKeys.location)}. Store some with: mfa-login add PROFILE\n`);
  } else {
    const width = Math.max(7, ...rows.map((r) => r.profile.length));
    deps.stdout(`${'PROFILE'.padEnd(width)}  MFA DEVICE\n`);
    // The keys are stored: the device is one line in the config away, never another `add`.
    for (const r of rows) deps.stdout(`${r.profile.padEnd(width)}  ${r.mfaSerial ?? `(none: add mfa_serial = ARN to [${configHeaderFor(r.profile)}] in ${shortPath(deps, files.configFile)})`}\n`);
  }
}
