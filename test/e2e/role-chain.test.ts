import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sandbox, user } from './harness.js';
import { execAndSignal } from './signal-kit.js';
import { startLocalSts, type LocalSts } from '../../src/aws-stand-in/server.js';
import { totp } from '../../src/mfa/totp.js';
import { main } from '../../src/cli/main.js';
import { awsSdkSts } from '../../src/sts/aws-sdk-sts.js';
import { dirStore } from '../../src/session-store/dir-store.js';
import { settingsFrom } from '../../src/settings.js';
import type { Deps } from '../../src/deps.js';
import type { LongTermKeys } from '../../src/credentials.js';
import type { Terminal } from '../../src/terminal/terminal.js';

const dave = user('dave');
const HOP = 'arn:aws:iam::222222222222:role/Hop';
const TARGET = 'arn:aws:iam::333333333333:role/Target';
const LONG = 'arn:aws:iam::222222222222:role/LongSessions';
const CHAIN_CONFIG = `[profile dave]
mfa_serial = ${dave.mfaDevices[0]!.serial}
region = eu-west-1

[profile hop]
role_arn = ${HOP}
source_profile = dave

[profile target]
role_arn = ${TARGET}
source_profile = hop
external_id = ext-1234
region = ap-southeast-2

[profile long]
role_arn = ${LONG}
source_profile = dave
duration_seconds = 14400

[profile locked]
role_arn = arn:aws:iam::222222222222:role/NeedsExternalId
source_profile = dave
`;

let sb: Sandbox;
before(async () => {
  sb = await new Sandbox([dave]).start({
    roles: [
      { roleArn: HOP, requireMfa: true, trustedPrincipals: ['111111111111'] },
      { roleArn: TARGET, externalId: 'ext-1234', trustedPrincipals: ['222222222222'] },
      { roleArn: LONG, requireMfa: true, maxSessionDuration: 43200 },
      { roleArn: 'arn:aws:iam::222222222222:role/NeedsExternalId', externalId: 'secret-ext' },
    ],
  });
  sb.write('.aws/config', CHAIN_CONFIG);
  await sb.add('dave', dave);
});
after(async () => sb.stop());

test('two hops into a third account with one code; the second run costs nothing', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['credential-process', 'target', '--mfa-token', await sb.code(dave), '--debug']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.Version, 1);
  assert.equal(out.AccountId, '333333333333');
  assert.match(out.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual({ ...sb.sts.calls }, { GetSessionToken: 1, AssumeRole: 2 });
  assert.match(r.stderr, /hop: AssumeRole from the MFA session \(role chaining, at most 3600s\)/);
  assert.match(r.stderr, /target: AssumeRole from the session of arn:aws:iam::222222222222:role\/Hop/);

  sb.sts.resetCalls();
  const again = await sb.run(['credential-process', 'target']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, r.stdout);
  assert.deepEqual({ ...sb.sts.calls }, {});

  // Another role off the same MFA session: no code, one AssumeRole.
  const env = await sb.run(['exec', 'hop', '--', 'sh', '-c', 'printf "%s %s" "$AWS_REGION" "$MFA_LOGIN_PROFILE"'], { env: { AWS_REGION: undefined } });
  assert.equal(env.status, 0, env.stderr);
  assert.equal(env.stdout, 'eu-west-1 hop', 'region inherited from the source profile');
  assert.deepEqual({ ...sb.sts.calls }, {});
});

test('a role session longer than an hour is assumed directly with the code', async () => {
  sb.sts.resetCalls();
  const r = await sb.run(['credential-process', 'long', '--mfa-token', await sb.code(dave), '--debug']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual({ ...sb.sts.calls }, { AssumeRole: 1 });
  assert.match(r.stderr, /duration_seconds 14400 exceeds the 1-hour chaining cap; calling AssumeRole directly/);
  const left = Date.parse(JSON.parse(r.stdout).Expiration) - Date.now();
  assert.ok(left > 3.9 * 3600_000 && left <= 4 * 3600_000, `about 4 hours left, got ${left} ms`);
});

test('AccessDenied on AssumeRole names the role, the caller and the likely causes', async () => {
  const r = await sb.run(['credential-process', 'locked']);
  assert.equal(r.status, 6);
  assert.equal(
    r.stderr,
    'mfa-login: arn:aws:iam::111111111111:user/dave may not assume arn:aws:iam::222222222222:role/NeedsExternalId (profile locked): the role\'s trust policy does not trust this caller, requires MFA it did not get, or expects a different external_id\n' +
      '  hint: check the role\'s trust policy, and mfa_serial / external_id for this profile\n',
  );
});

test('exec passes the exit status, refuses to nest, and mfa-env prints exports', async () => {
  const code = await sb.run(['exec', 'target', '--', 'sh', '-c', 'exit 42']);
  assert.equal(code.status, 42);
  const nested = await sb.run(['exec', 'target', '--', 'sh', '-c', 'exit 0'], { env: { MFA_LOGIN_PROFILE: 'hop' } });
  assert.equal(nested.status, 2);
  assert.match(nested.stderr, /^mfa-login: already inside "mfa-login exec hop"/);
  const allowed = await sb.run(['exec', 'target', '--allow-nested', '--', 'sh', '-c', 'exit 0'], { env: { MFA_LOGIN_PROFILE: 'hop' } });
  assert.equal(allowed.status, 0, allowed.stderr);

  const sh = await sb.run(['target', '--shell', 'sh'], { bin: path.join(path.dirname(new URL(import.meta.url).pathname), '../../../bin/mfa-env.js') });
  assert.equal(sh.status, 0, sh.stderr);
  assert.match(sh.stdout, /^export AWS_ACCESS_KEY_ID='ASIA[A-Z0-9]{16}'\nexport AWS_SECRET_ACCESS_KEY='.+'\nexport AWS_SESSION_TOKEN='.+'\nexport AWS_CREDENTIAL_EXPIRATION='.+Z'\nexport AWS_REGION='us-east-1'\nexport AWS_DEFAULT_REGION='us-east-1'\nunset AWS_PROFILE\nunset AWS_DEFAULT_PROFILE\nexport MFA_LOGIN_SAVED='\{"AWS_REGION":"us-east-1"\}'\n$/);
});

test('setup writes a credential_process profile and refuses names that AWS tools would resolve elsewhere', async () => {
  const r = await sb.run(['setup', 'target']);
  assert.equal(r.status, 0, r.stderr);
  const cfg = sb.read('.aws/config')!;
  assert.ok(cfg.startsWith(CHAIN_CONFIG), 'existing profiles untouched');
  assert.match(cfg, new RegExp(`\\n\\[profile target-mfa\\]\\ncredential_process = ${process.execPath.replace(/[/.]/g, '\\$&')} /\\S+/bin/mfa-login\\.js credential-process target\\nregion = ap-southeast-2\\n$`));
  assert.match(r.stdout, /^Added \[profile target-mfa\] in ~\/\.aws\/config:\n {2}credential_process = /);

  const onRole = await sb.run(['setup', 'target', '--name', 'hop']);
  assert.equal(onRole.status, 3);
  assert.match(onRole.stderr, /^mfa-login: \[profile hop\] is part of the chain of target/);
  const again = await sb.run(['setup', 'target']);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /^Updated \[profile target-mfa\]/);
  assert.equal(sb.read('.aws/config'), cfg, 'running setup twice changes nothing');
});

test('setup refuses a profile setup wrote: a hook for a hook would have no keys of its own', async () => {
  assert.equal((await sb.run(['setup', 'target'])).status, 0);
  const cfg = sb.read('.aws/config');
  const r = await sb.run(['setup', 'target-mfa']);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^mfa-login: profile target-mfa is a credential_process profile for target \(.*\): AWS tools use it to ask mfa-login for target's credentials; it has no keys of its own\n  hint: use the profile it stands for: mfa-login setup target\n$/);
  assert.equal(sb.read('.aws/config'), cfg, 'nothing written');
});

/**
 * A working day in simulated time, in-process with the real SDK against the local STS: every
 * 5 minutes an SDK asks credential_process for the two-hop profile. One code all day; the roles
 * are refreshed from the cached MFA session as they near expiry.
 */
test('a simulated working day through credential_process: one code, roles refreshed without prompts', async () => {
  const start = Date.now();
  let simulated = start;
  const now = () => new Date(simulated);
  const sts: LocalSts = await startLocalSts({
    now: () => simulated,
    users: [dave],
    roles: [
      { roleArn: HOP, requireMfa: true },
      { roleArn: TARGET, externalId: 'ext-1234' },
    ],
  });
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-day-'));
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws/config'), CHAIN_CONFIG);
  const keys = new Map<string, LongTermKeys>([['dave', { accessKeyId: dave.accessKeyId, secretAccessKey: dave.secretAccessKey }]]);
  let prompts = 0;
  let stdout = '';
  const terminal: Terminal = {
    available: () => true,
    ask: async () => {
      prompts++;
      return totp(dave.mfaDevices[0]!.seed, simulated);
    },
    askSecret: async () => assert.fail('no secret is asked for'),
    confirm: async () => assert.fail('nothing to confirm'),
    choose: async () => assert.fail('nothing to choose'),
    say: () => {},
    write: () => {},
  };
  const cache = dirStore({ mode: 'file', dir: path.join(home, 'cache'), ram: false, uid: process.getuid?.(), waitMs: 10_000 });
  const env = { HOME: home, AWS_ENDPOINT_URL: sts.url, AWS_REGION: 'us-east-1' };
  const deps: Deps = {
    env,
    settings: settingsFrom(env, home),
    homeDir: home,
    now,
    stdout: (t) => void (stdout += t),
    stderr: (t) => assert.fail(`unexpected stderr: ${t}`),
    stdinIsTty: false,
    readStdin: async () => '',
    readFile: async (p) => fs.readFile(p, 'utf8').catch(() => undefined),
    editFile: async (p, edit) => {
      const text = await fs.readFile(p, 'utf8').catch(() => undefined);
      const next = edit(text);
      if (next === undefined || next === text) return false;
      await fs.writeFile(p, next);
      return true;
    },
    secrets: () => ({
      backend: 'file',
      location: 'memory',
      get: async (p) => keys.get(p),
      set: async () => {},
      remove: async () => false,
      list: async () => [...keys.keys()],
      inventory: async () => ({ profiles: new Map([...keys.keys()].map((k) => [k, { backend: 'file', location: 'memory' }] as const)), unreadable: [], recorded: new Map(), newKeys: { backend: 'file', location: 'memory' } }),
      ready: async () => {},
    }),
    sts: () => awsSdkSts({ now }),
    cache: () => cache,
    routes: () => cache,
    terminal,
    runProcess: async () => assert.fail('no mfa_process'),
    debug: () => {},
  };
  try {
    const hours = 10;
    for (let t = 0; t <= hours * 60; t += 5) {
      simulated = start + t * 60_000;
      stdout = '';
      assert.equal(await main(['credential-process', 'target'], deps, false), 0);
      const left = Date.parse(JSON.parse(stdout).Expiration) - simulated;
      assert.ok(left >= 15 * 60_000, `at minute ${t}: ${left / 60_000} min left`);
    }
    assert.equal(prompts, 1, 'one code for the whole day');
    assert.equal(sts.calls.GetSessionToken, 1);
    // Every hop AssumeRole is signed with the one MFA session's key; target calls with hop keys.
    const byCaller = new Map<string, number>();
    for (const e of sts.log) if (e.action === 'AssumeRole') byCaller.set(e.accessKeyId, (byCaller.get(e.accessKeyId) ?? 0) + 1);
    const hopCalls = Math.max(...byCaller.values());
    const targetCalls = sts.calls.AssumeRole! - hopCalls;
    // The hop is only used to reach the target, so it serves its full hour: once an hour.
    assert.ok(hopCalls <= hours + 1, `hop assumed ${hopCalls} times in ${hours} h`);
    // The target is handed out and must keep 15 minutes, so it is renewed every 45 minutes.
    assert.ok(targetCalls <= Math.ceil((hours * 60) / 45) + 1, `target assumed ${targetCalls} times in ${hours} h`);
    process.stdout.write(`# day: 1 prompt, ${sts.calls.GetSessionToken} GetSessionToken, hop ${hopCalls} and target ${targetCalls} AssumeRole in ${hours} h\n`);
  } finally {
    await sts.close();
    rmSync(home, { recursive: true, force: true });
  }
});


test('exec passes a signal to the command and exits as the command did', async () => {
  // Sent once the command says its trap is set; bounded, and the command is killed whatever happens.
  const r = await execAndSignal(sb.env(), 'target', 'ready');
  assert.equal(r.leftBehind, false, 'the command was left running');
  assert.equal(r.stdout, 'ready\ngot TERM\n', r.stderr);
  assert.equal(r.status, 42);
});
