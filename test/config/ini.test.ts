import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseIni } from '../../src/config/ini.js';
import { loadProfiles } from '../../src/config/profiles.js';
import { MfaLoginError } from '../../src/errors.js';

const files = { configFile: '~/.aws/config', credentialsFile: '~/.aws/credentials' };

test('reads sections, keys, comments and sub-sections as the AWS SDK does', () => {
  const text = [
    '# a comment',
    '[default]',
    'region = us-east-1 # trailing comment',
    '; another comment',
    '[profile prod]',
    'role_arn=arn:aws:iam::222222222222:role/Admin',
    's3 =',
    '  max_concurrent_requests = 10',
    '  addressing_style = path',
    'source_profile = alice',
    '[sso-session corp]',
    'sso_region = eu-west-1',
    '',
  ].join('\r\n');
  const sections = parseIni(text, 'cfg');
  assert.deepEqual(
    sections.map((s) => [s.header, { ...s.values }]),
    [
      ['default', { region: 'us-east-1' }],
      ['profile prod', { role_arn: 'arn:aws:iam::222222222222:role/Admin', source_profile: 'alice' }],
      ['sso-session corp', { sso_region: 'eu-west-1' }],
    ],
  );
  assert.equal(sections[1]!.lines.source_profile, 10);
});

const bad: Array<[string, string, RegExp]> = [
  ['no equals sign', '[default]\nregion us-east-1\n', /^cfg line 2: expected "key = value" or "\[section\]", found "region us-east-1"$/],
  ['key before any section', 'region = x\n[default]\n', /^cfg line 1: setting "region" comes before any \[section\] header$/],
  ['unclosed header', '[profile prod\nregion = x\n', /^cfg line 1: section header is missing its closing "\]": "\[profile prod"$/],
  ['empty header', '[]\n', /^cfg line 1: empty section header "\[\]"$/],
  ['duplicate section', '[profile a]\nregion = x\n[profile a]\nregion = y\n', /^cfg line 3: section \[profile a\] appears twice \(first on line 1\)$/],
  ['duplicate key', '[profile a]\nregion = x\nregion = y\n', /^cfg line 3: region is set twice in \[profile a\] \(first on line 2\)$/],
  ['a leading = sign', '[a]\n= value\n', /^cfg line 2: expected "key = value"/],
];
for (const [name, text, message] of bad) {
  test(`refuses ${name} with the file and line`, () => {
    assert.throws(
      () => parseIni(text, 'cfg'),
      (e: unknown) => e instanceof MfaLoginError && e.code === 'E_CONFIG_SYNTAX' && message.test(e.message),
    );
  });
}

test('a mangled credentials line never shows the secret in the error', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  assert.throws(
    () => parseIni(`[alice]\naws_secret_access_key ${secret}\n`, 'creds'),
    (e: unknown) => e instanceof MfaLoginError && !e.message.includes(secret) && !e.message.includes('wJalrXUtnFEMI') && /line 2/.test(e.message),
  );
});

test('__proto__ is an ordinary key and pollutes nothing', () => {
  const [s] = parseIni('[a]\n__proto__ = x\nconstructor = y\n', 'cfg');
  assert.equal(s!.values.__proto__, 'x');
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test('profiles merge config and credentials like the SDK: credentials win, [x] in config is not a profile', () => {
  const set = loadProfiles(
    files,
    '[default]\nregion = eu-west-1\n[profile alice]\nregion = us-east-1\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n[alice]\nregion = ignored\n[profile "quoted"]\nregion = x\n',
    '[alice]\nregion = us-west-2\naws_access_key_id = AKIAEXAMPLE\n[bob]\naws_access_key_id = AKIABOB\n',
  );
  assert.deepEqual([...set.profiles.keys()].sort(), ['alice', 'bob', 'default', 'quoted']);
  const alice = set.profiles.get('alice')!;
  assert.equal(alice.settings.region, 'us-west-2');
  assert.equal(alice.where.region, '~/.aws/credentials line 2');
  assert.equal(alice.where.mfa_serial, '~/.aws/config line 5');
  assert.ok(alice.inConfig && alice.inCredentials);
});

test('a header with spaces names the section without them, as the editor finds it', () => {
  const creds = parseIni('[ cz ]\nk = 1\n[\tdz  ]\nk = 2\n[e  z]\nk = 3\n', 'creds');
  assert.deepEqual(creds.map((s) => s.header), ['cz', 'dz', 'e z']);
  const set = loadProfiles(files, '[profile  pz]\nregion = a\n[ profile qz ]\nregion = b\n[profile\t"rz"]\nregion = c\n[ default ]\nregion = d\n', '[ cz ]\nregion = e\n');
  assert.deepEqual([...set.profiles.keys()].sort(), ['cz', 'default', 'pz', 'qz', 'rz']);
  assert.equal(set.profiles.get('pz')!.settings.region, 'a');
  assert.equal(set.profiles.get('cz')!.settings.region, 'e');
});

const twice: Array<[string, string, RegExp]> = [
  ['[cz] and [ cz ]', '[cz]\nk = 1\n[ cz ]\nk = 2\n', /^cfg line 3: section \[cz\] appears twice \(first on line 1\)$/],
  ['[profile pz] and [profile  pz]', '[profile pz]\nk = 1\n\n[profile  pz]\nk = 2\n', /^cfg line 4: section \[profile pz\] appears twice \(first on line 1\)$/],
];
for (const [name, text, message] of twice) {
  test(`${name} are one section twice`, () => {
    assert.throws(() => parseIni(text, 'cfg'), (e: unknown) => e instanceof MfaLoginError && e.code === 'E_CONFIG_SYNTAX' && message.test(e.message));
  });
}

test('[profile pz] and [profile "pz"] are one profile twice', () => {
  assert.throws(() => loadProfiles(files, '[profile pz]\nregion = a\n[profile "pz"]\nregion = b\n', undefined), /profile pz is defined twice \(first on line 1\)/);
});

test('[default] and [profile default] together are ambiguous', () => {
  assert.throws(() => loadProfiles(files, '[default]\nregion = a\n[profile default]\nregion = b\n', undefined), /profile default is defined twice \(first on line 1\)/);
});

test('agrees with the AWS SDK\'s own loader on every profile setting', async () => {
  // The loader the SDK for JavaScript v3 uses for ~/.aws/config (installed with the SDK).
  const { loadSharedConfigFiles } = await import('@smithy/core/config' as string);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-ini-'));
  try {
    const config = '[default]\nregion = eu-west-1 ; comment\n[profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\ns3 =\n  max = 1\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n[profile alice]\nmfa_process = ykman oath accounts code --single aws\n[services x]\nsts =\n  endpoint_url = http://x\n';
    const credentials = '[alice]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = abc/def+ghi\n';
    writeFileSync(path.join(dir, 'config'), config);
    writeFileSync(path.join(dir, 'credentials'), credentials);
    const sdk = await loadSharedConfigFiles({ filepath: path.join(dir, 'credentials'), configFilepath: path.join(dir, 'config'), ignoreCache: true });
    const ours = loadProfiles(files, config, credentials);
    for (const [name, settings] of Object.entries(sdk.configFile as Record<string, Record<string, string>>)) {
      if (name.includes('.')) continue; // sections that are not profiles: services, sso-session
      const flat = Object.fromEntries(Object.entries(settings).filter(([k]) => !k.includes('.')));
      const mine = ours.profiles.get(name)!.settings;
      for (const [k, v] of Object.entries(flat)) assert.equal(mine[k], v, `${name}.${k}`);
    }
    for (const [name, settings] of Object.entries(sdk.credentialsFile as Record<string, Record<string, string>>)) {
      for (const [k, v] of Object.entries(settings)) assert.equal(ours.profiles.get(name)!.settings[k], v, `${name}.${k}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
