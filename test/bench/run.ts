/**
 * `npm run bench`: times the cached credential paths against a bare Node start, in one run, on
 * this machine. A temporary HOME, the local STS, keys in the encrypted-file store (so the keychain
 * plays no part in either side), caches filled first. Wall time and peak memory are medians of
 * interleaved rounds in a rotating order, so a busy moment hurts every command alike. Writes the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { totp } from '../../src/mfa/totp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MFA_LOGIN = path.join(ROOT, 'bin/mfa-login.js');
const MFA_ENV = path.join(ROOT, 'bin/mfa-env.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const TIME = '/usr/bin/time';
const AWS = '/usr/bin/aws';

const seed = 'JBSWY3DPEHPK3PXPBENCHSEEDAAAAAAA';
const bench = {
  userName: 'bench',
  accountId: '111111111111',
  accessKeyId: 'AKIABENCH00000000001',
  secretAccessKey: 'benchSecret/+benchSecret/+benchSecret/+b',
  mfaDevices: [{ serial: 'arn:aws:iam::111111111111:mfa/bench', seed }],
};
const ROLE = 'arn:aws:iam::222222222222:role/Admin';

interface Command {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /** Timed runs per round: the short commands get more, since a busy moment moves them most. */
  reps?: number;
}

/**
 * Runs per round of the baseline and of each cached command: 160 of each by default. A busy
 * machine moves a single run of a 40 ms command by several milliseconds; with 60 runs a command,
 * the ratio of two medians moved by up to ±0.04 from one bench run of the same build to the next.
 */
const FAST_REPS = 4;
/** Peak memory hardly varies: it is taken in every fourth round. */
const MEMORY_EVERY = 4;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-bench-'));
  // The default mode keeps sessions in $XDG_RUNTIME_DIR/mfa-login, which must be on tmpfs.
  const runtime = mkdtempSync('/dev/shm/mfa-login-bench-');
  // The STS runs in its own process: the timed runs below block this one.
  const fixture = path.join(home, 'sts.json');
  writeFileSync(fixture, JSON.stringify({ users: [bench], roles: [{ roleArn: ROLE, requireMfa: true }], allowCodeReuse: true }));
  const stsProcess = spawn(process.execPath, [path.join(ROOT, 'dist/src/aws-stand-in/main.js'), fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(stsProcess.stdout!, 'data')) as [Buffer];
  const sts = { url: (JSON.parse(line.toString()) as { url: string }).url, close: async () => void stsProcess.kill('SIGTERM') };
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws/config'), `[profile bench]\nmfa_serial = ${bench.mfaDevices[0]!.serial}\nregion = us-east-1\n\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = bench\nregion = eu-west-1\n`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    LANG: 'C.UTF-8',
    AWS_ENDPOINT_URL: sts.url,
    AWS_REGION: 'us-east-1',
    MFA_LOGIN_BACKEND: 'file',
    MFA_LOGIN_FILE_PASSPHRASE: 'bench passphrase',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    MFA_LOGIN_AGENT_IDLE: '600',
    // What the fast path reads to pick a format when --shell is not given.
    SHELL: '/bin/bash',
  };
  const fileEnv = { MFA_LOGIN_CACHE: 'file' };
  const agentEnv = { MFA_LOGIN_CACHE: 'agent' };
  const run = (argv: string[], extra: Record<string, string> = {}, input?: string) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { env: { ...env, ...extra }, input: input ?? '', encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  const node = process.execPath;
  try {
    run([node, MFA_LOGIN, 'add', 'bench', '--yes'], {}, `${bench.accessKeyId}\n${bench.secretAccessKey}\n`);
    run([node, MFA_LOGIN, 'session', 'prod', '--mfa-token', totp(seed, Date.now())]);
    run([node, MFA_LOGIN, 'session', 'prod', '--mfa-token', totp(seed, Date.now())], fileEnv);
    run([node, MFA_LOGIN, 'session', 'prod', '--mfa-token', totp(seed, Date.now())], agentEnv);
    run([node, MFA_LOGIN, 'login', 'bench', '--to', 'bench-keys', '--mfa-token', totp(seed, Date.now())], fileEnv);

    const commands: Command[] = [
      { name: 'node -e 0', argv: [node, '-e', '0'], reps: FAST_REPS },
      { name: 'credential-process prod (default cache)', argv: [node, MFA_LOGIN, 'credential-process', 'prod'], reps: FAST_REPS },
      { name: 'mfa-env prod (default cache)', argv: [node, MFA_ENV, 'prod'], reps: FAST_REPS },
      { name: 'mfa-env prod --shell bash (default cache)', argv: [node, MFA_ENV, 'prod', '--shell', 'bash'], reps: FAST_REPS },
      { name: 'AWS_PROFILE=prod mfa-env (default cache)', argv: [node, MFA_ENV], env: { AWS_PROFILE: 'prod' }, reps: FAST_REPS },
      { name: 'credential-process prod (file cache)', argv: [node, MFA_LOGIN, 'credential-process', 'prod'], env: fileEnv, reps: FAST_REPS },
      { name: 'mfa-env prod (file cache)', argv: [node, MFA_ENV, 'prod'], env: fileEnv, reps: FAST_REPS },
      { name: 'credential-process prod (agent cache)', argv: [node, MFA_LOGIN, 'credential-process', 'prod'], env: agentEnv, reps: FAST_REPS },
      { name: 'mfa-env prod (agent cache)', argv: [node, MFA_ENV, 'prod'], env: agentEnv, reps: FAST_REPS },
      { name: 'cold: credential-process prod --mfa-token (no cache)', argv: [node, MFA_LOGIN, 'credential-process', 'prod', '--mfa-token', totp(seed, Date.now())], env: { MFA_LOGIN_CACHE: 'none' } },
      { name: 'node + import @aws-sdk/client-sts', argv: [node, '--input-type=module', '-e', "await import('@aws-sdk/client-sts')"] },
    ];
    if (existsSync(AWS)) commands.push({ name: 'aws configure export-credentials (AWS CLI v2)', argv: [AWS, 'configure', 'export-credentials', '--profile', 'bench-keys'] });
    const memory = existsSync(TIME);
    const currentArgv = (c: Command) => c.argv.map((a, i) => (c.argv[i - 1] === '--mfa-token' ? totp(seed, Date.now()) : a));

    const wall = new Map<string, number[]>(commands.map((c) => [c.name, []]));
    const rss = new Map<string, number[]>(commands.map((c) => [c.name, []]));
    for (const c of commands) run(c.argv, c.env); // warm the page cache, the agent and the fast path's kept code
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts at another command, and a command's runs are spread over the round: no
      // command always runs right after the same one, or last, when the machine has warmed up.
      const order = commands.map((_, i) => commands[(i + round) % commands.length]!);
      const runs = Array.from({ length: FAST_REPS }, (_, rep) => order.filter((c) => rep < (c.reps ?? 1))).flat();
      for (const c of runs) {
        // The cold path's code must be current; the local STS here accepts it again.
        const argv = currentArgv(c);
        const t0 = performance.now();
        const r = spawnSync(argv[0]!, argv.slice(1), { env: { ...env, ...c.env }, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
        wall.get(c.name)!.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`${c.name} failed: ${r.stderr}`);
      }
      if (memory && round % MEMORY_EVERY === 0) {
        for (const c of order) {
          const m = spawnSync(TIME, ['-f', '%M', ...currentArgv(c)], { env: { ...env, ...c.env }, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
          rss.get(c.name)!.push(Number(m.stderr.trim().split('\n').pop()) / 1024);
        }
      }
    }

    const base = { wall: median(wall.get(commands[0]!.name)!), rss: memory ? median(rss.get(commands[0]!.name)!) : NaN };
    const results = commands.map((c) => {
      const w = median(wall.get(c.name)!);
      const m = memory ? median(rss.get(c.name)!) : NaN;
      return { name: c.name, medianMs: +w.toFixed(1), ratio: +(w / base.wall).toFixed(2), peakRssMiB: memory ? +m.toFixed(1) : null, rssRatio: memory ? +(m / base.rss).toFixed(2) : null };
    });
    const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
    const width = Math.max(...results.map((r) => r.name.length));
    process.stdout.write(`mfa-login benchmark: ${ROUNDS} interleaved rounds (${FAST_REPS} runs a round of node and of the cached commands, ${ROUNDS * FAST_REPS} in all), medians\n${machine}\n\n`);
    process.stdout.write(`${'command'.padEnd(width)}  wall ms  × node  peak MiB  × node\n`);
    for (const r of results) {
      process.stdout.write(`${r.name.padEnd(width)}  ${r.medianMs.toFixed(1).padStart(7)}  ${r.ratio.toFixed(2).padStart(6)}  ${r.peakRssMiB === null ? '      -' : r.peakRssMiB.toFixed(1).padStart(8)}  ${r.rssRatio === null ? '     -' : r.rssRatio.toFixed(2).padStart(6)}\n`);
    }
    if (!memory) process.stdout.write('\n(peak memory needs GNU time at /usr/bin/time: apt-get install time)\n');
    const out = path.join(ROOT, 'dist/bench/results.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, rounds: ROUNDS, results }, null, 2)}\n`);
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), out)}\n`);
    await benchEndpoint(env);
  } finally {
    spawnSync(process.execPath, [MFA_LOGIN, 'agent', 'stop'], { env: { ...env, ...agentEnv } });
    await sts.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
}

/**
 * The local credential endpoint (`serve`): a cached answer as a client sees it, timed request by
 * request from this process over a fresh connection each, as the SDKs ask. Written separately.
 */
async function benchEndpoint(env: Record<string, string>): Promise<void> {
  const { request } = await import('node:http');
  const serve = spawn(process.execPath, [MFA_LOGIN, 'serve', 'prod', '--shell', 'sh'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    let out = '';
    const vars = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve printed nothing within 60 s')), 60_000);
      serve.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const v = Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
        if (v.AWS_CONTAINER_AUTHORIZATION_TOKEN) {
          clearTimeout(timer);
          resolve(v);
        }
      });
    });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(vars.AWS_CONTAINER_CREDENTIALS_FULL_URI!, { headers: { Authorization: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN! }, agent: false, timeout: 10_000 }, (res) => {
          res.resume().on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`endpoint answered ${res.statusCode}`))));
        });
        req.on('error', reject).end();
      });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) await get(); // warm
    for (let i = 0; i < ROUNDS * 10; i++) {
      const t0 = performance.now();
      await get();
      times.push(performance.now() - t0);
    }
    const ms = +median(times).toFixed(2);
    process.stdout.write(`\nendpoint (mfa-login serve prod, default cache): cached answer ${ms.toFixed(2)} ms median over ${times.length} requests\n`);
    const file = path.join(ROOT, 'dist/bench/endpoint.json');
    writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), requests: times.length, medianMs: ms }, null, 2)}\n`);
  } finally {
    serve.kill('SIGTERM');
  }
}

await main();
