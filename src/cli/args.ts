import { MfaLoginError } from '../errors.js';
import { SHELL_NAMES, type Shell } from '../output/exports.js';
import { emptyValue, TAGGED_STRINGS, usageError, type CommandFlags, type Vocabulary } from './usage-errors.js';

/**
 * `--region`: AWS region names are lowercase letters, digits and dashes (us-east-1, cn-north-1);
 * the value reaches shells and config files, so nothing else gets through.
 */
export function parseRegion(text: string): string {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(text) || text.length > 50) {
    throw new MfaLoginError('E_USAGE', `--region ${JSON.stringify(text)} is not an AWS region name`, { hint: 'use a region name such as us-east-1, eu-west-1 or us-gov-west-1 (lowercase letters, digits and dashes)' });
  }
  return text;
}

/** The console session's length: what the federation endpoint's SessionDuration accepts. */
export const CONSOLE_DURATION = { min: 900, max: 43200, what: 'a console session lasts from 15 minutes (900) to 12 hours (43200)' };
import { MAX_MFA_SESSION_SECONDS, MIN_SESSION_SECONDS, TOO_SHORT_WHY } from '../config/chain.js';
import { READ_BY, VARIABLES } from '../settings.js';

/** What the user asked for, as data: parsing never runs anything. */
export type Command =
  | { name: 'login'; profile: string; to?: string; mfaToken?: string; duration?: number; region?: string; bare?: boolean }
  | { name: 'add'; profile: string; fromEnv: boolean; import: boolean; mfaSerial?: string; yes: boolean }
  | { name: 'remove'; profile: string }
  | { name: 'list'; json: boolean }
  | { name: 'logout'; profile?: string; all: boolean; keepFiles: boolean }
  | { name: 'credential-process'; profile: string; mfaToken?: string; duration?: number; region?: string }
  | { name: 'session'; profile?: string; mfaToken?: string; duration?: number; region?: string }
  | { name: 'exec'; profile: string; command: string[]; allowNested: boolean; mfaToken?: string; duration?: number; region?: string; server?: boolean; port?: number }
  | { name: 'serve'; profile?: string; port?: number; shell?: Shell; mfaToken?: string; duration?: number; region?: string }
  | { name: 'setup'; profile: string; as?: string }
  | { name: 'env'; profile?: string; shell?: Shell; unset: boolean; mfaToken?: string; duration?: number; region?: string }
  | { name: 'console'; profile?: string; print: boolean; service?: string; path?: string; consoleDuration?: number; mfaToken?: string; region?: string }
  | { name: 'shell-init'; shell: 'bash' | 'zsh' | 'fish' | 'powershell' | 'nu' }
  | { name: 'completion'; shell: 'bash' | 'zsh' | 'fish' | 'nu' }
  | { name: 'status'; json: boolean }
  | { name: 'doctor' }
  | { name: 'policy'; profile?: string; account?: string; partition?: string }
  | { name: 'demo'; yes: boolean }
  | { name: 'agent'; action: 'status' | 'stop' }
  | { name: 'mfa'; action: 'create' | 'resync'; profile: string; deviceName?: string }
  | { name: 'rotate'; profile: string; mfaToken?: string; duration?: number }
  | { name: 'profiles' }
  | { name: 'help'; text: string }
  | { name: 'version' };

/** argv is public on a shared machine: say so where the flag is offered. */
const MFA_TOKEN_HELP = 'the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead';

export interface Parsed {
  command: Command;
  debug: boolean;
}

/**
 * Parses a duration as seconds (`3600`) or with a unit (`90m`, `12h`, `1h30m`), the forms
 * aws-vault users type.
 */
export function parseDuration(text: string, limits?: { min: number; max: number; what: string }): number {
  const t = text.trim();
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!/^\d+$/.test(t) && (m === null || t === '')) {
    throw new MfaLoginError('E_USAGE', `--duration ${JSON.stringify(text)} is not a duration`, { hint: 'use seconds (3600) or a form like 12h, 90m, 1h30m' });
  }
  const seconds = /^\d+$/.test(t) ? Number(t) : Number(m![1] ?? 0) * 3600 + Number(m![2] ?? 0) * 60 + Number(m![3] ?? 0);
  if (limits === undefined && seconds < MIN_SESSION_SECONDS) {
    throw new MfaLoginError('E_USAGE', `--duration ${text} is too short: ${TOO_SHORT_WHY}; the least is 30m (${MIN_SESSION_SECONDS})`, { hint: 'use a duration from 30m to 36h' });
  }
  // GetSessionToken's limit for an IAM user, unless the caller gives others.
  const l = limits ?? { min: MIN_SESSION_SECONDS, max: MAX_MFA_SESSION_SECONDS, what: `an MFA session lasts from 30 minutes (${MIN_SESSION_SECONDS}) to 36 hours (${MAX_MFA_SESSION_SECONDS})` };
  if (seconds < l.min || seconds > l.max) {
    throw new MfaLoginError('E_USAGE', `--duration ${text} is out of range: ${l.what}`);
  }
  return seconds;
}

/** --port: a TCP port; 0 and privileged ports are refused (0 is what "no --port" already means). */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1024 || n > 65535) {
    throw new MfaLoginError('E_USAGE', `--port ${JSON.stringify(text)} is not a port from 1024 to 65535`, { hint: 'leave --port out to take a free port' });
  }
  return n;
}

/**
 * The width --help wraps at, for mfa-login and mfa-env alike: the terminal's when stdout is one,
 * else 100 (the widest every example's command fits on one line at).
 */
export function helpWidth(stdout: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stdout.isTTY === true && stdout.columns ? stdout.columns : 100;
}

/** The variables' column: as wide as the longest name, so every command's block lines up alike. */
const NAME_COLUMN = Math.max(...Object.keys(VARIABLES).map((n) => n.length));

/**
 * The "Environment" block of a command's --help (`READ_BY` in settings.ts: the one place that says
 * what each command reads), or undefined for a command that reads none. Rows in yargs' layout
 * language (cliui): name, a tab, then the text it wraps at the help's width under its own column.
 */
export function environmentHelp(command: string, note?: string): string | undefined {
  const names = [...new Set(READ_BY[command] ?? [])];
  if (names.length === 0) return undefined;
  const rows = names.map((n) => `  ${n.padEnd(NAME_COLUMN)}  \t${VARIABLES[n]}`);
  return ['Environment:', ...rows, ...(note !== undefined ? ['', note] : [])].join('\n');
}

/** A command's builder, with its Environment block as the help's epilogue. */
function withEnv(command: string, builder: (y: any) => any): (y: any) => any {
  return (y: any) => {
    const built = builder(y) ?? y;
    const block = environmentHelp(command);
    return block === undefined ? built : built.epilogue(block);
  };
}

export async function parseArgs(argv: string[], version: string): Promise<Parsed> {
  const { default: yargs } = await import('yargs');
  let command: Command | undefined;
  const { parser, offered } = mfaLoginParser(yargs, argv, version, (c) => {
    command = c;
  });
  const vocabulary = vocabularyOf('mfa-login', parser, yargs, offered);

  let helpText = '';
  let failure: string | undefined;
  // A value that is missing is said as such, not as a wrong one (`--region ""`): `--region` last.
  const args = await new Promise<Record<string, unknown>>((resolve, reject) => {
    parser.fail((msg: string | undefined, err: Error | undefined) => {
      failure = msg ?? err?.message ?? 'invalid arguments';
    });
    try {
      parser.parse(argv, {}, (err: Error | undefined, parsed: Record<string, unknown>, output: string) => {
        helpText = output;
        if (err && failure === undefined) {
          if (err instanceof MfaLoginError) return reject(emptyValue(vocabulary, argv) ?? err);
          failure = err.message;
        }
        resolve(parsed);
      });
    } catch (e) {
      reject(emptyValue(vocabulary, argv) ?? e);
    }
  });
  if (failure !== undefined) throw usageError(vocabulary, failure, argv);
  const empty = emptyValue(vocabulary, argv);
  if (empty !== undefined) throw empty;
  const debug = args.debug === true;
  if (args.version === true) return { command: { name: 'version' }, debug };
  if (args.help === true || (command === undefined && helpText !== '')) return { command: { name: 'help', text: helpText }, debug };
  if (command === undefined) throw new MfaLoginError('E_USAGE', 'nothing to do', { hint: 'see: mfa-login --help' });
  return { command, debug };
}

/**
 * What mfa-login's command line may hold, from the definitions below: the commands --help lists
 * and every flag. The one list every "did you mean" and every check of a printed hint uses.
 */
export async function cliVocabulary(): Promise<Vocabulary> {
  const { default: yargs } = await import('yargs');
  const { parser, offered } = mfaLoginParser(yargs, [], '0', () => {});
  return vocabularyOf('mfa-login', parser, yargs, offered);
}

/** mfa-login's commands and flags, each command handing what was asked for to `set`. */
function mfaLoginParser(yargs: typeof import('yargs').default, argv: string[], version: string, set: (c: Command) => void) {
  const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

  const loginOptions = (y: any) =>
    y
      .positional('profile', { type: 'string', describe: 'the profile to log in to (default: $AWS_PROFILE, then "default")' })
      .option('to', { type: 'string', describe: 'write to this profile name in the credentials file (default: the profile\'s own name)' })
      .option('mfa-token', { type: 'string', describe: MFA_TOKEN_HELP })
      .option('duration', { type: 'string', describe: 'length of the MFA session, 30m to 36h: seconds or 12h, 90m (default: duration_seconds, else 12h)' })
      .option('region', { type: 'string', describe: 'the region to use and to give the written profile, over the profile\'s own' })
      .example('$0 alice', 'ask for a code, write a 12-hour session to [alice] in ~/.aws/credentials')
      .example('$0 prod --region eu-west-1', 'the written profile gets region = eu-west-1 in ~/.aws/config');

  const codeOptions = (y: any) =>
    y
      .option('mfa-token', { type: 'string', describe: MFA_TOKEN_HELP })
      .option('duration', { type: 'string', describe: 'length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)' })
      .option('region', { type: 'string', describe: 'the region to use, over the profile\'s own' });
  const regionArg = (a: Record<string, unknown>) => (a.region !== undefined ? { region: parseRegion(String(a.region)) } : {});
  const codeArgs = (a: Record<string, unknown>) => ({
    ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
    ...(a.duration !== undefined ? { duration: parseDuration(String(a.duration)) } : {}),
    ...regionArg(a),
  });

  /** `bare`: `mfa-login prod`, where a mistyped command looks the same as an unknown profile. */
  const loginCommand = (a: Record<string, unknown>, bare = false) =>
    set({
      name: 'login',
      profile: str(a.profile) ?? '',
      ...(bare ? { bare } : {}),
      ...(a.to !== undefined ? { to: String(a.to) } : {}),
      ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
      ...(a.duration !== undefined ? { duration: parseDuration(String(a.duration)) } : {}),
      ...regionArg(a),
    });

  /** The flags of the command being parsed (yargs sets them up as it picks the command). */
  let offered: CommandFlags | undefined;
  const parser = yargs(argv)
    .parserConfiguration({ 'populate--': true })
    .locale('en')
    .updateStrings(TAGGED_STRINGS as unknown as Record<string, string>)
    .scriptName('mfa-login')
    .usage('$0 <profile> | $0 <command>\n\nAWS credentials behind one MFA code: long-term keys in the OS keychain, sessions cached until they expire.')
    .option('debug', { type: 'boolean', describe: 'say what is done and why; show stack traces', global: true })
    .command('login [profile]', 'get an MFA session and write it to ~/.aws/credentials', withEnv('login', loginOptions), loginCommand)
    .command(
      'add <profile>',
      'store an IAM user\'s long-term keys in the keychain',
      withEnv('add', (y: any) =>
        y
          .positional('profile', { type: 'string' })
          .option('from-env', { type: 'boolean', describe: 'take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment' })
          .option('import', { type: 'boolean', describe: 'move the keys in ~/.aws/credentials for this profile into the keychain' })
          .option('mfa-serial', { type: 'string', describe: 'the MFA device ARN to record, instead of finding it' })
          .option('yes', { alias: 'y', type: 'boolean', describe: 'record the MFA device found without asking' })
          .example('$0 add alice', 'asks for the access key id and secret')
          .example('$0 add alice --import', 'moves plaintext keys from ~/.aws/credentials')),
      (a: Record<string, unknown>) =>
        set({ name: 'add', profile: String(a.profile), fromEnv: a.fromEnv === true, import: a.import === true, yes: a.yes === true, ...(a.mfaSerial !== undefined ? { mfaSerial: String(a.mfaSerial) } : {}) }),
    )
    .command('remove <profile>', 'delete a profile\'s keys from the keychain and forget its sessions', withEnv('remove', (y: any) => y.positional('profile', { type: 'string' }).example('$0 remove alice', 'the IAM user\'s keys leave the keychain; its sessions are forgotten')), (a: Record<string, unknown>) => set({ name: 'remove', profile: String(a.profile) }))
    .command('list', 'profiles with stored keys', withEnv('list', (y: any) => y.option('json', { type: 'boolean', describe: 'print JSON' }).example('$0 list --json', 'for scripts')), (a: Record<string, unknown>) => set({ name: 'list', json: a.json === true }))
    .command(
      'logout [profile]',
      'forget the cached sessions of a profile (default: $AWS_PROFILE, then "default"), or all with --all',
      withEnv('logout', (y: any) =>
        y
          .positional('profile', { type: 'string' })
          .option('all', { type: 'boolean', describe: 'forget every cached session' })
          .option('keep-files', { type: 'boolean', describe: 'keep the sessions mfa-login wrote to ~/.aws/credentials' })
          .example('$0 logout prod', 'the next call for prod (and roles reached through it) asks STS again')
          .example('$0 logout --all', 'forget everything; the keys stay')),
      (a: Record<string, unknown>) => set({ name: 'logout', all: a.all === true, keepFiles: a.keepFiles === true, ...(a.profile !== undefined ? { profile: String(a.profile) } : {}) }),
    )
    .command(
      'credential-process <profile>',
      'print credentials as the JSON that credential_process in ~/.aws/config expects',
      withEnv('credential-process', (y: any) => codeOptions(y.positional('profile', { type: 'string' })).example('$0 credential-process prod', 'the JSON the AWS CLI reads; mfa-login setup prod puts this in ~/.aws/config')),
      (a: Record<string, unknown>) => set({ name: 'credential-process', profile: String(a.profile), ...codeArgs(a) }),
    )
    .command(
      'session [profile]',
      'start or check a profile\'s session without printing credentials',
      withEnv('session', (y: any) => codeOptions(y.positional('profile', { type: 'string' })).example('$0 session prod', 'asks for a code if needed; later credential_process calls need none')),
      (a: Record<string, unknown>) => set({ name: 'session', ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...codeArgs(a) }),
    )
    .command(
      'exec <profile> [command..]',
      'run a command with the profile\'s credentials in its environment',
      withEnv('exec', (y: any) =>
        codeOptions(y.positional('profile', { type: 'string' }).positional('command', { type: 'string', array: true }))
          .option('allow-nested', { type: 'boolean', describe: 'allow exec inside another mfa-login exec' })
          .option('server', { type: 'boolean', describe: 'give the command a local credential endpoint that renews the credentials, instead of keys' })
          .option('port', { type: 'string', describe: 'with --server: the loopback port to listen on (default: a free one)' })
          .example('$0 exec prod -- aws s3 ls', 'the command exits with its own status')
          .example('$0 exec --server prod -- terraform apply', 'runs longer than the 1-hour role session: credentials are renewed')),
      (a: Record<string, unknown>) => {
        if (a.port !== undefined && a.server !== true) throw new MfaLoginError('E_USAGE', '--port needs --server', { hint: 'mfa-login exec --server --port PORT PROFILE -- COMMAND' });
        set({
          name: 'exec',
          profile: String(a.profile),
          command: [...((a.command as unknown[]) ?? []), ...((a['--'] as unknown[]) ?? [])].map(String),
          allowNested: a.allowNested === true,
          ...codeArgs(a),
          ...(a.server === true ? { server: true } : {}),
          ...(a.port !== undefined ? { port: parsePort(String(a.port)) } : {}),
        });
      },
    )
    .command(
      'serve [profile]',
      'serve a profile\'s credentials on a local endpoint (for IDEs, desktop apps, containers) until stopped',
      withEnv('serve', (y: any) =>
        codeOptions(y.positional('profile', { type: 'string', describe: 'default: $AWS_PROFILE, then "default"' }))
          .option('port', { type: 'string', describe: 'the loopback port to listen on (default: a free one)' })
          .option('shell', { type: 'string', choices: SHELLS as unknown as string[], describe: 'the shell to print the variables for (default: detected)' })
          .example('$0 serve prod', 'prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN to set where the tool starts')
          .example('$0 serve prod --port 9911 --shell fish', 'a fixed port, the variables in fish syntax')),
      (a: Record<string, unknown>) => {
        const sh = a.shell === undefined ? undefined : String(a.shell);
        set({
          name: 'serve',
          ...(a.profile !== undefined ? { profile: String(a.profile) } : {}),
          ...(a.port !== undefined ? { port: parsePort(String(a.port)) } : {}),
          ...(sh !== undefined ? { shell: SHELL_NAMES.get(sh)! } : {}),
          ...codeArgs(a),
        });
      },
    )
    .command(
      'setup <profile>',
      'add a credential_process profile to ~/.aws/config that calls mfa-login',
      withEnv('setup', (y: any) =>
        y
          .positional('profile', { type: 'string' })
          .option('name', { type: 'string', describe: 'the profile to write (default: PROFILE-mfa)' })
          .example('$0 setup prod', 'then: aws s3 ls --profile prod-mfa')),
      (a: Record<string, unknown>) => set({ name: 'setup', profile: String(a.profile), ...(a.name !== undefined ? { as: String(a.name) } : {}) }),
    )
    .command(
      'completion <shell>',
      'print the completion script for bash, zsh, fish or nu',
      withEnv('completion', (y: any) =>
        y
          .positional('shell', { type: 'string', choices: ['bash', 'zsh', 'fish', 'nu'] })
          .example('source <($0 completion bash)', 'in ~/.bashrc')
          .example('$0 completion fish | source', 'in ~/.config/fish/config.fish')),
      (a: Record<string, unknown>) => set({ name: 'completion', shell: String(a.shell) as 'bash' | 'zsh' | 'fish' | 'nu' }),
    )
    .command(
      'console [profile]',
      'open the AWS console in your browser, signed in as a role profile',
      withEnv('console', (y: any) =>
        y
          .positional('profile', { type: 'string', describe: 'a role profile (default: $AWS_PROFILE, then "default")' })
          .option('print', { type: 'boolean', describe: 'print the sign-in URL instead of opening a browser' })
          .option('service', { type: 'string', describe: 'the console page of this service, e.g. s3, ec2, iam' })
          .option('path', { type: 'string', describe: 'the console page at this path, e.g. /s3/buckets' })
          .option('duration', { type: 'string', describe: 'length of the console session, 15m to 12h (only for roles not reached by role chaining)' })
          .option('mfa-token', { type: 'string', describe: 'the 6-digit code, instead of a prompt or mfa_process' })
          .option('region', { type: 'string', describe: 'the console region, over the profile\'s own' })
          .conflicts('service', 'path')
          .example('$0 console prod', 'opens the console in your default browser')
          .example('$0 console prod --service s3 --print', 'prints a sign-in URL for the S3 console, good for 15 minutes')),
      (a: Record<string, unknown>) =>
        set({
          name: 'console',
          print: a.print === true,
          ...(a.profile !== undefined ? { profile: String(a.profile) } : {}),
          ...(a.service !== undefined ? { service: String(a.service) } : {}),
          ...(a.path !== undefined ? { path: String(a.path) } : {}),
          ...(a.duration !== undefined ? { consoleDuration: parseDuration(String(a.duration), CONSOLE_DURATION) } : {}),
          ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
          ...regionArg(a),
        }),
    )
    .command(
      'shell-init <shell>',
      'print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it',
      withEnv('shell-init', (y: any) =>
        y
          .positional('shell', { type: 'string', choices: ['bash', 'zsh', 'fish', 'powershell', 'nu'] })
          .example('eval "$($0 shell-init bash)"', 'in ~/.bashrc; then: mfa-use prod, mfa-use --off')
          .example('$0 shell-init fish | source', 'in ~/.config/fish/config.fish')
          .example('$0 shell-init nu | save -f ($nu.default-config-dir | path join mfa-login.nu)', 'nushell, once; then in config.nu: source ($nu.default-config-dir | path join mfa-login.nu)')),
      (a: Record<string, unknown>) => set({ name: 'shell-init', shell: String(a.shell) as 'bash' | 'zsh' | 'fish' | 'powershell' | 'nu' }),
    )
    .command('profiles', 'print the profile names in ~/.aws/config and ~/.aws/credentials, one a line', withEnv('profiles', (y: any) => y.example('$0 profiles', 'what mfa-use and the completions offer')), () => set({ name: 'profiles' }))
    .command('status', 'profiles, where their keys live, and the time left on their sessions', withEnv('status', (y: any) => y.option('json', { type: 'boolean', describe: 'print JSON' }).example('$0 status', 'a table with the time left on every session')), (a: Record<string, unknown>) => set({ name: 'status', json: a.json === true }))
    .command('doctor', 'check the keychain, config files, clock and credential_process hooks', withEnv('doctor', (y: any) => y.example('$0 doctor', 'one line per check, with the fix when it fails')), () => set({ name: 'doctor' }))
    .command(
      'policy [profile]',
      'print the IAM policy that makes MFA mandatory, and a role trust policy that demands it',
      withEnv('policy', (y: any) =>
        y
          .positional('profile', { type: 'string', describe: 'take the account and partition from this profile\'s MFA device' })
          .option('account', { type: 'string', describe: 'the 12-digit account id to fill in' })
          .option('partition', { type: 'string', choices: ['aws', 'aws-us-gov', 'aws-cn'], describe: 'the partition to fill in' })
          .example('$0 policy alice', 'with alice\'s account and partition filled in')),
      (a: Record<string, unknown>) =>
        set({ name: 'policy', ...(a.profile !== undefined ? { profile: String(a.profile) } : {}), ...(a.account !== undefined ? { account: String(a.account) } : {}), ...(a.partition !== undefined ? { partition: String(a.partition) } : {}) }),
    )
    .command('demo', 'the whole flow against a local STS, in a throw-away HOME (no AWS account needed)', withEnv('demo', (y: any) => y.option('yes', { alias: 'y', type: 'boolean', describe: 'accept the shown code instead of typing it' }).example('$0 demo --yes', 'runs every step without waiting for you to type the code')), (a: Record<string, unknown>) => set({ name: 'demo', yes: a.yes === true }))
    .command('agent <action>', 'the session agent: status or stop', withEnv('agent', (y: any) => y.positional('action', { type: 'string', choices: ['status', 'stop'] }).example('$0 agent stop', 'forget every session now (they live only in the agent\'s memory)')), (a: Record<string, unknown>) => set({ name: 'agent', action: String(a.action) as 'status' | 'stop' }))
    .command(
      'mfa <action> <profile>',
      'set up a virtual MFA device for an IAM user (create), or bring a drifted one back in step (resync)',
      withEnv('mfa', (y: any) =>
        y
          .positional('action', { type: 'string', choices: ['create', 'resync'] })
          .positional('profile', { type: 'string', describe: 'the IAM user\'s profile, with its keys stored' })
          .option('name', { type: 'string', describe: 'create: the device\'s name (default: the IAM user\'s name)' })
          .example('$0 mfa create alice', 'shows a QR code on the terminal, asks for two codes, records mfa_serial')
          .example('$0 mfa resync alice', 'when codes keep being refused and the clock is right')),
      (a: Record<string, unknown>) => set({ name: 'mfa', action: String(a.action) as 'create' | 'resync', profile: String(a.profile), ...(a.name !== undefined ? { deviceName: String(a.name) } : {}) }),
    )
    .command(
      'rotate <profile>',
      'replace the IAM user\'s access key with a new one, and delete the old one',
      withEnv('rotate', (y: any) => codeOptions(y.positional('profile', { type: 'string', describe: 'the IAM user\'s profile, with its keys stored' })).example('$0 rotate alice', 'a new key made with the MFA session, checked, stored; the old one deleted')),
      (a: Record<string, unknown>) => set({ name: 'rotate', profile: String(a.profile), ...codeArgs(a) }),
    )
    // For the completion scripts: profile names, one a line.
    .command('__profiles', false as unknown as string, {}, () => set({ name: 'profiles' }))
    .command('$0 [profile]', false as unknown as string, loginOptions, (a: Record<string, unknown>) => loginCommand(a, true))
    .strict()
    .version(version)
    .help()
    .alias('help', 'h')
    .epilogue(environmentHelp('mfa-login', 'Each command\'s --help names the variables it reads.')!)
    .wrap(helpWidth())
    // Before validation, in the matched command's context: the flags it takes, for "did you mean".
    .middleware(flagsOf((flags) => (offered = flags)), true)
    .exitProcess(false);
  return { parser, offered: () => offered };
}

const SHELLS = ['sh', 'bash', 'zsh', 'fish', 'powershell', 'pwsh', 'nu'] as const;

/** The parts of a yargs instance read here; yargs' types leave them out. */
interface YargsInside {
  getOptions(): { key?: Record<string, unknown>; string?: string[]; alias?: Record<string, string[]> };
  getInternalMethods(): {
    getCommandInstance(): { getCommandHandlers(): Record<string, { description: unknown; builder: unknown; demanded: { cmd: string[] }[]; optional: { cmd: string[] }[] }> };
    getContext(): { fullCommands: string[] };
  };
}

/** The positional names in a command's usage (`mfa <action> <profile>`): they are not flags. */
function positionalsOf(usage: string | undefined): string[] {
  return [...(usage ?? '').matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((m) => m[1]!);
}

/** The flags an instance (or a command's scratch instance) has set up, without its positionals. */
function flagsIn(y: YargsInside, positionals: string[]): CommandFlags {
  const o = y.getOptions();
  const flags = Object.keys(o.key ?? {}).filter((k) => !positionals.includes(k));
  for (const aliases of Object.values(o.alias ?? {})) flags.push(...aliases.filter((a) => !flags.includes(a)));
  return { flags, valueFlags: (o.string ?? []).filter((k) => !positionals.includes(k)) };
}

/**
 * The vocabulary of a parser, from its own definitions: the commands it lists (hidden ones left
 * out), and, only when asked, every command's flags, found by running each command's builder on a
 * parser of its own (`makeYargs`). Read before parsing, which drops the definitions.
 */
function vocabularyOf(tool: 'mfa-login' | 'mfa-env', parser: unknown, makeYargs: (argv: string[]) => unknown, offered: () => CommandFlags | undefined): Vocabulary {
  const inside = parser as YargsInside;
  const handlers = Object.entries(inside.getInternalMethods().getCommandInstance().getCommandHandlers());
  const global = flagsIn(inside, []);
  let every: CommandFlags | undefined;
  return {
    tool,
    commands: handlers.filter(([, h]) => h.description !== false).map(([name]) => name),
    get offered() {
      return offered();
    },
    everyFlag() {
      if (every !== undefined) return every;
      const flags = new Set(global.flags);
      const valueFlags = new Set(global.valueFlags);
      for (const [, h] of handlers) {
        if (typeof h.builder !== 'function') continue;
        const own = flagsIn(h.builder(makeYargs([])) as YargsInside, [...h.demanded, ...h.optional].flatMap((p) => p.cmd));
        for (const f of own.flags) flags.add(f);
        for (const f of own.valueFlags) valueFlags.add(f);
      }
      return (every = { flags: [...flags], valueFlags: [...valueFlags] });
    },
  };
}

/**
 * A middleware that runs before validation, once yargs has picked the command and set up its
 * options: it hands on the flags that command takes. yargs passes itself as the second argument
 * (its types leave that out).
 */
function flagsOf(take: (flags: CommandFlags) => void): (args: object) => void {
  // Returns nothing: whatever a middleware returns, yargs takes as the new arguments. Without the
  // instance (another yargs), corrections come from every command's flags.
  return ((_args: object, y?: YargsInside): void => {
    if (typeof y?.getOptions !== 'function') return;
    const usage = y.getInternalMethods?.().getContext().fullCommands.at(-1);
    take(flagsIn(y, positionalsOf(usage)));
  }) as (args: object) => void;
}

/** `mfa-env [<profile>]`: its own small command line, since it is its own command. */
export async function parseEnvArgs(argv: string[], version: string): Promise<Parsed> {
  const { default: yargs } = await import('yargs');
  let offered: CommandFlags | undefined;
  const parser = yargs(argv)
    .locale('en')
    .updateStrings(TAGGED_STRINGS as unknown as Record<string, string>)
    .scriptName('mfa-env')
    .usage('eval "$(mfa-env [profile])"\n\nPrints the statements that put a profile\'s credentials into your shell. Any prompt goes to the terminal, not to the captured output.')
    .command('$0 [profile]', false as unknown as string, (y: any) => y.positional('profile', { type: 'string', describe: 'default: $AWS_PROFILE, then "default"' }))
    .option('shell', { type: 'string', choices: SHELLS as unknown as string[], describe: 'the shell to print for (default: detected)' })
    .option('unset', { type: 'boolean', describe: 'print what clears the variables instead' })
    .option('mfa-token', { type: 'string', describe: MFA_TOKEN_HELP })
    .option('duration', { type: 'string', describe: 'length of the MFA session when a new one is needed, 30m to 36h' })
    .option('region', { type: 'string', describe: 'the region to export, over the profile\'s own' })
    .option('debug', { type: 'boolean', describe: 'say what is done and why; show stack traces' })
    .example('eval "$(mfa-env prod)"', 'bash, zsh')
    .example('mfa-env prod | source', 'fish (or: eval (mfa-env prod))')
    .example('mfa-env prod | Invoke-Expression', 'PowerShell')
    .example('mfa-env prod | from json | load-env', 'nushell')
    .example('eval "$(mfa-env --unset)"', 'clear them again')
    .epilogue(environmentHelp('env')!)
    .wrap(helpWidth())
    .strict()
    .version(version)
    .help()
    .alias('help', 'h')
    .middleware(flagsOf((flags) => (offered = flags)), true)
    .exitProcess(false);
  const vocabulary = vocabularyOf('mfa-env', parser, yargs, () => offered);
  let failure: string | undefined;
  let helpText = '';
  const a = await new Promise<Record<string, unknown>>((resolve) => {
    parser.fail((msg: string | undefined, err: Error | undefined) => {
      failure = msg ?? err?.message ?? 'invalid arguments';
    });
    parser.parse(argv, {}, (err: Error | undefined, parsed: Record<string, unknown>, output: string) => {
      helpText = output;
      if (err && failure === undefined) failure = err.message;
      resolve(parsed);
    });
  });
  if (failure !== undefined) throw usageError(vocabulary, failure, argv);
  const empty = emptyValue(vocabulary, argv);
  if (empty !== undefined) throw empty;
  const debug = a.debug === true;
  if (a.version === true) return { command: { name: 'version' }, debug };
  if (a.help === true || helpText !== '') return { command: { name: 'help', text: helpText }, debug };
  const sh = a.shell === undefined ? undefined : String(a.shell);
  const shell: Shell | undefined = sh === undefined ? undefined : SHELL_NAMES.get(sh)!;
  return {
    debug,
    command: {
      name: 'env',
      unset: a.unset === true,
      ...(a.profile !== undefined ? { profile: String(a.profile) } : {}),
      ...(shell !== undefined ? { shell } : {}),
      ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
      ...(a.duration !== undefined ? { duration: parseDuration(String(a.duration)) } : {}),
      ...(a.region !== undefined ? { region: parseRegion(String(a.region)) } : {}),
    },
  };
}
