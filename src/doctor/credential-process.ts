import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { MfaLoginError } from '../errors.js';
import { resolveChain } from '../config/chain.js';
import { configHeaderFor, type ProfileSet } from '../config/profiles.js';
import { splitCommand } from '../config/split-command.js';
import { fail, notChecked, ok, tilde, type Check, type Finding, type Learnt } from './check.js';

/**
 * The credential_process lines that call mfa-login: AWS tools run them with their own PATH, so the
 * program (and the script, when the program is node) must be absolute paths that exist, and the
 * profile handed to `credential-process` must resolve.
 */
export const credentialProcess: Check = {
  area: 'hooks',
  name: 'credential_process',
  async run(deps: Deps, { files }: Learnt) {
    return files ? checkHooks(deps, files) : [notChecked('hooks', 'credential_process')];
  },
};

async function checkHooks(deps: Deps, files: ProfileSet): Promise<Finding[]> {
  const out: Finding[] = [];
  let checked = 0;
  for (const [name, p] of files.profiles) {
    const command = p.settings.credential_process;
    if (command === undefined || !command.includes('mfa-login')) continue;
    checked++;
    const where = `credential_process of [${configHeaderFor(name)}] (${tilde(deps, p.where.credential_process ?? '')})`;
    const words = splitCommand(command);
    const i = words.indexOf('credential-process');
    const target = i >= 0 ? words[i + 1] : undefined;
    const redo = target ? `mfa-login setup ${target} --name ${name}` : `mfa-login setup PROFILE --name ${name}`;
    const program = words[0] ?? '';
    const files_ = isNode(program) ? [program, words[1] ?? ''] : [program];
    let problem: string | undefined;
    for (const [k, f] of files_.entries()) {
      problem = await pathProblem(f, k === 0);
      if (problem !== undefined) {
        problem = `${JSON.stringify(f)} ${problem}`;
        break;
      }
    }
    if (problem !== undefined) {
      out.push(fail('hooks', `${where}: ${problem}`, `rewrite it with the paths of this installation: ${redo}`));
      continue;
    }
    if (target === undefined) {
      out.push(fail('hooks', `${where} does not name a profile after credential-process`, redo));
      continue;
    }
    try {
      resolveChain(files, target);
    } catch (e) {
      if (!(e instanceof MfaLoginError)) throw e;
      out.push(fail('hooks', `${where} names profile ${target}, which does not resolve: ${tilde(deps, e.message)}`, tilde(deps, e.hint ?? `fix [${configHeaderFor(target)}]`)));
      continue;
    }
    out.push(ok('hooks', `credential_process: [${configHeaderFor(name)}] runs ${files_.join(' ')} for ${target}`));
  }
  if (checked === 0) out.push(ok('hooks', 'credential_process: no profile calls mfa-login (mfa-login setup PROFILE adds one)'));
  return out;
}

/** Why `file` cannot be run by an AWS tool, or undefined when it can. */
async function pathProblem(file: string, mustExecute: boolean): Promise<string | undefined> {
  if (file === '') return 'is missing';
  if (!path.isAbsolute(file)) return 'is not an absolute path; AWS tools run credential_process with their own PATH and working directory';
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return 'is not a file';
    await fs.access(file, mustExecute ? constants.X_OK : constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : mustExecute ? 'is not executable' : 'cannot be read';
  }
  return undefined;
}

function isNode(program: string): boolean {
  return /^node(js)?(\d+(\.\d+)*)?$/.test(path.basename(program));
}
