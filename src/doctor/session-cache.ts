import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { checkPrivateDir, onRam } from '../session-store/private-dir.js';
import { isEntryFile } from '../session-store/entry.js';
import { isRouteFile } from '../session-store/route.js';
import { octal } from '../files/file-safety.js';
import { shortPath } from '../session/profiles-io.js';
import { count } from '../output/count.js';
import { fail, ok, type Check, type Finding } from './check.js';

/** Sessions are bearer credentials: the cache directory must be the user's alone (0700, files 0600). */
export const sessionCache: Check = {
  area: 'cache',
  name: 'session cache',
  run: (deps: Deps) => checkCache(deps),
};

async function checkCache(deps: Deps): Promise<Finding[]> {
  const cache = deps.cache();
  if (cache.mode === 'none') return [ok('cache', `session cache: off (${cache.location}); every command asks STS, and for a code`)];
  if (cache.mode === 'agent') return [ok('cache', `session cache: agent, ${shortPath(deps, cache.location)}`)];
  const dir = cache.location;
  const shown = shortPath(deps, dir);
  let st;
  try {
    st = await fs.stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [ok('cache', `session cache: ${shown} does not exist yet (no session cached)`)];
    throw new MfaLoginError('E_FILE', `cannot read ${dir}: ${(e as Error).message}`);
  }
  const out: Finding[] = [];
  const uid = process.getuid?.();
  if (!st.isDirectory()) return [fail('cache', `session cache: ${shown} is not a directory`, `remove it: rm ${dir}`)];
  if (uid !== undefined && st.uid !== uid) out.push(fail('cache', `session cache: ${shown} belongs to uid ${st.uid}, not to you (uid ${uid})`, `chown -R ${uid} ${dir}`));
  if ((st.mode & 0o077) !== 0) {
    out.push(fail('cache', `session cache: ${shown} is ${octal(st.mode)}, so other users can enter it; it must be 0700`, `chmod 700 ${dir}`));
  }
  // Sessions, and the routes to them (which hold no secret, but are ours alone all the same).
  const ours = (await fs.readdir(dir)).filter((f) => isEntryFile(f) || isRouteFile(f));
  const names = ours.filter(isEntryFile);
  const open: string[] = [];
  for (const f of ours) {
    const s = await fs.stat(path.join(dir, f)).catch(() => undefined);
    if (s !== undefined && (s.mode & 0o077) !== 0) open.push(f);
  }
  if (open.length > 0) {
    out.push(fail('cache', `session cache: ${count(open.length, 'session file')} in ${shown} can be read by others (e.g. ${open[0]} is ${octal((await fs.stat(path.join(dir, open[0]!))).mode)}); they must be 0600`, `chmod 600 ${dir}/*.json`));
  }
  if (cache.mode === 'runtime' && !onRam(dir)) out.push(fail('cache', `session cache: ${shown} is not on a RAM-backed filesystem (tmpfs)`, 'point XDG_RUNTIME_DIR at a tmpfs directory of yours, or use MFA_LOGIN_CACHE=file'));
  if (out.length > 0) return out;
  // What the session store itself refuses beyond the above (a link in the directory's place, a
  // parent others could swap it in), judged by the store's own check: doctor never calls fit a
  // directory every command would refuse. It throws the store's message and hint.
  checkPrivateDir(dir, { create: false, ram: cache.mode === 'runtime', uid });
  return [ok('cache', `session cache: ${shown} is 0700${cache.mode === 'runtime' ? ' on tmpfs' : ''}, ${count(names.length, 'session file')} 0600`)];
}
