/**
 * An mfa_process for tests: notes each run in COUNTER, waits (up to a minute) for GATE when one is
 * given, then prints the code the test wrote to CODE_FILE.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const [codeFile, counter, gate] = process.argv.slice(2);
appendFileSync(counter!, `${process.pid}\n`);
const deadline = Date.now() + 60_000;
const wait = () => {
  if (gate !== undefined && !existsSync(gate) && Date.now() < deadline) return void setTimeout(wait, 20);
  process.stdout.write(readFileSync(codeFile!, 'utf8'));
};
wait();
