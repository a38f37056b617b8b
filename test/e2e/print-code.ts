/** An mfa_process for tests: prints the current code for a seed and notes each run in a file. */
import { appendFileSync } from 'node:fs';
import { totp } from '../../src/local-sts/totp.js';

const [seed, counter, offsetMs = '0'] = process.argv.slice(2);
appendFileSync(counter!, `${process.pid}\n`);
process.stdout.write(`${totp(seed!, Date.now() + Number(offsetMs))}\n`);
