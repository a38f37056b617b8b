import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { runChild } from '../child-process.js';
import { ok, warn, type Check, type Finding } from './check.js';

/** Where Debian's awscli package puts the AWS CLI v2. */
const AWS_CLI_PATH = '/usr/bin/aws';
const INSTALL_V2 = 'install the AWS CLI v2 (Debian: apt-get install awscli; else https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)';

/**
 * The AWS CLI the user has: /usr/bin/aws, else `aws` on PATH. v1 works with credential_process
 * too but lacks what v2 added since (SSO, endpoint variables), so it is a warning. When `aws` on
 * PATH is another, v1 install, that is said too: it is the one a user typing `aws` gets.
 */
export const awsCli: Check = {
  area: 'aws-cli',
  name: 'AWS CLI',
  slow: true,
  run: (deps: Deps) => checkAwsCli(deps),
};

async function checkAwsCli(deps: Deps): Promise<Finding[]> {
  const onPath = await findOnPath('aws', deps.env.PATH ?? '');
  const primary = (await isExecutable(AWS_CLI_PATH)) ? AWS_CLI_PATH : onPath;
  if (primary === undefined) return [warn('aws-cli', 'AWS CLI: not found (/usr/bin/aws, or aws on PATH)', INSTALL_V2)];
  const other = onPath !== undefined && primary !== onPath && (await realpath(onPath)) !== (await realpath(primary)) ? onPath : undefined;
  const [main, second] = await Promise.all([awsVersion(deps, primary), other ? awsVersion(deps, other) : Promise.resolve(undefined)]);
  const out: Finding[] = [describeCli(primary, main)];
  if (other !== undefined && second !== undefined && 'major' in second && second.major === 1) {
    out.push(warn('aws-cli', `AWS CLI: aws on PATH is ${other}, version ${second.version} (v1), not ${primary}`, `put the directory of ${primary} first on PATH, or uninstall the v1 CLI (pip uninstall awscli)`));
  }
  return out;
}

function describeCli(file: string, v: CliVersion): Finding {
  if ('error' in v) return warn('aws-cli', `AWS CLI: ${file} --version did not report a version: ${v.error}`, 'if the message is about ~/.aws/config, fix that (see above); else reinstall the AWS CLI v2');
  if (v.major === 1) return warn('aws-cli', `AWS CLI v1 found (${v.version} at ${file}); v2 recommended`, INSTALL_V2);
  return ok('aws-cli', `AWS CLI: ${v.version} at ${file}`);
}

type CliVersion = { version: string; major: number } | { error: string };

function awsVersion(deps: Deps, file: string): Promise<CliVersion> {
  return new Promise((resolve) => {
    void runChild(file, ['--version'], { timeoutMs: 15_000, env: { ...deps.env, AWS_PAGER: '' } }).then(({ status, stdout, stderr, error }) => {
      // v1 printed its version on stderr until Python 3.4 made argparse use stdout.
      const m = /aws-cli\/((\d+)\.\S+)/.exec(`${stdout}\n${stderr}`);
      if (m) resolve({ version: m[1]!, major: Number(m[2]) });
      else resolve({ error: (stderr.trim().split('\n').pop() || (error === 'timeout' ? 'no answer within 15 s' : error ?? (status !== 0 ? `exit status ${status}` : 'no output'))).slice(0, 200) });
    });
  });
}

async function findOnPath(program: string, PATH: string): Promise<string | undefined> {
  for (const dir of PATH.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, program);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await fs.stat(file)).isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function realpath(file: string): Promise<string> {
  return fs.realpath(file).catch(() => file);
}
