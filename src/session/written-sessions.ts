/**
 * Sessions `mfa-login <profile>` wrote to ~/.aws/credentials. Each carries a marker key naming the
 * profile it was obtained for and the profiles it was obtained through:
 *
 *     mfa_login_session_of = prod via alice
 *
 * A key rather than a comment, so that it is read by the same INI parser as everything else and
 * travels with the section when another tool rewrites the file. botocore, the AWS CLI and the JS
 * SDK keep unknown keys in a profile and ignore them (as they do aws-vault's `expiration`).
 * Logging out removes exactly the marked sections, and of them only the keys mfa-login wrote:
 * anything a person added there (`region`, `output`) stays.
 */
import type { Deps } from '../deps.js';
import type { ChainPlan } from '../config/chain.js';
import { parseIni } from '../config/ini.js';
import { sharedFilePaths } from '../config/profiles.js';
import { removeSectionKeys } from '../output/ini-edit.js';
import { shortPath } from './profiles-io.js';

export const MARKER_KEY = 'mfa_login_session_of';
/** What login writes besides the marker; what logout takes away again. */
export const SESSION_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'expiration', MARKER_KEY];

/** `prod via alice`: the target first, then the profiles towards the IAM user. */
export function markerValue(plan: ChainPlan): string {
  const through = [...plan.roles.map((r) => r.profile).reverse(), plan.source.profile].filter((p) => p !== plan.target);
  return [plan.target, ...through].join(' via ');
}

export interface WrittenSession {
  /** The section in the credentials file. */
  section: string;
  /** Every profile the session was obtained through, the target first. */
  profiles: string[];
  expiration?: string;
}

/** The marked sections of a credentials file's text. */
export function writtenSessions(text: string, fileName: string): WrittenSession[] {
  return parseIni(text, fileName)
    .filter((s) => s.values[MARKER_KEY] !== undefined)
    .map((s) => ({
      section: s.header,
      profiles: s.values[MARKER_KEY]!.split(/\s+via\s+/).map((p) => p.trim()),
      ...(s.values.expiration !== undefined ? { expiration: s.values.expiration } : {}),
    }));
}

/** Sessions written for `profile` or through it (all of them when undefined). */
export function involving(sessions: WrittenSession[], profile: string | undefined): WrittenSession[] {
  return sessions.filter((s) => profile === undefined || s.profiles.includes(profile));
}

/** The written sessions involving `profile`, as they are in the file now. */
export async function findWrittenSessions(deps: Deps, profile: string | undefined): Promise<{ file: string; shown: string; sessions: WrittenSession[] }> {
  const file = sharedFilePaths(deps.env, deps.homeDir).credentialsFile;
  const text = (await deps.readFile(file)) ?? '';
  return { file, shown: shortPath(deps, file), sessions: involving(writtenSessions(text, file), profile) };
}

/**
 * Removes the sessions written for or through `profile` (every marked one when undefined) from the
 * credentials file in one atomic replacement, deciding which on what the file holds under its
 * lock: a login writing at the same moment keeps its section, and a session removed here does
 * not come back with another writer's replacement. Returns the sections it took them from.
 */
export async function removeWrittenSessions(deps: Deps, profile: string | undefined): Promise<{ shown: string; sections: string[] }> {
  const file = sharedFilePaths(deps.env, deps.homeDir).credentialsFile;
  let doomed: WrittenSession[] = [];
  await deps.editFile(
    file,
    (text) => {
      doomed = text === undefined ? [] : involving(writtenSessions(text, file), profile);
      let next = text;
      for (const s of doomed) next = removeSectionKeys(next!, s.section, SESSION_KEYS);
      return next;
    },
    { mode: 0o600 },
  );
  return { shown: shortPath(deps, file), sections: doomed.map((s) => s.section) };
}

/** `[alice], [prod-session]` */
export function sectionList(sections: string[]): string {
  return sections.map((s) => `[${s}]`).join(', ');
}
