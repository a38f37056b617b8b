/**
 * Where the AWS config and credentials files are, and which profile is meant when none is named:
 * what the AWS CLI reads from the environment before it reads anything else. Kept apart from the
 * parser so that the cached path can find the files without loading it.
 */
import type { Env } from '../settings.js';

export interface SharedFilePaths {
  configFile: string;
  credentialsFile: string;
}

/** The files the AWS CLI reads, honouring AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE. */
export function sharedFilePaths(env: Env, homeDir: string): SharedFilePaths {
  return {
    configFile: expandHome(env.AWS_CONFIG_FILE || `${homeDir}/.aws/config`, homeDir),
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || `${homeDir}/.aws/credentials`, homeDir),
  };
}

function expandHome(p: string, homeDir: string): string {
  return p === '~' || p.startsWith('~/') ? homeDir + p.slice(1) : p;
}

/** The profile a command acts on when none is named: AWS_PROFILE, then AWS_DEFAULT_PROFILE, then `default`. */
export function defaultProfileName(env: Env): string {
  return env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
}
