import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveChain } from '../../src/config/chain.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { findWrittenSessions, involving, markerValue, removeWrittenSessions, sectionList, writtenSessions } from '../../src/session/written-sessions.js';
import { HOME, memoryDeps } from '../memory-deps.js';

const CREDENTIALS = `${HOME}/.aws/credentials`;
const session = (section: string, marker: string, extra = '') =>
  `[${section}]\naws_access_key_id = ASIA${section}\naws_secret_access_key = s\naws_session_token = t\nexpiration = 2025-06-01T13:00:00Z\nmfa_login_session_of = ${marker}\n${extra}`;
const text = [session('prod', 'prod via admin via alice', 'region = eu-west-1\n'), '[alice-own]\naws_access_key_id = AKIAOWN\naws_secret_access_key = own\n', session('dev-session', 'dev via bob')].join('\n');

test('the marker names the target first, then the profiles towards the IAM user', () => {
  const role = (name: string, source: string) => `[profile ${name}]\nrole_arn = arn:aws:iam::222222222222:role/${name}\nsource_profile = ${source}\n`;
  const config = `[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n${role('admin', 'alice')}${role('ops', 'admin')}${role('prod', 'ops')}`;
  const files = loadProfiles({ configFile: 'config', credentialsFile: 'credentials' }, config, undefined);
  assert.equal(markerValue(resolveChain(files, 'prod')), 'prod via ops via admin via alice');
  assert.equal(markerValue(resolveChain(files, 'alice')), 'alice');
});

test('only marked sections are written sessions; a profile involves those obtained for or through it', () => {
  const all = writtenSessions(text, CREDENTIALS);
  assert.deepEqual(all, [
    { section: 'prod', profiles: ['prod', 'admin', 'alice'], expiration: '2025-06-01T13:00:00Z' },
    { section: 'dev-session', profiles: ['dev', 'bob'], expiration: '2025-06-01T13:00:00Z' },
  ]);
  assert.deepEqual(involving(all, 'alice').map((s) => s.section), ['prod']);
  assert.deepEqual(involving(all, 'dev').map((s) => s.section), ['dev-session']);
  assert.deepEqual(involving(all, 'alice-own'), []);
  assert.equal(involving(all, undefined).length, 2);
  assert.equal(sectionList(['alice', 'prod-session']), '[alice], [prod-session]');
});

test('found in the file the environment names, shown with ~ when under the home directory', async () => {
  const m = memoryDeps({ files: { [CREDENTIALS]: text } });
  const found = await findWrittenSessions(m.deps, 'bob');
  assert.equal(found.shown, '~/.aws/credentials');
  assert.deepEqual(found.sessions.map((s) => s.section), ['dev-session']);
  const elsewhere = memoryDeps({ env: { AWS_SHARED_CREDENTIALS_FILE: '/srv/creds' }, files: { '/srv/creds': text } });
  assert.equal((await findWrittenSessions(elsewhere.deps, undefined)).shown, '/srv/creds');
  assert.deepEqual((await findWrittenSessions(memoryDeps().deps, undefined)).sessions, []);
});

test('removing takes only the keys mfa-login wrote: what a person added and unmarked sections stay', async () => {
  const m = memoryDeps({ files: { [CREDENTIALS]: text } });
  const removed = await removeWrittenSessions(m.deps, 'alice');
  assert.deepEqual(removed, { shown: '~/.aws/credentials', sections: ['prod'] });
  const after = m.files.get(CREDENTIALS)!;
  assert.match(after, /\[prod\]\nregion = eu-west-1\n/);
  assert.doesNotMatch(after, /ASIAprod|prod via/);
  assert.match(after, /\[alice-own\]\naws_access_key_id = AKIAOWN\n/);
  assert.match(after, /mfa_login_session_of = dev via bob/);
  assert.equal(m.modes.get(CREDENTIALS), 0o600);
});

test('removing every marked session, or from no file at all', async () => {
  const m = memoryDeps({ files: { [CREDENTIALS]: text } });
  assert.deepEqual((await removeWrittenSessions(m.deps, undefined)).sections, ['prod', 'dev-session']);
  assert.deepEqual(writtenSessions(m.files.get(CREDENTIALS)!, CREDENTIALS), []);
  const none = memoryDeps();
  assert.deepEqual((await removeWrittenSessions(none.deps, undefined)).sections, []);
  assert.equal(none.files.has(CREDENTIALS), false);
});
