/**
 * Checks TOTP codes the way AWS does: one 30-second step of drift either way, and each
 * code good for one use. RFC 6238 §5.2 replay protection: once a step has been accepted
 * for a device, that step and every earlier one are refused, so two tools that each ask
 * for their own session with the same code cannot both succeed.
 *
 * Enabling and resynchronising a device take two consecutive codes (RFC 6238 §6): enabling
 * looks only around the present, resynchronising far enough to find a device whose clock has
 * drifted, and remembers the drift so that later single codes are checked against it.
 */
import { hotp, base32Decode, totpStep } from '../mfa/totp.js';
import type { LocalStsUser } from './types.js';

const DRIFT_STEPS = 1;
/** How far (in 30 s steps, either way) a resync looks for the two codes: 10 minutes. */
export const RESYNC_WINDOW_STEPS = 20;

export class MfaVerifier {
  private readonly lastAcceptedStep = new Map<string, number>();
  /** Steps a device's clock is known to be off by, learnt from ResyncMFADevice. */
  private readonly drift = new Map<string, number>();

  /** `allowReuse` switches replay protection off: for benchmarks that time the cold path repeatedly. */
  constructor(private readonly allowReuse = false) {}

  /** True, and the code is spent, when `code` is valid now for `user`'s device `serial`. */
  verify(user: LocalStsUser, serial: string, code: string, nowMs: number): boolean {
    const device = user.mfaDevices?.find((d) => d.serial === serial);
    if (!device) return false;
    const key = base32Decode(device.seed);
    const current = totpStep(nowMs) + (this.drift.get(serial) ?? 0);
    const last = this.lastAcceptedStep.get(serial) ?? -Infinity;
    for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
      if ((this.allowReuse || step > last) && hotp(key, step) === code) {
        this.lastAcceptedStep.set(serial, step);
        return true;
      }
    }
    return false;
  }

  /**
   * True when `code1` and `code2` are the codes of two consecutive steps within `window` steps of
   * now; both are then spent, and with `learnDrift` the device's offset is remembered.
   */
  verifyConsecutive(serial: string, seed: string, code1: string, code2: string, nowMs: number, window: number, learnDrift: boolean): boolean {
    const key = base32Decode(seed);
    const now = totpStep(nowMs);
    const last = this.lastAcceptedStep.get(serial) ?? -Infinity;
    for (let step = now - window; step <= now + window; step++) {
      if (step > last && hotp(key, step) === code1 && hotp(key, step + 1) === code2) {
        this.lastAcceptedStep.set(serial, step + 1);
        // The second code is what the device showed when the request was sent.
        if (learnDrift) this.drift.set(serial, step + 1 - now);
        return true;
      }
    }
    return false;
  }
}
