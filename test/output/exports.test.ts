import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectShell, formatAssignments, formatExports, formatUnset, savedBefore, type Shell } from '../../src/output/exports.js';
import { isMfaLoginError } from '../../src/errors.js';
import { regionFor, userRegion } from '../../src/settings.js';
import type { Credentials } from '../../src/credentials.js';

const session: Credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'wJalr/K7MDENG+bPxRfiCY',
  sessionToken: 'IQoJb3JpZ2luX2Vj',
  expiration: new Date('2026-11-24T14:00:00.999Z'),
};

describe('formatExports', () => {
  test('sh', () => {
    assert.equal(
      formatExports(session, { shell: 'sh', region: 'eu-west-1' }),
      [
        "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'",
        "export AWS_SECRET_ACCESS_KEY='wJalr/K7MDENG+bPxRfiCY'",
        "export AWS_SESSION_TOKEN='IQoJb3JpZ2luX2Vj'",
        "export AWS_CREDENTIAL_EXPIRATION='2026-11-24T14:00:00Z'",
        "export AWS_REGION='eu-west-1'",
        "export AWS_DEFAULT_REGION='eu-west-1'",
        'unset AWS_PROFILE',
        'unset AWS_DEFAULT_PROFILE',
        '',
      ].join('\n'),
    );
  });

  test('fish', () => {
    assert.equal(
      formatExports(session, { shell: 'fish' }),
      [
        "set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLE';",
        "set -gx AWS_SECRET_ACCESS_KEY 'wJalr/K7MDENG+bPxRfiCY';",
        "set -gx AWS_SESSION_TOKEN 'IQoJb3JpZ2luX2Vj';",
        "set -gx AWS_CREDENTIAL_EXPIRATION '2026-11-24T14:00:00Z';",
        'if set -q -g AWS_PROFILE; set -e -g AWS_PROFILE; end;',
        'if set -q -g AWS_DEFAULT_PROFILE; set -e -g AWS_DEFAULT_PROFILE; end;',
        '',
      ].join('\n'),
    );
  });

  test('long-term keys: no token and no expiration, so stale ones are unset', () => {
    assert.equal(
      formatExports({ accessKeyId: 'AKIA', secretAccessKey: 's' }, { shell: 'sh' }),
      [
        "export AWS_ACCESS_KEY_ID='AKIA'",
        "export AWS_SECRET_ACCESS_KEY='s'",
        'unset AWS_SESSION_TOKEN',
        'unset AWS_CREDENTIAL_EXPIRATION',
        'unset AWS_PROFILE',
        'unset AWS_DEFAULT_PROFILE',
        '',
      ].join('\n'),
    );
  });

  // pwsh is not installable here: these strings are what PowerShell's own quoting rules give.
  describe('powershell', () => {
    test('the whole output', () => {
      assert.equal(
        formatExports({ ...session, sessionToken: undefined }, { shell: 'powershell', region: 'us-east-1' }),
        [
          "$env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE'",
          "$env:AWS_SECRET_ACCESS_KEY = 'wJalr/K7MDENG+bPxRfiCY'",
          '$env:AWS_SESSION_TOKEN = $null',
          "$env:AWS_CREDENTIAL_EXPIRATION = '2026-11-24T14:00:00Z'",
          "$env:AWS_REGION = 'us-east-1'",
          "$env:AWS_DEFAULT_REGION = 'us-east-1'",
          '$env:AWS_PROFILE = $null',
          '$env:AWS_DEFAULT_PROFILE = $null',
          '',
        ].join('\n'),
      );
    });

    const quoting: [value: string, literal: string][] = [
      ['plain', "'plain'"],
      ["it's", "'it''s'"],
      ["'", "''''"],
      ["''", "''''''"],
      ['$(Remove-Item -Recurse ~)', "'$(Remove-Item -Recurse ~)'"],
      ['$env:HOME `n "x"', "'$env:HOME `n \"x\"'"],
      ['a\\', "'a\\'"],
      // PowerShell ends a single-quoted string at any of ' ‘ ’ ‚ ‛, so each is doubled.
      ['\u2018; calc; \u2019', "'\u2018\u2018; calc; \u2019\u2019'"],
      ['\u201A\u201B', "'\u201A\u201A\u201B\u201B'"],
      ['“double”', "'“double”'"],
      ['é ☃ 𝄞', "'é ☃ 𝄞'"],
    ];
    for (const [value, literal] of quoting) {
      test(`quotes ${JSON.stringify(value)}`, () => {
        const out = formatAssignments('powershell', [['AWS_ACCESS_KEY_ID', value]]);
        assert.equal(out, `$env:AWS_ACCESS_KEY_ID = ${literal}\n`);
      });
    }

    test('unset', () => {
      assert.equal(
        formatUnset('powershell', { MFA_LOGIN_SAVED: '{}' }),
        [
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
          'AWS_SESSION_TOKEN',
          'AWS_CREDENTIAL_EXPIRATION',
          'AWS_REGION',
          'AWS_DEFAULT_REGION',
          'MFA_LOGIN_EXPORTED_REGION',
          'AWS_PROFILE',
          'AWS_DEFAULT_PROFILE',
          'MFA_LOGIN_SAVED',
        ]
          .map((n) => `$env:${n} = $null\n`)
          .join(''),
      );
    });
  });

  // nushell loads a record (`mfa-env --shell nu | from json | load-env`), evaluated for real in
  // test/output/shells.test.ts: null takes a variable out, a variable a line.
  test('nu: one JSON record, null for what is taken out', () => {
    assert.equal(
      formatExports({ ...session, sessionToken: undefined }, { shell: 'nu', region: 'eu-west-1', save: '{"AWS_PROFILE":"mine"}' }),
      [
        '{',
        '  "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",',
        '  "AWS_SECRET_ACCESS_KEY": "wJalr/K7MDENG+bPxRfiCY",',
        '  "AWS_SESSION_TOKEN": null,',
        '  "AWS_CREDENTIAL_EXPIRATION": "2026-11-24T14:00:00Z",',
        '  "AWS_REGION": "eu-west-1",',
        '  "AWS_DEFAULT_REGION": "eu-west-1",',
        '  "AWS_PROFILE": null,',
        '  "AWS_DEFAULT_PROFILE": null,',
        '  "MFA_LOGIN_SAVED": "{\\"AWS_PROFILE\\":\\"mine\\"}"',
        '}',
        '',
      ].join('\n'),
    );
    // A name unset and then given back (the saved region) appears once, with what is given back.
    assert.deepEqual(JSON.parse(formatUnset('nu', { MFA_LOGIN_SAVED: '{"AWS_REGION":"us-west-2"}' })), {
      AWS_ACCESS_KEY_ID: null,
      AWS_SECRET_ACCESS_KEY: null,
      AWS_SESSION_TOKEN: null,
      AWS_CREDENTIAL_EXPIRATION: null,
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: null,
      MFA_LOGIN_EXPORTED_REGION: null,
      AWS_PROFILE: null,
      AWS_DEFAULT_PROFILE: null,
      MFA_LOGIN_SAVED: null,
    });
    assert.equal(formatUnset('nu', {}), '{\n  "MFA_LOGIN_SAVED": null\n}\n');
    assert.equal(formatAssignments('nu', []), '{}\n');
  });

  const shells: Shell[] = ['sh', 'fish', 'powershell', 'nu'];
  for (const shell of shells) {
    for (const [what, value] of [
      ['a newline', 'a\nexport EVIL=1'],
      ['a carriage return', 'a\rb'],
      ['a NUL', 'a\0b'],
      ['a lone surrogate', 'a\uD800b'],
    ]) {
      test(`${shell}: rejects ${what} in any value`, () => {
        const bad = (e: unknown) => isMfaLoginError(e) && e.code === 'E_USAGE' && !e.message.includes(value!);
        assert.throws(() => formatExports({ ...session, secretAccessKey: value! }, { shell }), bad);
        assert.throws(() => formatExports({ ...session, sessionToken: value! }, { shell }), bad);
        assert.throws(() => formatExports(session, { shell, region: value! }), bad);
      });
    }
  }

  // Quoting holds against anything, but a shell detected wrongly reads another shell's quoting:
  // fish's `\'` is no escape to bash. So a value outside its AWS form is never printed at all.
  const hostile: [what: string, creds: Partial<Credentials>, region: string | undefined, code: string, name: string][] = [
    ['a region breaking out of quotes', {}, "x';touch /tmp/pwned;#", 'E_CONFIG', 'AWS_REGION'],
    ['a region with a fish command substitution', {}, 'eu-(touch x)', 'E_CONFIG', 'AWS_REGION'],
    ['an upper-case region', {}, 'EU-WEST-1', 'E_CONFIG', 'AWS_REGION'],
    ['a region with a space', {}, 'eu west', 'E_CONFIG', 'AWS_REGION'],
    ['an empty region', {}, '', 'E_CONFIG', 'AWS_REGION'],
    ['a region of 41 characters', {}, `a${'-b'.repeat(20)}`, 'E_CONFIG', 'AWS_REGION'],
    ['a key id with a quote', { accessKeyId: "ASIA'$(id)" }, undefined, 'E_STS', 'AWS_ACCESS_KEY_ID'],
    ['a key id in lower case', { accessKeyId: 'asiaexample' }, undefined, 'E_STS', 'AWS_ACCESS_KEY_ID'],
    ['a secret with a backslash', { secretAccessKey: "abc\\'; touch x; '" }, undefined, 'E_STS', 'AWS_SECRET_ACCESS_KEY'],
    ['a secret with a dollar', { secretAccessKey: 'abc$HOME' }, undefined, 'E_STS', 'AWS_SECRET_ACCESS_KEY'],
    ['a token with a backtick', { sessionToken: 'IQoJ`id`' }, undefined, 'E_STS', 'AWS_SESSION_TOKEN'],
    ['a token with a space', { sessionToken: 'IQoJ b' }, undefined, 'E_STS', 'AWS_SESSION_TOKEN'],
    ['an empty secret', { secretAccessKey: '' }, undefined, 'E_STS', 'AWS_SECRET_ACCESS_KEY'],
  ];
  for (const shell of shells) {
    for (const [what, creds, region, code, name] of hostile) {
      test(`${shell}: refuses ${what}, saying which variable and never showing a credential`, () => {
        const secretShown = (m: string) => Object.values(creds).some((v) => typeof v === 'string' && v !== '' && m.includes(v));
        assert.throws(
          () => formatExports({ ...session, ...creds }, { shell, ...(region !== undefined ? { region } : {}) }),
          (e: unknown) => isMfaLoginError(e) && e.code === code && e.message.includes(`cannot export ${name}`) && !secretShown(e.message),
        );
      });
    }
  }

  test('real-looking values in their AWS forms are exported', () => {
    const real: Credentials = {
      accessKeyId: 'ASIAQ3EGUOHVWBY2ZXAB',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      sessionToken: `IQoJb3JpZ2luX2Vj${'AbC+/09='.repeat(80)}`,
      expiration: new Date('2026-11-24T14:00:00Z'),
    };
    for (const region of ['us-east-1', 'us-gov-west-1', 'cn-north-1', 'eu-isoe-west-1']) {
      assert.match(formatExports(real, { shell: 'sh', region }), new RegExp(`export AWS_REGION='${region}'`));
    }
  });

  test('an invalid expiration date is refused rather than exported as garbage', () => {
    assert.throws(() => formatExports({ ...session, expiration: new Date(Number.NaN) }, { shell: 'sh' }), RangeError);
  });
});

describe('detectShell', () => {
  const cases: [why: string, env: Record<string, string | undefined>, parent: string | undefined, shell: Shell][] = [
    ['nothing known', {}, undefined, 'sh'],
    ['SHELL=/bin/bash', { SHELL: '/bin/bash' }, undefined, 'sh'],
    ['SHELL=/usr/bin/zsh', { SHELL: '/usr/bin/zsh' }, undefined, 'sh'],
    ['SHELL=/usr/local/bin/fish', { SHELL: '/usr/local/bin/fish' }, undefined, 'fish'],
    ['SHELL=/usr/bin/pwsh', { SHELL: '/usr/bin/pwsh' }, undefined, 'powershell'],
    ['parent fish beats SHELL=bash (fish run from a bash login)', { SHELL: '/bin/bash' }, 'fish', 'fish'],
    ['parent bash beats SHELL=fish (bash run from fish)', { SHELL: '/usr/bin/fish' }, 'bash', 'sh'],
    ['parent bash beats an inherited PSModulePath', { PSModulePath: '/opt/pwsh/Modules', SHELL: '/bin/bash' }, 'bash', 'sh'],
    ['parent bash beats an exported FISH_VERSION', { FISH_VERSION: '3.6.0' }, 'bash', 'sh'],
    ['parent pwsh', { SHELL: '/bin/bash', PSModulePath: 'x' }, 'pwsh', 'powershell'],
    ['a login shell shows as -zsh', { SHELL: '/usr/bin/fish' }, '-zsh', 'sh'],
    ['parent dash', {}, 'dash', 'sh'],
    ['Windows parent powershell.exe', {}, 'powershell.exe', 'powershell'],
    ['a parent that is no shell (npm, sudo) falls through to SHELL', { SHELL: '/usr/bin/fish' }, 'node', 'fish'],
    ['FISH_VERSION exported, no parent', { FISH_VERSION: '3.6.0', SHELL: '/bin/bash' }, undefined, 'fish'],
    ['PSModulePath with no SHELL (Windows)', { PSModulePath: 'C:\\Modules' }, undefined, 'powershell'],
    ['PSModulePath with a POSIX SHELL: the POSIX shell wins', { PSModulePath: '/opt/m', SHELL: '/bin/zsh' }, undefined, 'sh'],
    ['PSModulePath with SHELL=fish', { PSModulePath: '/opt/m', SHELL: '/usr/bin/fish' }, undefined, 'fish'],
    ['empty variables count as unset', { FISH_VERSION: '', PSModulePath: '', SHELL: '' }, '', 'sh'],
    ['an unknown SHELL', { SHELL: '/usr/bin/nushell' }, undefined, 'sh'],
    ['parent nu beats SHELL=bash (nu run from a bash login)', { SHELL: '/bin/bash', NU_VERSION: '0.115.1' }, 'nu', 'nu'],
    ['Windows parent nu.exe', {}, 'nu.exe', 'nu'],
    ['SHELL=nu (chsh to nushell)', { SHELL: '/home/me/.cargo/bin/nu' }, undefined, 'nu'],
    ['NU_VERSION with no SHELL, or SHELL=nu: nushell', { NU_VERSION: '0.115.1', SHELL: '/usr/bin/nu' }, undefined, 'nu'],
    ['NU_VERSION beats PSModulePath, which Windows gives every process', { NU_VERSION: '0.115.1', PSModulePath: 'C:\\Modules' }, undefined, 'nu'],
    ['NU_VERSION with a POSIX SHELL: nushell exports it to a bash it starts, so bash wins', { NU_VERSION: '0.115.1', SHELL: '/bin/bash' }, undefined, 'sh'],
    ['parent bash beats an inherited NU_VERSION', { NU_VERSION: '0.115.1', SHELL: '/usr/bin/nu' }, 'bash', 'sh'],
  ];
  for (const [why, env, parent, shell] of cases) {
    test(why, () => assert.equal(detectShell(env, parent), shell));
  }
});

test('the first export into a shell saves its own region and profile; --unset puts them back, in every shell', () => {
  const env = { AWS_REGION: 'us-west-2', AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team/dev', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY', AWS_SECRET_ACCESS_KEY: 'own-secret' };
  const saved = savedBefore(env)!;
  assert.deepEqual(JSON.parse(saved), { AWS_REGION: 'us-west-2', AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team/dev' }, 'no credentials are kept');
  assert.equal(savedBefore({ ...env, MFA_LOGIN_SAVED: '{}' }), undefined, 'a second export keeps what the first saved');
  assert.equal(savedBefore({}), '{}', 'a shell with none of them saves that it had none');
  // Values a shell could be made to run are not kept.
  assert.equal(savedBefore({ AWS_REGION: "eu-west-1'; touch /tmp/x; '", AWS_PROFILE: 'a b', AWS_DEFAULT_PROFILE: '$(id)' }), '{}');

  const creds = { accessKeyId: 'ASIAEXAMPLE12345', secretAccessKey: 'abc/def+ghi', sessionToken: 'tok', expiration: new Date('2030-01-01T00:00:00Z') };
  assert.match(formatExports(creds, { shell: 'sh', save: saved }), /\nunset AWS_DEFAULT_PROFILE\nexport MFA_LOGIN_SAVED='\{"AWS_REGION":"us-west-2","AWS_PROFILE":"mine","AWS_DEFAULT_PROFILE":"team\/dev"\}'\n$/);
  assert.doesNotMatch(formatExports(creds, { shell: 'sh' }), /MFA_LOGIN_SAVED/);

  const restore = { sh: "export AWS_REGION='us-west-2'\nexport AWS_PROFILE='mine'\nexport AWS_DEFAULT_PROFILE='team/dev'\nunset MFA_LOGIN_SAVED\n", fish: "set -gx AWS_REGION 'us-west-2';\nset -gx AWS_PROFILE 'mine';\nset -gx AWS_DEFAULT_PROFILE 'team/dev';\nif set -q -g MFA_LOGIN_SAVED; set -e -g MFA_LOGIN_SAVED; end;\n", powershell: "$env:AWS_REGION = 'us-west-2'\n$env:AWS_PROFILE = 'mine'\n$env:AWS_DEFAULT_PROFILE = 'team/dev'\n$env:MFA_LOGIN_SAVED = $null\n" } as const;
  const clearAll = (shell: Shell) => formatUnset(shell, { MFA_LOGIN_SAVED: '{}' }).split('\n').slice(0, -2).map((l) => `${l}\n`).join('');
  for (const shell of ['sh', 'fish', 'powershell'] as const) {
    const out = formatUnset(shell, { MFA_LOGIN_SAVED: saved });
    assert.ok(out.startsWith(clearAll(shell)), `${shell}: everything is cleared first`);
    assert.equal(out.slice(clearAll(shell).length), restore[shell]);
  }
  // A hand-made or damaged MFA_LOGIN_SAVED gives back nothing that is not in its form.
  for (const bad of ['not json', '[]', 'null', '{"AWS_REGION":"x y"}', '{"AWS_ACCESS_KEY_ID":"AKIA"}', '{"AWS_PROFILE":7}', '{"AWS_PROFILE":"a\'b"}']) {
    assert.equal(formatUnset('sh', { MFA_LOGIN_SAVED: bad }), `${clearAll('sh')}unset MFA_LOGIN_SAVED\n`, bad);
  }
});

test('with nothing saved, --unset takes out only what carries a mark of ours: the user\'s profile, region and keys stay', () => {
  const own = { AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'team', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIAOWNKEY', AWS_SECRET_ACCESS_KEY: 'own', AWS_SESSION_TOKEN: 'tok', AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z' };
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const cases: Array<[why: string, env: Record<string, string | undefined>, lines: string[]]> = [
    ['a shell mfa-login never exported into (or a second --off)', own, []],
    ['an empty environment', {}, []],
    ['a region mfa-login picked (exec\'s, or a stale mark): that one and its mark go', { ...own, AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }, ['unset AWS_REGION', `unset ${M}`]],
    ['a mark the user\'s own region replaced: only the mark goes', { ...own, [M]: 'eu-west-1' }, [`unset ${M}`]],
    ['inside exec (MFA_LOGIN_PROFILE): its credentials are ours', { AWS_ACCESS_KEY_ID: 'ASIAEXEC', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', MFA_LOGIN_PROFILE: 'prod', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', [M]: 'eu-west-1' }, ['unset AWS_ACCESS_KEY_ID', 'unset AWS_SECRET_ACCESS_KEY', 'unset AWS_SESSION_TOKEN', 'unset AWS_CREDENTIAL_EXPIRATION', 'unset AWS_REGION', 'unset AWS_DEFAULT_REGION', `unset ${M}`]],
  ];
  for (const [why, env, lines] of cases) assert.equal(formatUnset('sh', env), [...lines, 'unset MFA_LOGIN_SAVED', ''].join('\n'), why);
});

describe('the region exported: --region, then the user\'s AWS_REGION / AWS_DEFAULT_REGION, then the profile\'s', () => {
  const M = 'MFA_LOGIN_EXPORTED_REGION';
  const ours = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', [M]: 'eu-west-1' };
  const sets = (r: string, mark: boolean) => [`export AWS_REGION='${r}'`, `export AWS_DEFAULT_REGION='${r}'`, ...(mark ? [`export ${M}='${r}'`] : [])];
  const cases: [why: string, env: Record<string, string>, profile: string | undefined, flag: string | undefined, lines: string[]][] = [
    ['the profile\'s, noted as mfa-login\'s own', {}, 'eu-west-1', undefined, sets('eu-west-1', true)],
    ['AWS_REGION over the profile\'s', { AWS_REGION: 'ap-south-1' }, 'eu-west-1', undefined, sets('ap-south-1', false)],
    ['AWS_DEFAULT_REGION over the profile\'s', { AWS_DEFAULT_REGION: 'ap-south-1' }, 'eu-west-1', undefined, sets('ap-south-1', false)],
    ['AWS_REGION over AWS_DEFAULT_REGION', { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ca-central-1' }, 'eu-west-1', undefined, sets('ap-south-1', false)],
    ['an empty AWS_REGION counts as unset', { AWS_REGION: '', AWS_DEFAULT_REGION: 'ca-central-1' }, 'eu-west-1', undefined, sets('ca-central-1', false)],
    ['--region over the environment', { AWS_REGION: 'ap-south-1' }, 'eu-west-1', 'us-west-2', sets('us-west-2', true)],
    ['a region mfa-login exported does not pin the next profile\'s', ours, 'us-east-1', undefined, sets('us-east-1', true)],
    ['a region the user exported after mfa-login\'s wins, and is no longer noted as ours', { ...ours, AWS_REGION: 'ap-south-1' }, 'us-east-1', undefined, [...sets('ap-south-1', false), `unset ${M}`]],
    ['the same, in AWS_DEFAULT_REGION', { ...ours, AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-east-1', undefined, [...sets('ap-south-1', false), `unset ${M}`]],
    ['mfa-login\'s region and a profile with none: taken out, not kept for the wrong account', ours, undefined, undefined, ['unset AWS_REGION', 'unset AWS_DEFAULT_REGION', `unset ${M}`]],
    ['no region anywhere: nothing touched', {}, undefined, undefined, []],
  ];
  for (const [why, env, profile, flag, lines] of cases) {
    test(why, () => {
      const out = formatExports(session, { shell: 'sh', ...regionFor(env, profile, flag) });
      assert.deepEqual(out.split('\n').filter((l) => l.includes('REGION')), lines);
    });
  }

  test('fish and PowerShell carry the same', () => {
    const h = regionFor({ ...ours, AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-east-1');
    assert.match(formatExports(session, { shell: 'fish', ...h }), /\nset -gx AWS_REGION 'ap-south-1';\nset -gx AWS_DEFAULT_REGION 'ap-south-1';\nif set -q -g MFA_LOGIN_EXPORTED_REGION; set -e -g MFA_LOGIN_EXPORTED_REGION; end;\n/);
    assert.match(formatExports(session, { shell: 'powershell', ...regionFor({}, 'us-east-1') }), /\n\$env:AWS_REGION = 'us-east-1'\n\$env:AWS_DEFAULT_REGION = 'us-east-1'\n\$env:MFA_LOGIN_EXPORTED_REGION = 'us-east-1'\n/);
  });

  test('a region variable that is not a region name is refused where it is read, naming it', () => {
    for (const [env, name] of [[{ AWS_REGION: "x';touch /tmp/pwned;#" }, 'AWS_REGION'], [{ AWS_REGION: '', AWS_DEFAULT_REGION: 'eu west 1' }, 'AWS_DEFAULT_REGION']] as const) {
      assert.throws(() => userRegion(env), (e: unknown) => isMfaLoginError(e) && e.code === 'E_CONFIG' && e.message.startsWith(`${name}=`));
    }
    // One equal to what mfa-login noted is its own, whatever it holds: passed over, never exported.
    assert.equal(userRegion({ AWS_REGION: 'eu-west-1', [M]: 'eu-west-1' }), undefined);
  });
});
