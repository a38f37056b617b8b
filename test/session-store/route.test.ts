import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeRoutes, encodeRoutes, observe, readRoutes, routeEnv, routeFileName, routeHolds, routesBeside, settled, stampsFor, COARSE_MS, MAX_ROUTES, RECENT_MS, type Route } from '../../src/session-store/route.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { entryFile } from '../../src/session-store/entry.js';
import { STS_ENV } from '../../src/sts/sts-env.js';
import { session } from './helpers.js';

/**
 * A route lets the cached path answer without reading the config: it must stop holding the
 * moment anything the answer was derived from changes, and never be noted for a file whose
 * stamp could survive a change.
 */
const uid = process.getuid?.();
const settle = () => new Promise((resolve) => setTimeout(resolve, RECENT_MS + 20));

function place() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfl-route-'));
  mkdirSync(path.join(home, '.aws'));
  const files = { configFile: path.join(home, '.aws/config'), credentialsFile: path.join(home, '.aws/credentials') };
  const dir = path.join(home, 'store');
  mkdirSync(dir, { mode: 0o700 });
  return { home, files, dir, done: () => rmSync(home, { recursive: true, force: true }) };
}

const CONFIG = '[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = ivy\nregion = eu-west-1\n';

test('a file changed within the last RECENT_MS is not vouched for; once settled it is, and a missing file is stamped as missing', async (t) => {
  const p = place();
  t.after(p.done);
  const before = Date.now();
  writeFileSync(p.files.configFile, CONFIG);
  assert.equal(stampsFor(p.files, [CONFIG, undefined], before), undefined, 'just written');
  await settle();
  const stamps = stampsFor(p.files, [CONFIG, undefined], Date.now());
  assert.deepEqual(stamps, [observe(p.files.configFile, false).stamp, null]);
  assert.equal(stampsFor(p.files, ['[profile other]\n', undefined], Date.now()), undefined, 'the file no longer holds the text the answer came from');
  assert.equal(stampsFor(p.files, [CONFIG, '[ivy]\n'], Date.now()), undefined, 'the credentials file is gone');
});

test('a stamp counts as settled after RECENT_MS, or after COARSE_MS on a filesystem that keeps whole seconds', () => {
  const now = 1_800_000_000_000;
  const fine = (ago: number): Route['stamps'][0] => [1, 2, 3, now - ago - 0.123456, now - ago - 0.123456];
  const coarse = (ago: number): Route['stamps'][0] => [1, 2, 3, Math.floor((now - ago) / 1000) * 1000, Math.floor((now - ago) / 1000) * 1000];
  assert.equal(settled(fine(RECENT_MS - 1), now), false);
  assert.equal(settled(fine(RECENT_MS), now), true);
  assert.equal(settled(coarse(RECENT_MS + 500), now), false, 'a change later in the same second would keep this stamp');
  assert.equal(settled(coarse(COARSE_MS - 1000), now), false);
  assert.equal(settled(coarse(COARSE_MS + 1000), now), true);
  assert.equal(settled([1, 2, 3, now - 60_000, now - 10], now), false, 'the change time counts as much as the modification time');
  assert.equal(settled(null, now), true, 'a file that does not exist');
});

test('a route holds while nothing changes, and not after any change to what the answer came from', async (t) => {
  const p = place();
  t.after(p.done);
  writeFileSync(p.files.configFile, CONFIG);
  await settle();
  const env: Record<string, string | undefined> = { AWS_PROFILE: 'prod', SHELL: '/bin/bash' };
  const route: Route = { profile: 'prod', files: [p.files.configFile, p.files.credentialsFile], stamps: stampsFor(p.files, [CONFIG, undefined], Date.now())!, env: routeEnv(env), entry: '0123456789abcdef.json', key: 'k' };
  assert.equal(routeHolds(route, 'prod', p.files, env), true);
  assert.equal(routeHolds(route, 'prod', p.files, { ...env, AWS_PROFILE: 'x', SHELL: '/bin/zsh', AWS_ACCESS_KEY_ID: 'AKIA' }), true, 'variables that do not reach a session key do not matter');
  assert.equal(routeHolds(route, 'other', p.files, env), false, 'another profile');
  assert.equal(routeHolds(route, 'prod', { ...p.files, configFile: `${p.files.configFile}2` }, env), false, 'another config file');
  for (const name of STS_ENV) assert.equal(routeHolds(route, 'prod', p.files, { ...env, [name]: 'eu-west-2' }), false, name);
  // Rewritten in place with the same size: only the times tell.
  writeFileSync(p.files.configFile, CONFIG.replace('eu-west-1', 'eu-west-2'));
  assert.equal(routeHolds(route, 'prod', p.files, env), false, 'same size, rewritten in place');
  writeFileSync(p.files.configFile, CONFIG);
  assert.equal(routeHolds(route, 'prod', p.files, env), false, 'the same text again is still a change');
  const again = { ...route, stamps: [observe(p.files.configFile, false).stamp, null] as Route['stamps'] };
  writeFileSync(p.files.credentialsFile, '[ivy]\n');
  assert.equal(routeHolds(again, 'prod', p.files, env), false, 'a credentials file that appeared');
  rmSync(p.files.credentialsFile);
  rmSync(p.files.configFile);
  assert.equal(routeHolds(again, 'prod', p.files, env), false, 'a config that went');
});

test('routes are read only from a regular 0600 file of ours, and only in the shape they are written', async (t) => {
  const p = place();
  t.after(p.done);
  const route: Route = { profile: 'prod', files: ['/c', '/d'], stamps: [[1, 2, 3, 4.5, 6.25], null], env: STS_ENV.map(() => null), entry: '0123456789abcdef.json', key: '["k"]', accountId: '222222222222', region: 'eu-west-1' };
  const other: Route = { ...route, env: STS_ENV.map((n) => (n === 'AWS_REGION' ? 'eu-west-2' : null)), entry: 'fedcba9876543210.json', key: '["k2"]' };
  assert.deepEqual(decodeRoutes(encodeRoutes([route, other])), [route, other]);
  const file = path.join(p.dir, routeFileName('prod')!);
  writeFileSync(file, encodeRoutes([route, other]), { mode: 0o600 });
  assert.deepEqual(readRoutes(p.dir, 'prod', uid), [route, other]);
  chmodSync(file, 0o644);
  assert.deepEqual(readRoutes(p.dir, 'prod', uid), [], 'readable by others');
  rmSync(file);
  writeFileSync(path.join(p.home, 'elsewhere'), encodeRoutes([route]), { mode: 0o600 });
  symlinkSync(path.join(p.home, 'elsewhere'), file);
  assert.deepEqual(readRoutes(p.dir, 'prod', uid), [], 'a symbolic link');
  const bad: Array<[string, unknown]> = [
    ['an entry outside the directory', { ...route, entry: '../../elsewhere.json' }],
    ['too few variables', { ...route, env: [] }],
    ['a stamp that is not one', { ...route, stamps: [[1, 2, 3], null] }],
    ['no key', { ...route, key: undefined }],
    ['not a route', 'prod'],
  ];
  for (const [what, value] of bad) assert.equal(decodeRoutes(JSON.stringify({ version: 2, routes: [route, value] })), undefined, what);
  assert.equal(decodeRoutes(JSON.stringify({ version: 1, ...route })), undefined, 'the one-route form of version 1');
  assert.equal(decodeRoutes(JSON.stringify({ version: 2, routes: Array.from({ length: MAX_ROUTES + 1 }, () => route) })), undefined, 'more routes than are ever kept');
  assert.equal(decodeRoutes('{"version":2,"routes":['), undefined, 'cut short');
  assert.equal(routeFileName('p'.repeat(201)), undefined, 'a name too long for a file name has no route');
  assert.equal(routeFileName('../x y'), 'route-..%2Fx%20y.json', 'nothing leads out of the directory');
});

test('beside a new route stay the routes of other environments whose files are unchanged, newest first, up to MAX_ROUTES in all', () => {
  const inRegion = (region: string, stamps: Route['stamps'] = [[1, 2, 3, 4, 5], null]): Route => ({
    profile: 'prod', files: ['/c', '/d'], stamps, env: STS_ENV.map((n) => (n === 'AWS_REGION' ? region : null)), entry: '0123456789abcdef.json', key: `["${region}"]`,
  });
  const noted = [inRegion('eu-west-2'), inRegion('eu-west-1'), inRegion('us-east-1'), inRegion('us-east-2')];
  assert.deepEqual(routesBeside(inRegion('eu-west-1'), noted), [inRegion('eu-west-2'), inRegion('us-east-1'), inRegion('us-east-2')], 'the same environment is replaced');
  assert.deepEqual(routesBeside(inRegion('ap-south-1'), noted), noted.slice(0, MAX_ROUTES - 1), 'the oldest goes');
  assert.deepEqual(routesBeside(inRegion('eu-west-1', [[1, 2, 3, 4, 6], null]), noted), [], 'a changed config: no other route can hold');
  assert.deepEqual(routesBeside({ ...inRegion('eu-west-1'), files: ['/other', '/d'] }, noted), [], 'another config file');
  assert.deepEqual(routesBeside({ ...inRegion('eu-west-1'), profile: 'dev' }, noted), [], 'another profile sharing the file name');
});

test('the store notes a route, points it at the entry, and forgets every route with its sessions', async (t) => {
  const p = place();
  t.after(p.done);
  writeFileSync(p.files.configFile, CONFIG);
  const store = dirStore({ mode: 'file', dir: p.dir, ram: false, uid, waitMs: 1000 });
  const key = '["mfa-session","ivy",null,"aws"]';
  await store.put(key, session('ASIAROUTE0000000000', 3600_000, ['ivy', 'prod']));
  const note = { profile: 'prod', files: p.files, texts: [CONFIG, undefined] as [string, undefined], env: { AWS_REGION: 'eu-west-1' }, key, region: 'eu-west-1' };
  await settle();
  await store.noteRoute!(note);
  const [route] = readRoutes(p.dir, 'prod', uid);
  assert.ok(route);
  assert.equal(path.join(p.dir, route.entry), entryFile(p.dir, key));
  assert.equal(route.key, key);
  assert.deepEqual(route.env, routeEnv({ AWS_REGION: 'eu-west-1' }));
  // Noted again as it is (the endpoint notes on every request): the file stays; another key replaces it.
  const file = path.join(p.dir, routeFileName('prod')!);
  const before = observe(file, false).stamp;
  await store.noteRoute!(note);
  assert.deepEqual(observe(file, false).stamp, before, 'a route that holds is not written again');
  await store.noteRoute!({ ...note, key: '["other"]' });
  assert.deepEqual(readRoutes(p.dir, 'prod', uid).map((r) => r.key), ['["other"]'], 'another key for the same environment replaces it');
  await store.noteRoute!(note);
  // Another environment (a shell with another AWS_REGION) gets a route of its own beside it.
  await store.noteRoute!({ ...note, env: { AWS_REGION: 'eu-west-2' }, key: '["west-2"]' });
  assert.deepEqual(readRoutes(p.dir, 'prod', uid).map((r) => r.key), ['["west-2"]', key]);
  assert.equal((await store.list()).length, 1, 'a route is not a session');
  assert.doesNotMatch(readFileSync(path.join(p.dir, routeFileName('prod')!), 'utf8'), /secret|ASIA/i, 'no secret in a route');
  await store.forget('ivy');
  assert.deepEqual(readdirSync(p.dir), [], 'sessions and routes gone');
});
