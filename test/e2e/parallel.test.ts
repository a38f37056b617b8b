import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox, user } from './harness.js';

/**
 * What Terraform or `make -j` do to a credential_process: 16 copies at once with a cold cache.
 * They must share one code (one mfa_process run) and one STS call per step.
 */
const PRINT_CODE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'print-code.js');
const gina = user('gina');
const ROLE = 'arn:aws:iam::222222222222:role/Admin';
const CALLERS = 16;
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([gina]).start({ roles: [{ roleArn: ROLE, requireMfa: true }] });
  await sb.add('gina', gina);
});

/** Round 1 uses the current step's code, round 2 the next step's (a code is accepted once). */
function configure(offsetMs: number): void {
  const counter = sb.file('mfa_process-runs');
  sb.write('.aws/config', `[profile gina]\nmfa_serial = ${gina.mfaDevices[0]!.serial}\nmfa_process = ${process.execPath} ${PRINT_CODE} ${gina.mfaDevices[0]!.seed} ${counter} ${offsetMs}\n[profile prod]\nrole_arn = ${ROLE}\nsource_profile = gina\n`);
}
after(async () => {
  await sb.run(['agent', 'stop']);
  await sb.stop();
});

for (const [round, mode] of (['agent', 'file'] as const).entries()) {
  test(`${CALLERS} parallel credential-process calls with a cold ${mode} cache: one code, one GetSessionToken, one AssumeRole`, async () => {
    await sb.run(['logout', '--all'], { env: { MFA_LOGIN_CACHE: mode } });
    rmSync(sb.file('mfa_process-runs'), { force: true });
    configure(round * 30_000);
    sb.sts.resetCalls();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: CALLERS }, () => sb.run(['credential-process', 'prod'], { env: { MFA_LOGIN_CACHE: mode } })));
    const seconds = (Date.now() - started) / 1000;
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1, 'every caller got the same credentials');
    const runs = existsSync(sb.file('mfa_process-runs')) ? readFileSync(sb.file('mfa_process-runs'), 'utf8').trim().split('\n').length : 0;
    assert.equal(runs, 1, 'mfa_process ran once');
    assert.deepEqual({ ...sb.sts.calls }, { GetSessionToken: 1, AssumeRole: 1 });
    process.stdout.write(`# ${mode} cache: ${CALLERS} parallel callers, ${runs} code, ${sb.sts.calls.GetSessionToken} GetSessionToken, ${sb.sts.calls.AssumeRole} AssumeRole, ${seconds.toFixed(1)} s\n`);
  });
}
