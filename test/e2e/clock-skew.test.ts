import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, user } from './harness.js';
import { totp } from '../../src/mfa/totp.js';

/** An STS whose clock runs 90 s ahead of ours: as if this computer's clock were 90 s behind. */
const SKEW_MS = 90_000;
const frank = user('frank');
let sb: Sandbox;

before(async () => {
  sb = await new Sandbox([frank]).start({ now: () => Date.now() + SKEW_MS });
  // The sandbox's own region, so that login has no region to add to the profile (and no note to give).
  sb.write('.aws/config', `[profile frank]\nmfa_serial = ${frank.mfaDevices[0]!.serial}\nregion = us-east-1\n`);
  await sb.add('frank', frank);
});
after(async () => sb.stop());

test('a clock 90 s behind AWS: a code from a phone on the right time works, with a warning', async () => {
  const r = await sb.run(['frank', '--mfa-token', totp(frank.mfaDevices[0]!.seed, Date.now() + SKEW_MS)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^mfa-login: warning: this computer's clock is (89|90|91)s behind AWS; MFA codes and signatures will start to fail \(enable NTP: timedatectl set-ntp true\)\n$/);
});

test('a code made from the wrong clock is refused with the clock named as the cause', async () => {
  await sb.run(['logout', '--all']);
  const r = await sb.run(['frank', '--mfa-token', totp(frank.mfaDevices[0]!.seed, Date.now() - 120_000)]);
  assert.equal(r.status, 5);
  assert.match(r.stderr, /STS refused the MFA code for arn:aws:iam::111111111111:mfa\/frank \(profile frank\), and this computer's clock is (89|90|91)s behind AWS: codes depend on the time\n  hint: set the clock right \(enable NTP: timedatectl set-ntp true\), then try a new code\n$/);
});
