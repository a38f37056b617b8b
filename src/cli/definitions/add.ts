import { READ_BY } from '../../variables.js';
import { profilePositional, type Definition } from '../definition.js';

export interface AddCommand {
  name: 'add';
  profile: string;
  fromEnv: boolean;
  import: boolean;
  mfaSerial?: string;
  yes: boolean;
}

export const add: Definition<AddCommand> = {
  name: 'add',
  describe: 'store an IAM user\'s long-term keys in the keychain',
  positionals: [profilePositional(true)],
  flags: {
    'from-env': { type: 'boolean', describe: 'take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment' },
    import: { type: 'boolean', describe: 'move the keys in ~/.aws/credentials for this profile into the keychain' },
    'mfa-serial': { type: 'string', describe: 'the MFA device ARN to record, instead of finding it' },
    yes: { alias: 'y', type: 'boolean', describe: 'record the MFA device found without asking' },
  },
  examples: [
    ['$0 add alice', 'asks for the access key id and secret'],
    ['$0 add alice --import', 'moves plaintext keys from ~/.aws/credentials'],
  ],
  reads: READ_BY.add,
  plan: (a) => ({ name: 'add', profile: String(a.profile), fromEnv: a.fromEnv === true, import: a.import === true, yes: a.yes === true, ...(a.mfaSerial !== undefined ? { mfaSerial: String(a.mfaSerial) } : {}) }),
  run: async (deps, c) => (await import('../commands/add.js')).add(deps, c),
};
