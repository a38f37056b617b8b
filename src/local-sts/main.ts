/**
 * Standalone runner: `node dist/src/local-sts/main.js fixture.json`.
 * The fixture is `{ "port"?, "host"?, "users": [...], "roles"?: [...] }` (see types.ts).
 * Prints one JSON line `{"url": "..."}` once listening, so a parent process can read it,
 * and serves until SIGTERM or SIGINT.
 */
import { readFileSync } from 'node:fs';
import { startLocalSts } from './server.js';
import type { LocalStsOptions } from './types.js';

async function main(argv: string[]): Promise<number> {
  const [fixturePath] = argv;
  if (!fixturePath) {
    process.stderr.write('usage: node dist/src/local-sts/main.js <fixture.json>\n');
    return 2;
  }
  let fixture: LocalStsOptions;
  try {
    fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as LocalStsOptions;
    if (!Array.isArray(fixture.users)) throw new Error('"users" must be an array');
  } catch (error) {
    process.stderr.write(`local-sts: cannot read fixture ${fixturePath}: ${(error as Error).message}\n`);
    return 2;
  }
  const sts = await startLocalSts({
    port: fixture.port ?? 0,
    host: fixture.host ?? '127.0.0.1',
    users: fixture.users,
    roles: fixture.roles ?? [],
    allowCodeReuse: fixture.allowCodeReuse === true,
    ...(fixture.roleSessionSecondsCap !== undefined ? { roleSessionSecondsCap: fixture.roleSessionSecondsCap } : {}),
    newKeyDelayMs: fixture.newKeyDelayMs ?? 0,
  });
  process.stdout.write(JSON.stringify({ url: sts.url }) + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await sts.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
