/**
 * `npm run completions`: writes the scripts in completions/ with their lists made from the
 * command table (src/cli/completion-scripts.ts), after a definition changed. A step of the
 * checkout's build, not of the product: it lives beside the tests that check the scripts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { completionScript } from '../../src/cli/completion-scripts.js';
import { LOGIN_TABLE } from '../../src/cli/definitions/table.js';
import { packageRoot } from '../../src/cli/package-root.js';

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  const file = path.join(packageRoot(), 'completions', `mfa-login.${shell}`);
  const shipped = readFileSync(file, 'utf8');
  const made = completionScript(shell, shipped, LOGIN_TABLE);
  if (made !== shipped) {
    writeFileSync(file, made);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}
