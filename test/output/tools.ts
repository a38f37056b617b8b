import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

/**
 * Test options for a test that runs a real program. Missing on a developer machine: skipped,
 * saying why. Missing in CI (`CI=true`): not skipped, so `assertInstalled` fails it and a broken
 * CI image cannot pass by skipping.
 */
export function needs(path: string, why: string, { requiredInCi = true } = {}): { skip?: string } {
  if (existsSync(path) || (requiredInCi && process.env.CI === 'true')) return {};
  return { skip: `${path} is not installed (${why})` };
}

export function assertInstalled(path: string): void {
  assert.ok(existsSync(path), `${path} is required (CI=true) but is not installed`);
}

/**
 * nushell's own binary, from the npm registry's `@nushell/<platform>-<arch>` (what the package
 * `nushell` installs; .ci/run installs it with --no-save). The tests run the binary itself, as a
 * user's terminal does, so mfa-env's parent process is nu. Where the
 * platform package is missing, a path that does not exist: `needs` skips, or fails in CI.
 */
export const NU = (() => {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  try {
    return createRequire(import.meta.url).resolve(`@nushell/${os}-${process.arch}/bin/nu${os === 'windows' ? '.exe' : ''}`);
  } catch {
    return `node_modules/@nushell/${os}-${process.arch}/bin/nu (not installed: see Development in README.md)`;
  }
})();
