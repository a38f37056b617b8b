import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeSection, removeSectionKeys, setSectionValues } from '../../src/output/ini-edit.js';
import { isMfaLoginError } from '../../src/errors.js';
import { configProfileName, loadProfiles } from '../../src/config/profiles.js';

type Values = [string, string][];
const KEYS: Values = [
  ['aws_access_key_id', 'AKIANEW'],
  ['aws_secret_access_key', 'secretNEW'],
];

describe('setSectionValues', () => {
  const cases: { name: string; before: string; section: string; values: Values; after: string }[] = [
    {
      name: 'replaces a key in place, keeping its spacing',
      before: '[prod]\naws_access_key_id=AKIAOLD\nregion = eu-west-1\naws_secret_access_key   =  old\n',
      section: 'prod',
      values: KEYS,
      after: '[prod]\naws_access_key_id=AKIANEW\nregion = eu-west-1\naws_secret_access_key   =  secretNEW\n',
    },
    {
      name: 'appends a missing key after the last key line, before trailing comments and blanks',
      before: '[prod]\naws_access_key_id = A\n# a note\n\n[dev]\nx = 1\n',
      section: 'prod',
      values: [['aws_session_token', 'T']],
      after: '[prod]\naws_access_key_id = A\naws_session_token = T\n# a note\n\n[dev]\nx = 1\n',
    },
    {
      name: 'puts keys right after the header of a section with no keys',
      before: '[prod]\n# managed by hand\n\n[dev]\n',
      section: 'prod',
      values: [['k', 'v']],
      after: '[prod]\nk = v\n# managed by hand\n\n[dev]\n',
    },
    {
      name: 'creates a missing section at the end, after one blank line',
      before: '[dev]\nx = 1\n',
      section: 'prod',
      values: KEYS,
      after: '[dev]\nx = 1\n\n[prod]\naws_access_key_id = AKIANEW\naws_secret_access_key = secretNEW\n',
    },
    {
      name: 'does not double a blank line the file already ends with',
      before: '[dev]\nx = 1\n\n',
      section: 'prod',
      values: [['k', 'v']],
      after: '[dev]\nx = 1\n\n[prod]\nk = v\n',
    },
    {
      name: 'creates the first section of an empty file without a leading blank line',
      before: '',
      section: 'profile prod',
      values: [['region', 'eu-west-1']],
      after: '[profile prod]\nregion = eu-west-1\n',
    },
    {
      name: 'keeps CRLF line endings, also for added lines and sections',
      before: '[prod]\r\naws_access_key_id = OLD\r\n',
      section: 'prod',
      values: [...KEYS, ['aws_session_token', 'T']],
      after: '[prod]\r\naws_access_key_id = AKIANEW\r\naws_secret_access_key = secretNEW\r\naws_session_token = T\r\n',
    },
    {
      name: 'CRLF: a new section',
      before: '# c\r\n[dev]\r\nx = 1\r\n',
      section: 'prod',
      values: [['k', 'v']],
      after: '# c\r\n[dev]\r\nx = 1\r\n\r\n[prod]\r\nk = v\r\n',
    },
    {
      name: 'no final newline: replacing the last line keeps it that way',
      before: '[prod]\nk = old',
      section: 'prod',
      values: [['k', 'new']],
      after: '[prod]\nk = new',
    },
    {
      name: 'no final newline: a line added at the end ends the file with one',
      before: '[prod]\nk = old',
      section: 'prod',
      values: [['j', 'new']],
      after: '[prod]\nk = old\nj = new\n',
    },
    {
      name: 'no final newline: editing an earlier section leaves the end alone',
      before: '[prod]\nk = old\n\n[dev]\nx = 1',
      section: 'prod',
      values: [['j', 'new']],
      after: '[prod]\nk = old\nj = new\n\n[dev]\nx = 1',
    },
    {
      name: 'no final newline: a new section',
      before: '[dev]\nx = 1',
      section: 'prod',
      values: [['k', 'v']],
      after: '[dev]\nx = 1\n\n[prod]\nk = v\n',
    },
    {
      name: 'keeps # and ; comments, blank lines and other sections byte for byte',
      before: '# top\n;semi\n\n[default]\nregion = x  \n\n  # indented\n[prod]\n; old key below\n#aws_access_key_id = C\naws_access_key_id = B\n\n\n[z]\n',
      section: 'prod',
      values: [['aws_access_key_id', 'N']],
      after: '# top\n;semi\n\n[default]\nregion = x  \n\n  # indented\n[prod]\n; old key below\n#aws_access_key_id = C\naws_access_key_id = N\n\n\n[z]\n',
    },
    {
      name: 'keeps a sub-section block whole, and appends after it',
      before: '[profile prod]\ns3 =\n    max_concurrent_requests = 10\n\n    # tuning\n    max_queue_size = 1000\nregion = eu-west-1\n',
      section: 'profile prod',
      values: [['region', 'us-east-1'], ['output', 'json']],
      after: '[profile prod]\ns3 =\n    max_concurrent_requests = 10\n\n    # tuning\n    max_queue_size = 1000\nregion = us-east-1\noutput = json\n',
    },
    {
      name: 'appends after a sub-section block that ends the section',
      before: '[profile prod]\ns3 =\n    max_concurrent_requests = 10\n[next]\n',
      section: 'profile prod',
      values: [['region', 'us-east-1']],
      after: '[profile prod]\ns3 =\n    max_concurrent_requests = 10\nregion = us-east-1\n[next]\n',
    },
    {
      name: 'a scalar replacing a sub-section replaces the whole block',
      before: '[profile prod]\ns3 =\n    a = 1\n    b = 2\nregion = x\n',
      section: 'profile prod',
      values: [['s3', 'off']],
      after: '[profile prod]\ns3 = off\nregion = x\n',
    },
    {
      name: 'a key under a sub-section is not the top-level key of that name',
      before: '[profile prod]\ns3 =\n    region = inner\n',
      section: 'profile prod',
      values: [['region', 'outer']],
      after: '[profile prod]\ns3 =\n    region = inner\nregion = outer\n',
    },
    {
      name: 'duplicate key: first replaced, the rest dropped',
      before: '[prod]\nk = 1\nj = 2\nk = 3\n# c\nk = 4\n',
      section: 'prod',
      values: [['k', 'new']],
      after: '[prod]\nk = new\nj = 2\n# c\n',
    },
    {
      name: 'key names match case-insensitively, as configparser reads them, and are respelled',
      before: '[prod]\nAWS_Access_Key_ID = old\n',
      section: 'prod',
      values: [['aws_access_key_id', 'new']],
      after: '[prod]\naws_access_key_id = new\n',
    },
    {
      name: 'a `key: value` line is a key line (configparser accepts both delimiters)',
      before: '[prod]\nregion: eu-west-1\n',
      section: 'prod',
      values: [['region', 'us-east-1']],
      after: '[prod]\nregion = us-east-1\n',
    },
    {
      name: 'keeps the indentation of a key line and uses it for added keys',
      before: '[prod]\n  region = x\n  [dev]\n',
      section: 'prod',
      values: [['region', 'y'], ['output', 'json']],
      after: '[prod]\n  region = y\n  output = json\n  [dev]\n',
    },
    {
      name: 'header with a trailing comment and indentation',
      before: '  [prod]   # mine ; really\nk = 1\n',
      section: 'prod',
      values: [['k', '2']],
      after: '  [prod]   # mine ; really\nk = 2\n',
    },
    {
      name: '`[ prod ]` is prod, as the reader reads it: edited in place, its header spelled [prod] so AWS tools find it too',
      before: '# mine\n  [ prod ]  # note\nk = 1\nj = 3\n\n[dev]\n',
      section: 'prod',
      values: [['k', '2']],
      after: '# mine\n  [prod]  # note\nk = 2\nj = 3\n\n[dev]\n',
    },
    {
      name: '`[\tprod\t]` is prod too',
      before: '[\tprod\t]\r\nk = 1\r\n',
      section: 'prod',
      values: [['k', '2']],
      after: '[prod]\r\nk = 2\r\n',
    },
    {
      name: '`[ prod ]` after `[prod]`: the first gets the values, the repeat loses the keys',
      before: '[prod]\nk = 1\n\n[ prod ]\nk = 2\nj = 3\n',
      section: 'prod',
      values: [['k', 'new']],
      after: '[prod]\nk = new\n\n[ prod ]\nj = 3\n',
    },
    {
      name: '`[profile  prod]` (two spaces) is `profile prod` in any file',
      before: '[profile  prod]\nregion = x\n',
      section: 'profile prod',
      values: [['region', 'y']],
      after: '[profile prod]\nregion = y\n',
    },
    {
      name: '`[profile x]` and `[x]` are different sections',
      before: '[x]\nk = 1\n\n[profile x]\nk = 1\n',
      section: 'profile x',
      values: [['k', '2']],
      after: '[x]\nk = 1\n\n[profile x]\nk = 2\n',
    },
    {
      name: '`[x]` does not match `[profile x]`',
      before: '[profile x]\nk = 1\n',
      section: 'x',
      values: [['k', '2']],
      after: '[profile x]\nk = 1\n\n[x]\nk = 2\n',
    },
    {
      name: 'a header-looking line inside a comment is a comment',
      before: '# [prod]\n[dev]\n',
      section: 'prod',
      values: [['k', 'v']],
      after: '# [prod]\n[dev]\n\n[prod]\nk = v\n',
    },
    {
      name: 'a repeated header: the first gets the values, later ones lose those keys',
      before: '[prod]\nk = 1\n\n[dev]\n\n[prod]\nk = 2\nj = 3\n',
      section: 'prod',
      values: [['k', 'new']],
      after: '[prod]\nk = new\n\n[dev]\n\n[prod]\nj = 3\n',
    },
    {
      name: 'repeated headers one after the other: the last one emptied goes',
      before: '[prod]\nk = 1\n\n[prod]\nk = 2\n',
      section: 'prod',
      values: [['k', 'new']],
      after: '[prod]\nk = new\n',
    },
    {
      name: 'values may hold quotes, =, #, ; and unicode',
      before: '[prod]\n',
      section: 'prod',
      values: [['credential_process', `sh -c "echo 'a=b' # ; é"`]],
      after: `[prod]\ncredential_process = sh -c "echo 'a=b' # ; é"\n`,
    },
    {
      name: 'setting the same value again changes nothing',
      before: '[prod]\nk=v\r\n',
      section: 'prod',
      values: [['k', 'v']],
      after: '[prod]\nk=v\r\n',
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(setSectionValues(c.before, c.section, c.values), c.after));
  }

  const bad: { name: string; section: string; values: Values }[] = [
    { name: 'LF in a value', section: 'prod', values: [['k', 'a\n[evil]\nk = b']] },
    { name: 'CR in a value', section: 'prod', values: [['k', 'a\rb']] },
    { name: 'NUL in a value', section: 'prod', values: [['k', 'a\0b']] },
    { name: 'empty value (opens a sub-section in the JS SDK)', section: 'prod', values: [['k', '']] },
    { name: 'value with surrounding whitespace (readers trim it)', section: 'prod', values: [['k', ' a']] },
    { name: 'newline in a key', section: 'prod', values: [['k\nj', 'v']] },
    { name: '= in a key', section: 'prod', values: [['k=j', 'v']] },
    { name: 'key starting with [', section: 'prod', values: [['[k', 'v']] },
    { name: '] in a section name', section: 'prod] [x', values: [['k', 'v']] },
    { name: 'newline in a section name', section: 'prod\n', values: [['k', 'v']] },
    { name: 'empty section name', section: '', values: [['k', 'v']] },
  ];
  for (const b of bad) {
    test(`rejects ${b.name}`, () => {
      assert.throws(() => setSectionValues('[prod]\nk = 1\n', b.section, b.values), (e) => isMfaLoginError(e) && e.code === 'E_USAGE');
    });
  }

  test('the error names the key but never echoes the value (it may be a secret)', () => {
    assert.throws(
      () => setSectionValues('', 'prod', [['aws_secret_access_key', 'SeCrEt\nx']]),
      (e) => e instanceof Error && e.message.includes('aws_secret_access_key') && !e.message.includes('SeCrEt'),
    );
  });

  test('a key given twice is a caller bug', () => {
    assert.throws(() => setSectionValues('', 'prod', [['k', '1'], ['K', '2']]), RangeError);
  });
});

describe('header spellings in the config file', () => {
  // What the reader (loadProfiles) takes as the profile, the editor edits: never a second section.
  const cases: { name: string; before: string; section: string; after: string }[] = [
    { name: '[profile  pz] (two spaces)', before: '[profile  pz]\nregion = a\n', section: 'profile pz', after: '[profile pz]\nregion = b\n' },
    { name: '[ profile pz ] (outer spaces)', before: '[ profile pz ]\nregion = a\n', section: 'profile pz', after: '[profile pz]\nregion = b\n' },
    { name: '[profile\tpz] (a tab)', before: '[profile\tpz]\nregion = a\n', section: 'profile pz', after: '[profile pz]\nregion = b\n' },
    { name: '[profile "pz"] keeps its quotes (both readers take them)', before: '[profile "pz"]\nregion = a\n', section: 'profile pz', after: '[profile "pz"]\nregion = b\n' },
    { name: "[profile 'pz'] keeps its quotes", before: "[profile 'pz']\nregion = a\n", section: 'profile pz', after: "[profile 'pz']\nregion = b\n" },
    { name: '[profile  "pz"]', before: '[profile  "pz"]\nregion = a\n', section: 'profile pz', after: '[profile pz]\nregion = b\n' },
    { name: '[profile default] is default, and keeps its spelling', before: '[profile default]\nregion = a\n', section: 'default', after: '[profile default]\nregion = b\n' },
    { name: '[ default ]', before: '[ default ]\nregion = a\n', section: 'default', after: '[default]\nregion = b\n' },
    { name: '[default] asked as profile default', before: '[default]\nregion = a\n', section: 'profile default', after: '[default]\nregion = b\n' },
    { name: '[pz] is no profile in the config file', before: '[pz]\nregion = a\n', section: 'profile pz', after: '[pz]\nregion = a\n\n[profile pz]\nregion = b\n' },
    { name: '[sso-session  corp] is `sso-session corp`', before: '[sso-session  corp]\nsso_region = a\n', section: 'sso-session corp', after: '[sso-session corp]\nsso_region = a\nregion = b\n' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(setSectionValues(c.before, c.section, [['region', 'b']], 'config'), c.after);
      // The reader sees one section of that name, holding the new value.
      const profile = configProfileName(c.section);
      const set = loadProfiles({ configFile: 'config', credentialsFile: 'credentials' }, c.after, undefined);
      if (profile !== undefined) assert.equal(set.profiles.get(profile)?.settings.region, 'b');
    });
  }

  test('in the credentials file, [profile default] is a profile of that name, never default', () => {
    const before = '[profile default]\naws_access_key_id = AKIALONGTERM\n';
    assert.equal(setSectionValues(before, 'default', [['aws_access_key_id', 'ASIANEW']]), `${before}\n[default]\naws_access_key_id = ASIANEW\n`);
    assert.equal(removeSectionKeys(before, 'default', ['aws_access_key_id']), before);
    assert.equal(setSectionValues(before, 'default', [['aws_access_key_id', 'ASIANEW']], 'config'), '[profile default]\naws_access_key_id = ASIANEW\n');
  });

  test('removing keys and sections finds the same sections', () => {
    assert.equal(removeSectionKeys('[a]\nx = 1\n\n[profile  pz]\nregion = a\n', 'profile pz', ['region'], 'config'), '[a]\nx = 1\n');
    assert.equal(removeSectionKeys('[ cz ]\nk = 1\nj = 2\n', 'cz', ['k']), '[ cz ]\nj = 2\n');
    assert.equal(removeSection('[ cz ]\nk = 1\n\n[dz]\n', 'cz'), '[dz]\n');
    assert.equal(removeSection('[profile "pz"]\nk = 1\n\n[dz]\n', 'profile pz', 'config'), '[dz]\n');
  });

  test('only the plain spelling is written', () => {
    for (const section of ['profile  pz', ' cz', 'cz ', 'profile\tpz']) {
      assert.throws(() => setSectionValues('', section, [['k', 'v']]), (e) => isMfaLoginError(e) && e.code === 'E_USAGE', JSON.stringify(section));
    }
  });
});

describe('removeSectionKeys', () => {
  const cases: { name: string; before: string; section: string; keys: string[]; after: string }[] = [
    {
      name: 'removes the key lines, keeping the rest of the section',
      before: '[prod]\naws_access_key_id = A\nregion = x\naws_session_token = T\n',
      section: 'prod',
      keys: ['aws_access_key_id', 'aws_session_token'],
      after: '[prod]\nregion = x\n',
    },
    {
      name: 'keeps the header while comments remain',
      before: '[prod]\n# keep me\nk = 1\n',
      section: 'prod',
      keys: ['k'],
      after: '[prod]\n# keep me\n',
    },
    {
      name: 'an emptied last section goes with the blank line before it',
      before: '[dev]\nx = 1\n\n[prod]\nk = 1\nj = 2\n',
      section: 'prod',
      keys: ['k', 'j'],
      after: '[dev]\nx = 1\n',
    },
    {
      name: 'an emptied middle section goes with its own blank line',
      before: '[a]\nx = 1\n\n[prod]\nk = 1\n\n[b]\ny = 2\n',
      section: 'prod',
      keys: ['k'],
      after: '[a]\nx = 1\n\n[b]\ny = 2\n',
    },
    {
      name: 'an emptied section between glued neighbours keeps the gap that was below it',
      before: '[a]\nx = 1\n[prod]\nk = 1\n\n[b]\n',
      section: 'prod',
      keys: ['k'],
      after: '[a]\nx = 1\n\n[b]\n',
    },
    {
      name: 'an emptied first section leaves no leading blank line',
      before: '[prod]\nk = 1\n\n[b]\ny = 2\n',
      section: 'prod',
      keys: ['k'],
      after: '[b]\ny = 2\n',
    },
    {
      name: 'comments right above the next header belong to that header',
      before: '[prod]\nk = 1\n# about b\n[b]\n',
      section: 'prod',
      keys: ['k'],
      after: '# about b\n[b]\n',
    },
    {
      name: 'emptied repeated headers one after the other',
      before: '[a]\nx = 1\n\n[prod]\nk = 1\n\n[prod]\nk = 2\n',
      section: 'prod',
      keys: ['k'],
      after: '[a]\nx = 1\n',
    },
    {
      name: 'the only section of the file',
      before: '[prod]\r\nk = 1\r\n',
      section: 'prod',
      keys: ['k'],
      after: '',
    },
    {
      name: 'removes a sub-section block whole',
      before: '[profile p]\ns3 =\n    a = 1\n\n    b = 2\nregion = x\n',
      section: 'profile p',
      keys: ['s3'],
      after: '[profile p]\nregion = x\n',
    },
    {
      name: 'removes duplicates and matches case-insensitively',
      before: '[prod]\nK = 1\nj = 2\nk = 3\n',
      section: 'prod',
      keys: ['k'],
      after: '[prod]\nj = 2\n',
    },
    {
      name: 'leaves `[profile prod]` alone when asked for `[prod]`',
      before: '[profile prod]\nk = 1\n',
      section: 'prod',
      keys: ['k'],
      after: '[profile prod]\nk = 1\n',
    },
    {
      name: 'a key that is not there changes nothing, including a missing final newline',
      before: '[prod]\nk = 1',
      section: 'prod',
      keys: ['j'],
      after: '[prod]\nk = 1',
    },
    {
      name: 'keeps CRLF and the missing final newline of the remaining lines',
      before: '[a]\r\nx = 1\r\n\r\n[prod]\r\nk = 1\r\nj = 2',
      section: 'prod',
      keys: ['j'],
      after: '[a]\r\nx = 1\r\n\r\n[prod]\r\nk = 1\r\n',
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(removeSectionKeys(c.before, c.section, c.keys), c.after));
  }

  test('undoes setSectionValues that created the section', () => {
    for (const before of ['', '[a]\nx = 1\n', '# only a comment\n', '[a]\r\nx = 1\r\n']) {
      const set = setSectionValues(before, 'prod', KEYS);
      assert.equal(removeSectionKeys(set, 'prod', KEYS.map(([k]) => k)), before);
    }
  });
});

describe('removeSection', () => {
  const cases: { name: string; before: string; section: string; after: string }[] = [
    {
      name: 'removes keys and comments of the section, not the comment above the next header',
      before: '[a]\nx = 1\n\n[prod]\n# mine\nk = 1\n\n# about b\n[b]\ny = 2\n',
      section: 'prod',
      after: '[a]\nx = 1\n\n# about b\n[b]\ny = 2\n',
    },
    {
      name: 'the last section, with the blank line before it',
      before: '[a]\nx = 1\n\n[prod]\nk = 1',
      section: 'prod',
      after: '[a]\nx = 1\n',
    },
    {
      name: 'every repeated header of the section',
      before: '[prod]\nk = 1\n\n[a]\nx = 1\n\n[prod]\nj = 2\n',
      section: 'prod',
      after: '[a]\nx = 1\n',
    },
    {
      name: 'repeated headers one after the other',
      before: '[a]\nx = 1\n\n[prod]\nk = 1\n\n[prod]\nj = 2\n',
      section: 'prod',
      after: '[a]\nx = 1\n',
    },
    {
      name: 'a missing section changes nothing',
      before: '[a]\nx = 1',
      section: 'prod',
      after: '[a]\nx = 1',
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(removeSection(c.before, c.section), c.after));
  }
});
