import { existsSync } from 'node:fs';
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
