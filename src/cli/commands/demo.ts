import type { ChildProcess } from 'node:child_process';
import { startChild } from '../../child-process.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Deps } from '../../deps.js';
import { MfaLoginError, type ErrorCode } from '../../errors.js';
import { packageRoot } from '../package-root.js';

export interface DemoInput {
  /** Use the code shown instead of asking for it to be typed. */
  yes: boolean;
  isTty?: boolean;
}

/**
 * The demo's IAM user and role. The keys are AWS's own documentation examples, which no real
 * account can have; they only ever reach the local STS started here.
 */
export const DEMO = {
  account: '111111111111',
  userName: 'demo',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  serial: 'arn:aws:iam::111111111111:mfa/demo',
  seed: 'JBSWY3DPEHPK3PXPMFALOGINDEMOSEED',
  roleArn: 'arn:aws:iam::222222222222:role/DemoAdmin',
} as const;

const CONFIG = `[profile demo]
mfa_serial = ${DEMO.serial}
region = us-east-1

[profile demo-admin]
role_arn = ${DEMO.roleArn}
source_profile = demo
`;

const AWS_CLI = '/usr/bin/aws';
const STEPS = 7;

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child's exit status back to the error code that produces it, so `demo` exits the same way. */
const CODE_OF_STATUS: Record<number, ErrorCode> = { 2: 'E_USAGE', 3: 'E_CONFIG', 4: 'E_NO_KEYS', 5: 'E_MFA_REJECTED', 6: 'E_STS', 7: 'E_KEYCHAIN', 130: 'E_INTERRUPTED' };

/**
 * `mfa-login demo`: the whole flow with no AWS account. A local STS on loopback plays AWS, a
 * throw-away HOME plays the user's, and every step runs the real mfa-login and mfa-env (and the
 * real AWS CLI when installed) as child processes, so what is shown is what a user would get.
 * The HOME and the STS are removed at the end, also on failure and on Ctrl-C.
 */
export async function demo(deps: Deps, input: DemoInput): Promise<void> {
  const color = (input.isTty ?? process.stdout.isTTY === true) && !deps.env.NO_COLOR;
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const say = (text: string) => deps.stdout(text);
  const root = packageRoot();
  const bin = { 'mfa-login': path.join(root, 'bin', 'mfa-login.js'), 'mfa-env': path.join(root, 'bin', 'mfa-env.js') };

  const running = new Set<ChildProcess>();
  let home: string | undefined;
  // The sessions' runtime directory too: the user's own ($XDG_RUNTIME_DIR/mfa-login, or the one in
  // /dev/shm) is shared by every shell, and the demo's forgetting would reach into it.
  let runtime: string | undefined;
  let removed = false;
  // Runs on process.exit too (Ctrl-C ends the CLI with process.exit), where nothing async can run.
  const cleanupSync = () => {
    for (const child of running) {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // its process group: the AWS CLI's credential_process too
      } catch {
        // already gone
      }
    }
    if (home !== undefined && !removed) {
      rmSync(home, { recursive: true, force: true });
      if (runtime !== undefined) rmSync(runtime, { recursive: true, force: true });
      removed = true;
    }
  };
  const onSignal = (signal: NodeJS.Signals) => process.exit(128 + (os.constants.signals[signal] ?? 0));
  process.on('exit', cleanupSync);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const { startLocalSts } = await import('../../aws-stand-in/server.js');
  const { totp } = await import('../../mfa/totp.js');
  let sts: Awaited<ReturnType<typeof startLocalSts>> | undefined;
  try {
    home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-demo-'));
    runtime = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'mfa-login-demo-'));
    mkdirSync(path.join(home, '.aws'), { mode: 0o700 });
    writeFileSync(path.join(home, '.aws', 'config'), CONFIG, { mode: 0o600 });
    sts = await startLocalSts({
      users: [{ userName: DEMO.userName, accountId: DEMO.account, accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey, mfaDevices: [{ serial: DEMO.serial, seed: DEMO.seed }] }],
      roles: [{ roleArn: DEMO.roleArn, requireMfa: true, trustedPrincipals: [DEMO.account] }],
    });
    const env: Record<string, string> = {
      PATH: deps.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      XDG_RUNTIME_DIR: runtime,
      AWS_ENDPOINT_URL: sts.url,
      MFA_LOGIN_BACKEND: 'file',
      MFA_LOGIN_FILE_PASSPHRASE: randomBytes(24).toString('base64url'),
      // Sessions in files (no agent left running, and no tmpfs needed), in the demo's own
      // directory: status shows that one, not a ~/.cache/mfa-login a reader takes for their own.
      MFA_LOGIN_CACHE: 'file',
      MFA_LOGIN_CACHE_DIR: runtime,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_PAGER: '',
      ...(deps.env.LANG ? { LANG: deps.env.LANG } : {}),
    };

    /** Runs one command of a step, shows it as a user would type it, and fails the demo when it fails. */
    const step = async (title: string, shown: string, cmd: string, args: string[], stdin?: string): Promise<string> => {
      say(`  $ ${shown}\n`);
      const r = await run(cmd, args, env, stdin, running);
      if (r.status !== 0) {
        if (r.stdout) say(indent(r.stdout));
        deps.stderr(r.stderr);
        const how = r.signal ? `it was ended by ${r.signal}` : `exit status ${r.status}`;
        throw new MfaLoginError(CODE_OF_STATUS[r.status ?? -1] ?? 'E_STS', `demo step "${title}" failed (${how})`, {
          hint: 'its own message is above; the demo HOME and the local STS have been removed',
        });
      }
      return r.stdout;
    };
    const node = (tool: keyof typeof bin, args: string[]): [string, string[]] => [process.execPath, [bin[tool], ...args]];
    const heading = (n: number, text: string) => say(`\n${bold(`[${n}/${STEPS}] ${text}`)}\n`);

    say(`${bold('mfa-login demo')}: the whole flow against a local STS, in a throw-away HOME. No AWS account is used.\n\n`);
    say(`  local STS  ${sts.url}  (IAM user ${DEMO.userName} in account ${DEMO.account}; role DemoAdmin in 222222222222, which requires MFA)\n`);
    say(`  HOME       ${home}\n`);
    say(`  runtime    ${runtime}  (its XDG_RUNTIME_DIR and session cache: your own are left alone)\n`);
    say(`  mfa-login  ${process.execPath} ${bin['mfa-login']}  (mfa-env likewise), run with those and AWS_ENDPOINT_URL=${sts.url}\n`);
    say(`\n  ~/.aws/config:\n${indent(CONFIG, '    ')}`);

    heading(1, "Store the IAM user's long-term keys (here in an encrypted file; normally the OS keychain)");
    say(indent(await step('store the keys', `printf '%s\\n' ${DEMO.accessKeyId} '${shorten(DEMO.secretAccessKey)}' | mfa-login add demo`, ...node('mfa-login', ['add', 'demo']), `${DEMO.accessKeyId}\n${DEMO.secretAccessKey}\n`)));

    heading(2, 'Log in with one MFA code');
    const shownCode = totp(DEMO.seed, Date.now());
    say(`  The demo MFA device (seed ${DEMO.seed.slice(0, 4)}…, as your authenticator app holds it) shows: ${bold(`${shownCode.slice(0, 3)} ${shownCode.slice(3)}`)}\n`);
    const interactive = !input.yes && deps.terminal.available();
    if (!interactive) say(`  (${input.yes ? '--yes' : 'no terminal to type on'}: using the code shown)\n`);
    // A mistyped code is what STS refuses most often: show the refusal, then ask again, as a
    // prompt of mfa-login itself does, rather than ending the demo.
    for (let attempt = 1; ; attempt++) {
      let code = totp(DEMO.seed, Date.now());
      if (interactive) {
        const typed = (
          await deps.terminal.ask(attempt === 1 ? 'Type the code shown above (Enter uses it):' : `Type the code again (the device now shows ${code.slice(0, 3)} ${code.slice(3)}; Enter uses it):`, {
            validate: (v) => (v.trim() === '' || /^\d{6}$/.test(v.replace(/\s/g, '')) ? true : 'six digits, or Enter to use the shown code'),
            judgedLater: true,
          })
        ).replace(/\s/g, '');
        if (typed !== '') code = typed;
      }
      // `login` spelled out: `mfa-login demo` would be this command, not the profile.
      const shown = `mfa-login login demo --mfa-token ${code}`;
      const [cmd, args] = node('mfa-login', ['login', 'demo', '--mfa-token', code]);
      if (interactive && attempt < 3) {
        say(`  $ ${shown}\n`);
        const r = await run(cmd, args, env, undefined, running);
        if (r.status === 0) {
          say(indent(r.stdout));
          break;
        }
        if (r.status === 5) {
          say(indent(r.stderr));
          say('  ✘ STS refused that code. A mistyped or already used code is refused like this; mfa-login asks again. Try once more.\n');
          continue;
        }
        deps.stderr(r.stderr);
        throw new MfaLoginError(CODE_OF_STATUS[r.status ?? -1] ?? 'E_STS', `demo step "log in" failed (exit status ${r.status})`, { hint: 'its own message is above; the demo HOME and the local STS have been removed' });
      }
      say(indent(await step('log in', shown, cmd, args)));
      break;
    }
    say('  The MFA session is cached: the next steps need no code until it expires.\n');

    heading(3, 'Chain into the role, for your shell');
    const exports = await step('chain into the role', `eval "$(mfa-env demo-admin --shell sh)"   # prints:`, ...node('mfa-env', ['demo-admin', '--shell', 'sh']));
    say(indent(shortenSecrets(exports)));

    heading(4, 'credential_process: the AWS CLI asks mfa-login for credentials');
    say(indent(await step('set up credential_process', 'mfa-login setup demo-admin', ...node('mfa-login', ['setup', 'demo-admin']))));
    if (existsSync(AWS_CLI)) {
      const args = ['sts', 'get-caller-identity', '--profile', 'demo-admin-mfa', '--endpoint-url', sts.url, '--region', 'us-east-1'];
      say(indent(await step('call AWS with the AWS CLI', `${AWS_CLI} ${args.join(' ')}`, AWS_CLI, args)));
      say('  The Arn above is the assumed DemoAdmin role: the AWS CLI ran mfa-login credential-process demo-admin.\n');
    } else {
      const json = await step('credential-process', 'mfa-login credential-process demo-admin', ...node('mfa-login', ['credential-process', 'demo-admin']));
      say(indent(shortenJson(json)));
      say(`  (${AWS_CLI} is not installed; with it, aws --profile demo-admin-mfa would run this command.)\n`);
    }

    heading(5, 'What is stored and cached');
    say(indent(await step('status', 'mfa-login status', ...node('mfa-login', ['status']))));

    heading(6, 'Rotate the access key');
    say(indent(await step('rotate', 'mfa-login rotate demo', ...node('mfa-login', ['rotate', 'demo']))));
    say('  The new key was made with the cached MFA session (the MFA policy demands it), checked with STS,\n  and stored; the old key is deleted in IAM and the sessions made with it are forgotten.\n  status and doctor show each key\'s age, and warn past 90 days.\n');

    heading(7, 'Clean up');
    await sts.close();
    sts = undefined;
    cleanupSync();
    say(`  Stopped the local STS and deleted ${home} and ${runtime}.\n  Nothing touched your own ~/.aws, keychain or session cache. To start for real: mfa-login add PROFILE\n`);
  } finally {
    process.off('exit', cleanupSync);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await sts?.close().catch(() => {});
    cleanupSync();
  }
}

/**
 * One child, in its own process group and session (no controlling terminal: a prompt it did not
 * expect fails at once instead of waiting for someone), with its output collected.
 */
function run(cmd: string, args: readonly string[], env: Record<string, string>, input: string | undefined, running: Set<ChildProcess>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // The demo's own key file passphrase is in env for its steps: mfa-login, and the AWS CLI calling it.
    const child = startChild(cmd, args, { env, keepSecrets: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      running.delete(child);
      reject(new MfaLoginError('E_USAGE', `demo: cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (status, signal) => {
      running.delete(child);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin!.on('error', () => {}); // a child that exits without reading its input
    child.stdin!.end(input ?? '');
  });
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l, i, all) => (l === '' && i === all.length - 1 ? '' : l === '' ? '\n' : `${by}${l}\n`))
    .join('');
}

/** `wJal…KEY`: enough to recognise a value, not enough to use it. */
export function shorten(value: string): string {
  return value.length <= 10 ? '…' : `${value.slice(0, 4)}…${value.slice(-3)}`;
}

/** The secret and the token of `export NAME='value'` lines, shortened. */
export function shortenSecrets(exports: string): string {
  return exports.replace(/^(export (?:AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)=)'([^']*)'$/gm, (_m, head: string, value: string) => `${head}'${shorten(value)}'`);
}

function shortenJson(text: string): string {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['SecretAccessKey', 'SessionToken']) if (typeof o[k] === 'string') o[k] = shorten(o[k] as string);
    return `${JSON.stringify(o, null, 2)}\n`;
  } catch {
    return '(not JSON)\n';
  }
}
