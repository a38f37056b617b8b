import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AWS_CLI, MFA_LOGIN, Sandbox, runCommand, settled, user } from './harness.js';

/**
 * The AWS config files as people and programs leave them: headers with stray spaces, paths that
 * name no regular file, chains far longer than any real one. Each ends at once with what a user
 * can act on, and never with a file mfa-login itself left unreadable.
 */
const alice = user('alice');
const bob = user('bob');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const configFor = (u: typeof alice) => `[profile ${u.userName}]\nmfa_serial = ${u.mfaDevices[0]!.serial}\n\n[profile prod-${u.userName}]\nrole_arn = ${ROLE}\nsource_profile = ${u.userName}\nregion = eu-west-1\n`;
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([alice, bob]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  await sb.add('alice', alice);
  await sb.add('bob', bob);
});
after(() => sb.stop());

interface Bounded {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why the child was killed, if it was: it ran too long or took too much memory. */
  killed?: string;
  wallMs: number;
  /** The child's own CPU time and peak resident memory, as it reported them on exit. */
  cpuMs?: number;
  maxRssMb?: number;
}

const LIMIT_MS = 20_000;
const LIMIT_RSS_MB = 1024;

/**
 * Runs the built CLI with a kill timer and a memory watch, so that a command that hangs (a FIFO)
 * or reads without end (/dev/zero) fails the test instead of blocking it or the machine. A
 * preloaded script has the child report its CPU time and peak memory when it exits: unlike wall
 * time, neither grows with the load of a busy machine.
 */
function runBounded(args: string[], env: Record<string, string | undefined> = {}): Promise<Bounded> {
  const report = path.join(sb.home, `usage-${process.hrtime.bigint()}.json`);
  const probe = path.join(sb.home, 'usage-probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.USAGE_REPORT, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMb: u.maxRSS / 1024 })); });\n`,
  );
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', probe, MFA_LOGIN, ...args], { env: sb.env({ ...env, USAGE_REPORT: report }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed: string | undefined;
    const kill = (why: string) => {
      killed ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const watch = setInterval(() => {
      if (Date.now() - started > LIMIT_MS) kill(`still running after ${LIMIT_MS / 1000} s`);
      try {
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        if (rss > LIMIT_RSS_MB) kill(`over ${LIMIT_RSS_MB} MB`);
      } catch {
        // exited between two looks
      }
    }, 50);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(watch);
      const usage = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as { cpuMs: number; maxRssMb: number }) : {};
      rmSync(report, { force: true });
      resolve({ status, stdout, stderr, ...(killed !== undefined ? { killed } : {}), wallMs: Date.now() - started, ...usage });
    });
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const headers = (text: string, name: RegExp) => text.split('\n').filter((l) => name.test(l));

test('`[ cz ]` in the credentials file and `[profile  cz]` in the config are edited in place, never written a second time', async () => {
  const config = `${configFor(alice)}\n# the session profile\n[profile  cz]\nregion = us-west-2\n`;
  sb.write('.aws/config', config);
  const oldSession = 'aws_access_key_id = ASIAOLDOLDOLDOLDOLD1\naws_secret_access_key = oldSecretOldSecretOldSecretOldSecretOldS\naws_session_token = oldtoken\n';
  sb.write('.aws/credentials', `[ cz ]  # written by hand\n# an old session\n${oldSession}\n[other]\noutput = json\n`);

  // No region in the environment: the profile's is the one written.
  const login = await sb.run(['prod-alice', '--to', 'cz', '--mfa-token', await sb.code(alice)], { env: { AWS_REGION: undefined } });
  assert.equal(login.status, 0, login.stderr);
  assert.match(login.stdout, /^Wrote a session of arn:aws:iam::222222222222:role\/Admin to \[cz\] in ~\/\.aws\/credentials/);

  const creds = sb.read('.aws/credentials')!;
  assert.deepEqual(headers(creds, /^\s*\[\s*cz\s*\]/), ['[cz]  # written by hand'], 'one section, its header spelled so that AWS tools find cz');
  assert.match(creds, /^\[cz\]  # written by hand\n# an old session\naws_access_key_id = ASIA(?!OLD)\w{16}\naws_secret_access_key = \S+\naws_session_token = (?!oldtoken)\S+\nexpiration = \S+\nmfa_login_session_of = prod-alice via alice\n\n\[other\]\noutput = json\n$/);
  const cfg = sb.read('.aws/config')!;
  assert.equal(cfg, config.replace('[profile  cz]\nregion = us-west-2', '[profile cz]\nregion = eu-west-1'), 'the region went into the section that was there');
  assert.match(login.stderr, /note: set region = eu-west-1 in \[profile cz\]/);

  // Every command still reads both files, the cached one included.
  await settled();
  for (const args of [['profiles'], ['credential-process', 'prod-alice'], ['credential-process', 'prod-alice'], ['status']]) {
    const r = await sb.run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  // AWS tools find the session and the region under the name they were written for.
  const aws = await runCommand(AWS_CLI, ['sts', 'get-caller-identity', '--profile', 'cz', '--endpoint-url', sb.sts.url, '--output', 'json'], sb.env({ AWS_REGION: undefined }));
  assert.equal(aws.status, 0, aws.stderr);
  assert.match(JSON.parse(aws.stdout).Arn as string, /^arn:aws:sts::222222222222:assumed-role\/Admin\//);
  assert.equal((await runCommand(AWS_CLI, ['configure', 'get', 'region', '--profile', 'cz'], sb.env())).stdout, 'eu-west-1\n');

  const out = await sb.run(['logout', '--all']);
  assert.equal(out.status, 0, out.stderr);
  assert.equal(sb.read('.aws/credentials'), '[cz]  # written by hand\n# an old session\n\n[other]\noutput = json\n');
});

/** A path of each kind that is no regular file, made in the sandbox. */
function badPaths(): Array<[string, string]> {
  const fifo = sb.file('config.fifo');
  if (!existsSync(fifo)) assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  mkdirSync(sb.file('config.dir'), { recursive: true });
  return [
    ['/dev/zero', 'it is a character device, not a file'],
    [fifo, 'it is a named pipe \\(FIFO\\), not a file'],
    [sb.file('config.dir'), 'it is a directory'],
  ];
}

for (const variable of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) {
  test(`${variable} naming /dev/zero, a FIFO or a directory: refused at once with one line, exit 3`, async (t) => {
    sb.write('.aws/config', configFor(alice));
    for (const [file, what] of badPaths()) {
      for (const args of [['profiles'], ['credential-process', 'prod-alice'], ['prod-alice', '--mfa-token', '123456']]) {
        const r = await runBounded(args, { [variable]: file });
        const where = `${variable}=${file} mfa-login ${args.join(' ')}`;
        assert.equal(r.killed, undefined, `${where}: killed, ${r.killed}`);
        t.diagnostic(`${where}: exit ${r.status} in ${r.wallMs} ms, ${r.cpuMs?.toFixed(0)} ms CPU, ${r.maxRssMb?.toFixed(0)} MB`);
        assert.equal(r.status, 3, `${where}: ${r.stderr}`);
        const escaped = file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        assert.match(r.stderr, new RegExp(`^mfa-login: cannot read ${escaped}: ${what}\n  hint: ${variable}=${escaped} names it: point ${variable} at the file, or unset it for the default\n$`), where);
        assert.equal(r.stdout, '');
        assert.ok(r.cpuMs! < 2000 && r.maxRssMb! < 150, `${where}: ${r.cpuMs} ms CPU, ${r.maxRssMb} MB`);
      }
    }
  });
}

test('the cached path does not wait on a config file that became a FIFO: the full path refuses it', async () => {
  sb.write('.aws/config', configFor(bob));
  const login = await sb.run(['credential-process', 'prod-bob', '--mfa-token', await sb.code(bob)]);
  assert.equal(login.status, 0, login.stderr);
  await settled();
  // Noted, then answered from the cache.
  assert.equal((await sb.run(['credential-process', 'prod-bob'])).status, 0);
  assert.equal((await runBounded(['credential-process', 'prod-bob'])).status, 0);

  const config = sb.file('.aws/config');
  rmSync(config);
  assert.equal(spawnSync('mkfifo', [config]).status, 0, 'mkfifo');
  try {
    const r = await runBounded(['credential-process', 'prod-bob']);
    assert.equal(r.killed, undefined, `killed, ${r.killed}`);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, `mfa-login: cannot read ${config}: it is a named pipe (FIFO), not a file\n`);
  } finally {
    rmSync(config);
  }
});

test('a source_profile chain of 3,000 roles ends at once, naming the profile and the limit, in little memory', async (t) => {
  const hops = 3000;
  let config = `[profile p0]\nmfa_serial = ${alice.mfaDevices[0]!.serial}\n`;
  for (let i = 1; i <= hops; i++) config += `[profile p${i}]\nrole_arn = arn:aws:iam::222222222222:role/r${i}\nsource_profile = p${i - 1}\n`;
  sb.write('.aws/config', config);
  rmSync(sb.file('.aws/credentials'), { force: true });
  const lineOf = (i: number) => 3 + 3 * (i - 1) + 1;
  for (const args of [['p3000', '--mfa-token', '123456'], ['credential-process', 'p3000'], ['status']]) {
    const r = await runBounded(args);
    const where = `mfa-login ${args.join(' ')}`;
    t.diagnostic(`${where}: exit ${r.status} in ${r.wallMs} ms, ${r.cpuMs?.toFixed(0)} ms CPU, ${r.maxRssMb?.toFixed(0)} MB`);
    assert.equal(r.killed, undefined, `${where}: killed, ${r.killed}`);
    assert.ok(r.cpuMs! < 2000, `${where}: ${r.cpuMs} ms of CPU`);
    assert.ok(r.maxRssMb! < 150, `${where}: ${r.maxRssMb} MB`);
    if (args[0] === 'status') continue;
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(lines(r.stderr), [
      `mfa-login: the source_profile chain of profile p3000 has more than 64 roles, the most mfa-login follows (role 65 from p3000 is p2936, ${sb.file('.aws/config')} line ${lineOf(2936)})`,
      '  hint: point source_profile of a profile in the chain at the IAM user, or at a role nearer to it',
    ]);
  }
  const unknown = await runBounded(['nosuch']);
  assert.equal(unknown.status, 3);
  assert.match(unknown.stderr, /^mfa-login: profile nosuch not found; known profiles: p0, p1, p10, p100, p1000, p1001, p1002, p1003, p1004, p1005 and 2991 more\n/);
});
