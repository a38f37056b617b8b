/**
 * Every command of mfa-login and of mfa-env, in the order --help lists them. Cheap to import: a
 * definition loads its command's code only when it runs.
 */
import type { Definition, Table } from '../definition.js';
import { add } from './add.js';
import { agent } from './agent.js';
import { completion } from './completion.js';
import { consoleCommand } from './console.js';
import { credentialProcess } from './credential-process.js';
import { bareLogin } from './default.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { env } from './env.js';
import { exec } from './exec.js';
import { help } from './help.js';
import { list } from './list.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { mfa } from './mfa.js';
import { policy } from './policy.js';
import { hiddenProfiles, profiles } from './profiles.js';
import { remove } from './remove.js';
import { rotate } from './rotate.js';
import { serve } from './serve.js';
import { session } from './session.js';
import { setup } from './setup.js';
import { shellInit } from './shell-init.js';
import { status } from './status.js';
import { version } from './version.js';

const LOGIN_COMMANDS = [
  login,
  add,
  remove,
  list,
  logout,
  credentialProcess,
  session,
  exec,
  serve,
  setup,
  completion,
  consoleCommand,
  shellInit,
  profiles,
  status,
  doctor,
  policy,
  demo,
  agent,
  mfa,
  rotate,
  hiddenProfiles,
  bareLogin,
  help,
  version,
] as const;

const ENV_COMMANDS = [env, help, version] as const;

/** mfa-login's commands. */
export const LOGIN_TABLE: Table = LOGIN_COMMANDS;
/** mfa-env's one command (its default), and what --help and --version give. */
export const ENV_TABLE: Table = ENV_COMMANDS;

type PlanOf<D> = D extends Definition<infer C> ? C : never;

/** What the user asked for, as data: parsing never runs anything. */
export type Command = PlanOf<(typeof LOGIN_COMMANDS)[number] | (typeof ENV_COMMANDS)[number]>;
