/**
 * Checks TOTP codes the way AWS does: one 30-second step of drift either way, and each
 * code good for one use. RFC 6238 §5.2 replay protection: once a step has been accepted
 * for a device, that step and every earlier one are refused, so two tools that each ask
 * for their own session with the same code cannot both succeed.
 */
import { hotp, base32Decode, totpStep } from './totp.js';
import type { LocalStsUser } from './types.js';

const DRIFT_STEPS = 1;

export class MfaVerifier {
  private readonly lastAcceptedStep = new Map<string, number>();

  /** `allowReuse` switches replay protection off: for benchmarks that time the cold path repeatedly. */
  constructor(private readonly allowReuse = false) {}

  /** True, and the code is spent, when `code` is valid now for `user`'s device `serial`. */
  verify(user: LocalStsUser, serial: string, code: string, nowMs: number): boolean {
    const device = user.mfaDevices?.find((d) => d.serial === serial);
    if (!device) return false;
    const key = base32Decode(device.seed);
    const current = totpStep(nowMs);
    const last = this.lastAcceptedStep.get(serial) ?? -Infinity;
    for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
      if ((this.allowReuse || step > last) && hotp(key, step) === code) {
        this.lastAcceptedStep.set(serial, step);
        return true;
      }
    }
    return false;
  }
}
