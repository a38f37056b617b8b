import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { settingsFrom, under } from '../src/settings.js';
import { parentOf } from '../src/session-store/private-dir.js';

test('paths are put together as node:path would, without a doubled separator', () => {
  for (const [dir, names] of [['/run/user/1000', ['mfa-login']], ['/run/user/1000/', ['mfa-login']], ['/home/a//', ['.config', 'mfa-login', 'keys.enc']], ['/', ['x']], ['', ['.cache']], ['rel/', ['x']]] as const) {
    assert.equal(under('linux', dir, ...names), path.posix.join(dir, ...names));
  }
  assert.equal(under('win32', 'C:\\Users\\a\\', '.cache', 'mfa-login'), 'C:\\Users\\a\\.cache\\mfa-login');
  const s = settingsFrom({ XDG_RUNTIME_DIR: '/run/user/1000/', XDG_CONFIG_HOME: '/home/a/conf/' }, '/home/a/', { os: 'linux', uid: 1000 });
  assert.equal(s.cache.dir, '/run/user/1000/mfa-login');
  assert.equal(s.cache.socket, '/run/user/1000/mfa-login/agent.sock');
  assert.equal(s.cache.persistentDir, '/home/a/.cache/mfa-login');
  assert.equal(s.keyFile, '/home/a/conf/mfa-login/keys.enc');
  assert.equal(s.keys.infoFile, '/home/a/conf/mfa-login/keys.json');
  // Relative XDG directories are ignored; on Windows a drive path is absolute.
  assert.equal(settingsFrom({ XDG_CACHE_HOME: 'rel', MFA_LOGIN_CACHE: 'file' }, '/home/a', { os: 'linux', uid: 1 }).cache.dir, '/home/a/.cache/mfa-login');
  assert.equal(settingsFrom({ XDG_CACHE_HOME: 'D:\\cache', MFA_LOGIN_CACHE: 'file' }, 'C:\\Users\\a', { os: 'win32', uid: undefined }).cache.dir, 'D:\\cache\\mfa-login');
  assert.equal(settingsFrom({ XDG_CACHE_HOME: 'cache', MFA_LOGIN_CACHE: 'file' }, 'C:\\Users\\a', { os: 'win32', uid: undefined }).cache.dir, 'C:\\Users\\a\\.cache\\mfa-login');
  // A relative key file is taken from the working directory, as the shell would.
  assert.equal(settingsFrom({ MFA_LOGIN_FILE_STORE: 'rel/keys.enc' }, '/home/a').keyFile, path.resolve('rel/keys.enc'));
  assert.equal(settingsFrom({ MFA_LOGIN_FILE_STORE: './keys.enc' }, '/home/a').keyFile, path.resolve('keys.enc'), 'no /./ in the path shown');
  assert.equal(settingsFrom({ MFA_LOGIN_FILE_STORE: '././k/keys.enc' }, '/home/a').keyFile, path.resolve('k/keys.enc'));
});

test('the parent of a directory is what dirname gives, on Linux and on Windows', () => {
  // Every path of up to four of these pieces: roots, drives, doubled and trailing separators.
  const pieces = ['a', 'bc', '/', '\\', 'C:', 'c:', '..', '.'];
  let paths = [''];
  for (let depth = 0; depth < 4; depth++) paths = [...paths, ...paths.flatMap((p) => pieces.map((x) => p + x))];
  for (const dir of new Set(paths)) {
    // POSIX leaves a leading `//` to the system; node keeps it, Linux takes it as `/`.
    if (!dir.startsWith('//')) assert.equal(parentOf(dir, 'linux'), path.posix.dirname(dir), JSON.stringify(dir));
    assert.equal(parentOf(dir, 'win32'), path.win32.dirname(dir), JSON.stringify(dir));
  }
  assert.equal(parentOf('//a', 'linux'), '/');
  assert.equal(parentOf('\\\\server\\share\\mfa-login', 'win32'), '\\\\server\\share\\');
  assert.equal(parentOf('C:\\mfa-login', 'win32'), 'C:\\');
});
