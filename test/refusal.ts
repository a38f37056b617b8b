/** Shared by the unit tests (not a test file): the error a refused call gives the user. */
import assert from 'node:assert/strict';
import { MfaLoginError, type ErrorCode, type ExitStatus } from '../src/errors.js';

/** The MfaLoginError `p` rejects with, checked to carry `code` and the exit status a script sees. */
export async function refusal(p: Promise<unknown>, code: ErrorCode, exitStatus: ExitStatus): Promise<MfaLoginError> {
  const e = await p.then(
    () => assert.fail(`accepted; expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(e instanceof MfaLoginError, String(e));
  assert.equal(e.code, code, e.message);
  assert.equal(e.exitStatus, exitStatus);
  return e;
}
