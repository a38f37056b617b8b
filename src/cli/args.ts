import { MfaLoginError } from '../errors.js';

/** What the user asked for, as data: parsing never runs anything. */
export type Command =
  | { name: 'login'; profile: string; to?: string; mfaToken?: string; duration?: number }
  | { name: 'add'; profile: string; fromEnv: boolean; import: boolean; mfaSerial?: string; yes: boolean }
  | { name: 'remove'; profile: string }
  | { name: 'list'; json: boolean }
  | { name: 'logout'; profile?: string; all: boolean }
  | { name: 'help'; text: string }
  | { name: 'version' };

export interface Parsed {
  command: Command;
  debug: boolean;
}

/**
 * Parses a duration as seconds (`3600`) or with a unit (`90m`, `12h`, `1h30m`), the forms
 * aws-vault users type.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (m === null || t === '') {
    throw new MfaLoginError('E_USAGE', `--duration ${JSON.stringify(text)} is not a duration`, { hint: 'use seconds (3600) or a form like 12h, 90m, 1h30m' });
  }
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export async function parseArgs(argv: string[], version: string): Promise<Parsed> {
  const { default: yargs } = await import('yargs');
  let command: Command | undefined;
  const set = (c: Command) => {
    command = c;
  };
  const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

  const loginOptions = (y: any) =>
    y
      .positional('profile', { type: 'string', describe: 'the profile to log in to (default: $AWS_PROFILE, then "default")' })
      .option('to', { type: 'string', describe: 'write to this profile name in the credentials file (default: the profile\'s own name)' })
      .option('mfa-token', { type: 'string', describe: 'the 6-digit code, instead of a prompt or mfa_process' })
      .option('duration', { type: 'string', describe: 'length of the MFA session: seconds or 12h, 90m (default: duration_seconds, else 12h)' })
      .example('$0 alice', 'ask for a code, write a 12-hour session to [alice] in ~/.aws/credentials');

  const loginCommand = (a: Record<string, unknown>) =>
    set({
      name: 'login',
      profile: str(a.profile) ?? '',
      ...(a.to !== undefined ? { to: String(a.to) } : {}),
      ...(a.mfaToken !== undefined ? { mfaToken: String(a.mfaToken) } : {}),
      ...(a.duration !== undefined ? { duration: parseDuration(String(a.duration)) } : {}),
    });

  const parser = yargs(argv)
    .scriptName('mfa-login')
    .usage('$0 <profile> | $0 <command>\n\nAWS credentials behind one MFA code: long-term keys in the OS keychain, sessions cached until they expire.')
    .option('debug', { type: 'boolean', describe: 'say what is done and why; show stack traces', global: true })
    .command('login [profile]', 'get an MFA session and write it to ~/.aws/credentials', loginOptions, loginCommand)
    .command(
      'add <profile>',
      'store an IAM user\'s long-term keys in the keychain',
      (y: any) =>
        y
          .positional('profile', { type: 'string' })
          .option('from-env', { type: 'boolean', describe: 'take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment' })
          .option('import', { type: 'boolean', describe: 'move the keys in ~/.aws/credentials for this profile into the keychain' })
          .option('mfa-serial', { type: 'string', describe: 'the MFA device ARN to record, instead of finding it' })
          .option('yes', { alias: 'y', type: 'boolean', describe: 'record the MFA device found without asking' })
          .example('$0 add alice', 'asks for the access key id and secret')
          .example('$0 add alice --import', 'moves plaintext keys from ~/.aws/credentials'),
      (a: Record<string, unknown>) =>
        set({ name: 'add', profile: String(a.profile), fromEnv: a.fromEnv === true, import: a.import === true, yes: a.yes === true, ...(a.mfaSerial !== undefined ? { mfaSerial: String(a.mfaSerial) } : {}) }),
    )
    .command('remove <profile>', 'delete a profile\'s keys from the keychain and forget its sessions', (y: any) => y.positional('profile', { type: 'string' }), (a: Record<string, unknown>) => set({ name: 'remove', profile: String(a.profile) }))
    .command('list', 'profiles with stored keys', (y: any) => y.option('json', { type: 'boolean', describe: 'print JSON' }), (a: Record<string, unknown>) => set({ name: 'list', json: a.json === true }))
    .command(
      'logout [profile]',
      'forget cached sessions of a profile, or all of them',
      (y: any) => y.positional('profile', { type: 'string' }).option('all', { type: 'boolean', describe: 'forget every cached session' }),
      (a: Record<string, unknown>) => set({ name: 'logout', all: a.all === true, ...(a.profile !== undefined ? { profile: String(a.profile) } : {}) }),
    )
    .command('$0 [profile]', false as unknown as string, loginOptions, loginCommand)
    .strict()
    .version(version)
    .help()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false);

  let helpText = '';
  let failure: string | undefined;
  const args = await new Promise<Record<string, unknown>>((resolve, reject) => {
    parser.fail((msg: string | undefined, err: Error | undefined) => {
      failure = msg ?? err?.message ?? 'invalid arguments';
    });
    parser.parse(argv, {}, (err: Error | undefined, parsed: Record<string, unknown>, output: string) => {
      helpText = output;
      if (err && failure === undefined) {
        if (err instanceof MfaLoginError) return reject(err);
        failure = err.message;
      }
      resolve(parsed);
    });
  });
  if (failure !== undefined) {
    throw new MfaLoginError('E_USAGE', failure, { hint: 'see: mfa-login --help' });
  }
  const debug = args.debug === true;
  if (args.version === true) return { command: { name: 'version' }, debug };
  if (args.help === true || (command === undefined && helpText !== '')) return { command: { name: 'help', text: helpText }, debug };
  if (command === undefined) throw new MfaLoginError('E_USAGE', 'nothing to do', { hint: 'see: mfa-login --help' });
  return { command, debug };
}
