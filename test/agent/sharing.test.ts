import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAgent } from '../../src/agent/client.js';
import { startLocalSts } from '../../src/local-sts/server.js';
import { totp } from '../../src/local-sts/totp.js';
import { user } from '../e2e/harness.js';
import { agentPids, tempDir } from '../cache/helpers.js';

/**
 * What the cache is for: parallel callers (Terraform, make -j) asking for the same two-hop role
 * at once spend one code, one GetSessionToken and one AssumeRole per hop. The code is given to all
 * of them, and the local STS, like AWS, refuses a code it has seen: a second use would fail.
 */
const CHILD = fileURLToPath(new URL('./chain-child.js', import.meta.url));
const PARALLEL = 10;
const erin = user('erin');
const HOP = 'arn:aws:iam::222222222222:role/Hop';
const TARGET = 'arn:aws:iam::333333333333:role/Target';

for (const mode of ['agent', 'file'] as const) {
  test(`${mode} mode: ${PARALLEL} parallel callers of a two-hop chain spend one code, one GetSessionToken, one AssumeRole per hop`, async (t) => {
    const sts = await startLocalSts({ users: [erin], roles: [{ roleArn: HOP, requireMfa: true }, { roleArn: TARGET }] });
    const { dir, done } = tempDir();
    const location = mode === 'agent' ? path.join(dir, 'agent.sock') : path.join(dir, 'cache');
    t.after(async () => {
      await sts.close();
      if (mode === 'agent') await stopAgent({ socket: location }).catch(() => false);
      for (const pid of agentPids(location)) process.kill(pid, 'SIGKILL');
      done();
    });
    mkdirSync(path.join(dir, '.aws'));
    writeFileSync(
      path.join(dir, '.aws/config'),
      `[profile erin]\nmfa_serial = ${erin.mfaDevices[0]!.serial}\n\n[profile hop]\nrole_arn = ${HOP}\nsource_profile = erin\n\n[profile target]\nrole_arn = ${TARGET}\nsource_profile = hop\n`,
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_ENDPOINT_URL: sts.url,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      MFA_TEST_KEY_ID: erin.accessKeyId,
      MFA_TEST_SECRET: erin.secretAccessKey,
      MFA_TEST_CODE: totp(erin.mfaDevices[0]!.seed, Date.now()),
    };
    const started = Date.now();
    const results = await Promise.all(
      Array.from(
        { length: PARALLEL },
        () =>
          new Promise<{ accessKeyId?: string; fromCache?: boolean; error?: string }>((resolve, reject) => {
            const child = spawn(process.execPath, [CHILD, mode, location], { env, stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
            child.on('error', reject);
            child.on('close', () => resolve(JSON.parse(out || '{"error":"no output"}')));
          }),
      ),
    );
    t.diagnostic(`${mode}: ${PARALLEL} processes (each loading the AWS SDK) done in ${Date.now() - started} ms; STS calls ${JSON.stringify(sts.calls)}`);
    assert.deepEqual(
      results.filter((r) => r.error),
      [],
    );
    assert.equal(new Set(results.map((r) => r.accessKeyId)).size, 1, 'all have the same role credentials');
    assert.equal(results.filter((r) => !r.fromCache).length, 1, 'one of them asked STS');
    assert.equal(sts.calls.GetSessionToken, 1);
    assert.equal(sts.calls.AssumeRole, 2);
  });
}
