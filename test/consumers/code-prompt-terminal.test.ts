/**
 * A real terminal: bash in a tmux pane, with the sandbox's environment. What the person sees is
 * read back with capture-pane; what they type goes in with send-keys. Each test has its own
 * sandbox (so a cold cache and a fresh STS) and its own tmux server on a private socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { requireComponent, AWS_CLI, user } from '../e2e/harness.js';
import { prodSandbox, codeWithTime, executable, sq, ASSUMED_ROLE, ROLE_ARN } from './kit.js';
import { Pane, TMUX } from './pane.js';

const PROMPT = /MFA code for arn:aws:iam::111111111111:mfa\/alice:/;

function missing(needsAwsCli = false): string | false {
  return requireComponent(executable(TMUX), 'tmux (/usr/bin/tmux)') || (needsAwsCli && requireComponent(existsSync(AWS_CLI), 'the AWS CLI v2 (/usr/bin/aws)'));
}

const count = (s: string, re: RegExp) => s.match(new RegExp(re.source, 'g'))?.length ?? 0;

/** A sandbox with a cold cache and a pane; cleans both up whatever happens. */
async function inTerminal(body: (ctx: Awaited<ReturnType<typeof prodSandbox>> & { pane: Pane }) => Promise<void>, extraUsers = [] as ReturnType<typeof user>[]): Promise<void> {
  const ctx = await prodSandbox(extraUsers);
  const pane = new Pane(ctx.sb);
  try {
    await pane.open(ctx.bin);
    await body({ ...ctx, pane });
  } finally {
    await pane.close();
    await ctx.sb.stop();
  }
}

test('credential-process > out.json asks for the code on the terminal; the file holds only the JSON', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, alice, pane }) => {
    // stderr goes to a file too, as under an SDK: the prompt can only reach the screen via /dev/tty.
    await pane.type('mfa-login credential-process prod > out.json 2> err.txt; echo "rc=$?"');
    await pane.waitFor(PROMPT, 'the MFA prompt although stdout and stderr go to files', { whileRunning: true });
    await pane.type(await codeWithTime(sb, alice));
    assert.equal(await pane.status(), 0, await pane.screen());

    const text = sb.read('out.json')!;
    assert.match(text, /^\{.*\}\n$/, 'one JSON object and a newline, no prompt text');
    const json = JSON.parse(text) as { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string; AccountId: string };
    assert.equal(json.Version, 1);
    assert.match(json.AccessKeyId, /^ASIA/);
    assert.equal(json.AccountId, '222222222222');
    const screen = await pane.screen();
    const stderr = sb.read('err.txt')!;
    assert.doesNotMatch(stderr, PROMPT, 'the prompt went to the terminal, not to stderr');
    for (const secret of [json.SecretAccessKey, json.SessionToken, json.AccessKeyId, alice.secretAccessKey]) {
      assert.ok(!screen.includes(secret), `the screen shows a secret:\n${screen}`);
      assert.ok(!stderr.includes(secret), `stderr holds a secret:\n${stderr}`);
    }
  });
});

test('eval "$(mfa-env prod)" asks on the terminal although stdout is captured; the AWS CLI then is the role', async (t) => {
  const skip = missing(true);
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, alice, pane }) => {
    await pane.type(`eval "$(mfa-env prod)"; ${AWS_CLI} sts get-caller-identity --endpoint-url ${sq(sb.sts.url)} --output text --query Arn; echo "rc=$?"`);
    await pane.waitFor(PROMPT, 'the MFA prompt from inside $(...)', { whileRunning: true });
    await pane.type(await codeWithTime(sb, alice));
    assert.equal(await pane.status(), 0, await pane.screen());
    const screen = await pane.screen();
    assert.match(screen, new RegExp(`^${ASSUMED_ROLE.source.slice(1, -1)}$`, 'm'), `the role on the screen:\n${screen}`);
  });
});

test('a refused code is said on the terminal and asked again; the right code then succeeds', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, alice, pane }) => {
    sb.sts.resetCalls();
    await pane.type('mfa-login session prod; echo "rc=$?"');
    await pane.waitFor(PROMPT, 'the first MFA prompt', { whileRunning: true });
    await pane.type('000000');
    const again = await pane.waitFor((s) => /STS refused that code/.test(s) && count(s, PROMPT) >= 2, 'the refusal and a second prompt', { whileRunning: true });
    assert.ok(again.indexOf('STS refused that code') < again.lastIndexOf('MFA code for'), 'the new prompt comes after the refusal');
    // The refused code is shown as refused: no ✔ beside it (the prompt ends before STS answers).
    assert.doesNotMatch(again, /✔.*000000/, `a ✔ beside the refused code:\n${again}`);
    assert.match(again, /^› MFA code for \S+: 000000\n✘ STS refused that code\./m, again);
    assert.doesNotMatch(again, /^rc=/m, 'still running');
    await pane.type(await codeWithTime(sb, alice));
    assert.equal(await pane.status(), 0, await pane.screen());
    assert.equal(sb.sts.calls.GetSessionToken, 2, 'one refused code, one accepted');
    assert.match(await pane.screen(), new RegExp(`^prod: ${ROLE_ARN}, valid until \\S+Z \\(\\d+ min\\)\\.$`, 'm'));
  });
});

test('Ctrl-D at the code prompt ends the command as Ctrl-C does: "interrupted", exit 130, no lease left', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, pane }) => {
    await pane.type('mfa-login exec prod -- echo RAN; echo "rc=$?"');
    await pane.waitFor(PROMPT, 'the MFA prompt', { whileRunning: true });
    await pane.press('C-d');
    assert.equal(await pane.status(), 130, await pane.screen());
    const screen = await pane.screen();
    assert.match(screen, /^mfa-login: interrupted$/m);
    assert.doesNotMatch(screen, /^RAN$/m, 'the command did not run');
    const dir = `${sb.runtime}/mfa-login`;
    assert.deepEqual(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.lock')) : [], [], 'no lease is left for the next caller to wait on');
  });
});

test('add asks for the keys on the terminal, does not echo the secret, and stores them', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const bob = user('bob');
  await inTerminal(async ({ sb, pane }) => {
    await pane.type('mfa-login add newprofile; echo "rc=$?"');
    await pane.waitFor(/Access key ID:/, 'the access key prompt', { whileRunning: true });
    await pane.type(bob.accessKeyId);
    await pane.waitFor(/Secret access key:/, 'the secret prompt', { whileRunning: true });
    await pane.keys(bob.secretAccessKey);
    await new Promise((r) => setTimeout(r, 300)); // the time an echo would take to reach the screen
    const typed = await pane.screen();
    assert.ok(!typed.includes(bob.secretAccessKey) && !typed.includes(bob.secretAccessKey.slice(0, 8)), `the secret is echoed as it is typed:\n${typed}`);
    await pane.type('');
    // Keys are checked with STS before they are stored; then the one MFA device found is offered.
    const found = await pane.waitFor(/Found MFA device arn:aws:iam::111111111111:mfa\/bob\. Use it for newprofile\?/, 'the MFA device question', { whileRunning: true });
    assert.ok(!found.includes(bob.secretAccessKey), `the secret was echoed:\n${found}`);
    assert.match(found, /^Stored the keys of arn:aws:iam::111111111111:user\/bob \(AKIABOBXXXXX00000001\) for profile newprofile in /m);
    await pane.type(''); // Enter: the default, yes
    assert.equal(await pane.status(), 0, await pane.screen());
    assert.match(await pane.screen(), /^Recorded mfa_serial = arn:aws:iam::111111111111:mfa\/bob in \[profile newprofile\] of ~\/\.aws\/config\.$/m);

    await pane.type('mfa-login list; echo "rc=$?"');
    const listed = await pane.waitFor(/^newprofile +arn:aws:iam::111111111111:mfa\/bob$/m, 'newprofile in the list');
    assert.ok(!listed.includes(bob.secretAccessKey), `the secret is on the screen:\n${listed}`);
    assert.ok(!(sb.read('.aws/credentials') ?? '').includes(bob.secretAccessKey), 'not written in plain text to ~/.aws/credentials');
  }, [bob]);
});

test('mfa-env on a terminal adds a one-line hint on stderr; captured by $(...) it adds nothing', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, alice, pane }) => {
    const warm = await sb.run(['session', 'prod', '--mfa-token', await codeWithTime(sb, alice)]);
    assert.equal(warm.status, 0, warm.stderr);
    // --shell: a flag makes the full command line answer (a cached plain `mfa-env prod` is the
    // fast path's, which hands over to it on a terminal).
    await pane.type('mfa-env --shell bash prod; echo "rc=$?"');
    assert.equal(await pane.status(), 0, await pane.screen());
    const screen = await pane.screen();
    const hint = 'mfa-env: these lines only print the credentials; to set them in this shell run: eval "$(mfa-env prod)"  (or once: eval "$(mfa-login shell-init bash)", then: mfa-use prod)';
    assert.equal(count(screen, new RegExp(hint.replace(/[$()".*+?[\]\\^{}|]/g, '\\$&'))), 1, screen);
    // A marker of its own: the screen still shows the first run's rc= until clear has run.
    await pane.type('clear; x=$(mfa-env --shell bash prod 2>err.txt); echo "captured=${#x}"; echo "second=$?"');
    const after = await pane.waitFor(/^second=\d+$/m, 'the captured run');
    assert.match(after, /^captured=[1-9]\d*$/m);
    assert.equal(sb.read('err.txt'), '', 'no hint when stdout is captured');
  });
});

test('add with a new key file: an empty passphrase and two that differ are asked again before the keys; a malformed secret, and one STS refuses, are asked again with the key id kept', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  const bob = user('bob');
  await inTerminal(async ({ sb, pane }) => {
    sb.sts.resetCalls();
    await pane.type('env -u MFA_LOGIN_FILE_PASSPHRASE MFA_LOGIN_FILE_STORE="$HOME/new.enc" mfa-login add newprofile --yes; echo "rc=$?"');
    // The store is made ready first: nothing typed after this is thrown away by a passphrase slip.
    await pane.waitFor(/New passphrase to encrypt \S+new\.enc:/, 'the new passphrase prompt', { whileRunning: true });
    await pane.type('');
    await pane.waitFor(/The passphrase cannot be empty\. New passphrase to encrypt \S+new\.enc:/, 'the passphrase asked again', { whileRunning: true });
    await pane.type('first passphrase');
    await pane.waitFor(/The same passphrase again:/, 'the second prompt', { whileRunning: true });
    await pane.type('first passphrasf');
    await pane.waitFor(/The two passphrases differ\. New passphrase to encrypt \S+new\.enc:/, 'the passphrase asked again', { whileRunning: true });
    await pane.type('second passphrase');
    await pane.waitFor((s) => count(s, /The same passphrase again:/) === 2, 'the second prompt, again', { whileRunning: true });
    await pane.type('second passphrase');

    await pane.waitFor(/Access key ID:/, 'the access key prompt', { whileRunning: true });
    await pane.type(bob.accessKeyId);
    await pane.waitFor(/Secret access key:/, 'the secret prompt', { whileRunning: true });
    await pane.type('not-a-secret');
    await pane.waitFor(/^That is not a secret access key \(12 characters; one is 40 characters of letters, digits, \/ and \+\): paste it again\. \(try 2 of 3\)$/m, 'the malformed secret refused', { whileRunning: true });
    await pane.waitFor((s) => count(s, /Secret access key:/) === 2, 'the secret asked again', { whileRunning: true });
    const wrong = `${bob.secretAccessKey.slice(0, -1)}${bob.secretAccessKey.endsWith('A') ? 'B' : 'A'}`;
    await pane.type(wrong);
    await pane.waitFor(/^AWS says that secret does not belong to AKIABOBXXXXX00000001: paste the secret again\. \(try 2 of 3\)$/m, 'the refused secret said', { whileRunning: true });
    await pane.waitFor((s) => count(s, /Secret access key:/) === 3, 'the secret asked again', { whileRunning: true });
    await pane.type(bob.secretAccessKey);
    assert.equal(await pane.status(), 0, await pane.screen());

    const screen = await pane.screen();
    assert.equal(count(screen, /Access key ID:/), 1, `the key id was asked once:\n${screen}`);
    for (const secret of ['first passphrase', 'second passphrase', bob.secretAccessKey, wrong]) assert.ok(!screen.includes(secret), `on the screen: ${secret}`);
    assert.equal(sb.sts.calls.GetCallerIdentity, 2, 'STS was asked about the wrong secret and the right one');
    const listed = await sb.run(['list'], { env: { MFA_LOGIN_BACKEND: 'file', MFA_LOGIN_FILE_STORE: sb.file('new.enc'), MFA_LOGIN_FILE_PASSPHRASE: 'second passphrase' } });
    assert.match(listed.stdout, /^newprofile /m, listed.stderr);
  }, [bob]);
});

test('a wrong passphrase for the key file is asked again, then the right one opens it', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ pane }) => {
    await pane.type('env -u MFA_LOGIN_FILE_PASSPHRASE mfa-login list; echo "rc=$?"');
    await pane.waitFor(/Passphrase for \S+keys\.enc:/, 'the passphrase prompt', { whileRunning: true });
    await pane.type('not the passphrase');
    await pane.waitFor(/That passphrase does not open the file\. Passphrase for \S+keys\.enc:/, 'the passphrase asked again', { whileRunning: true });
    await pane.type('correct horse battery staple');
    assert.equal(await pane.status(), 0, await pane.screen());
    assert.match(await pane.screen(), /^alice +arn:aws:iam::111111111111:mfa\/alice$/m);
  });
});

test('without D-Bus, add says the keychain cannot be reached before asking for any key, and asks STS nothing', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, pane }) => {
    sb.sts.resetCalls();
    // XDG_RUNTIME_DIR is the sandbox's: no bus socket there for the D-Bus clients to fall back on.
    await pane.type('env -u DBUS_SESSION_BUS_ADDRESS MFA_LOGIN_BACKEND=keychain mfa-login add nobus; echo "rc=$?"');
    assert.equal(await pane.status(), 7, await pane.screen());
    const screen = await pane.screen();
    assert.match(screen, /^mfa-login: no D-Bus session bus \(DBUS_SESSION_BUS_ADDRESS is not set\): cannot reach the Secret Service to store keys$/m);
    assert.doesNotMatch(screen, /Access key ID:|Secret access key:/);
    assert.deepEqual(sb.sts.calls, {});
  });
});

test('mfa_process under credential_process: what it says on stderr reaches the terminal, not the captured stderr', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ sb, alice, pane }) => {
    sb.write('code.txt', `${await codeWithTime(sb, alice, 15_000)}\n`);
    const config = sb.read('.aws/config')!;
    assert.match(config, /^\[profile alice\]$/m);
    sb.write('.aws/config', config.replace(/^\[profile alice\]$/m, `[profile alice]\nmfa_process = echo "touch your YubiKey" >&2; cat ${sq(sb.file('code.txt'))}`));
    await pane.type('mfa-login credential-process prod > out.json 2> err.txt; echo "rc=$?"');
    assert.equal(await pane.status(), 0, await pane.screen());
    assert.match(await pane.screen(), /^touch your YubiKey$/m, 'seen on the terminal');
    assert.doesNotMatch(sb.read('err.txt')!, /YubiKey/, 'not in the stderr the caller captures');
    assert.equal((JSON.parse(sb.read('out.json')!) as { Version: number }).Version, 1);
  });
});

test('add at a terminal: an ASIA key id is refused as a temporary key, with the long-term AKIA key to give instead', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ pane }) => {
    await pane.type('mfa-login add newprofile; echo "rc=$?"');
    await pane.waitFor(/Access key ID:/, 'the access key prompt', { whileRunning: true });
    await pane.type('ASIAQWERTYUIOPASDFGH');
    const said = await pane.waitFor(/temporary key/, 'what the prompt says of an ASIA key', { whileRunning: true });
    assert.match(said, /^> ASIA\.\.\. is a temporary key, which add does not store: give the IAM user's long-term AKIA\.\.\. key$/m);
    assert.doesNotMatch(said, /looks like AKIA/);
    await pane.press('C-c');
    assert.equal(await pane.status(), 130, await pane.screen());
  });
});

test('Ctrl-C at the passphrase prompt: "interrupted", exit 130, and the "ctrl+t toggle visibility" line is gone', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ pane }) => {
    // The sandbox's keys are in the encrypted file: without its passphrase in the environment, list asks for it.
    await pane.type('env -u MFA_LOGIN_FILE_PASSPHRASE mfa-login list; echo "rc=$?"');
    await pane.waitFor((s) => /Passphrase/.test(s) && /ctrl\+t toggle visibility/.test(s), 'the passphrase prompt and its help line', { whileRunning: true });
    await pane.press('C-c');
    assert.equal(await pane.status(), 130, await pane.screen());
    const screen = await pane.screen();
    assert.match(screen, /^mfa-login: interrupted$/m);
    assert.doesNotMatch(screen, /ctrl\+t/, `the help line stayed:\n${screen}`);
    assert.match(screen, /Passphrase/, 'the question itself stays, as after any interrupted prompt');
  });
});

test('--help on a terminal wraps at the terminal\'s width, mfa-env\'s and mfa-login\'s alike', async (t) => {
  const skip = missing();
  if (skip) return t.skip(skip);
  await inTerminal(async ({ pane }) => {
    // Printed on the pane (stdout is the terminal) and read off the screen, cleared in between.
    const helpOf = async (line: string): Promise<string> => {
      await pane.clear();
      await pane.type(`${line}; echo "rc=$?"`);
      assert.equal(await pane.status(), 0, await pane.screen());
      const s = await pane.screen();
      return s.slice(s.indexOf('\n') + 1, s.lastIndexOf('\nrc='));
    };
    const env = await helpOf('mfa-env --help');
    const login = await helpOf('mfa-login login --help');
    const widest = (help: string) => Math.max(...help.split('\n').map((l) => l.length));
    // The pane is 120 columns: both use them (mfa-env stopped at 80, mfa-login at 100).
    for (const [name, help] of [['mfa-env', env], ['mfa-login login', login]] as const) {
      assert.ok(widest(help) > 100 && widest(help) <= 120, `${name} --help is ${widest(help)} wide:\n${help}`);
      assert.match(help, /^Environment:$/m, name);
    }
    const row = (help: string, name: string) => {
      const lines = help.split('\n');
      const at = lines.findIndex((l) => l.startsWith(`  ${name} `));
      assert.ok(at >= 0, `${name} in:\n${help}`);
      return lines.slice(at, at + 1 + lines.slice(at + 1).findIndex((l) => !/^ {20,}\S/.test(l))).join('\n');
    };
    for (const name of ['MFA_LOGIN_LOCK_TIMEOUT', 'AWS_ENDPOINT_URL_STS', 'MFA_LOGIN_CACHE']) assert.equal(row(env, name), row(login, name), name);
  });
});
