import type { Terminal } from './terminal.js';

/** How many times a person is asked for one thing before a wrong answer is an error. */
export const ATTEMPTS = 3;

/**
 * Asks until `check` accepts the answer, at most `attempts` times, saying on the terminal what was
 * wrong before each new try: what the person typed before this question (a key id, a scanned
 * device) is kept, where an error would throw it away. After the last try, `fail(problem)` is
 * thrown.
 */
export async function askUntil(
  terminal: Pick<Terminal, 'say'>,
  ask: () => Promise<string>,
  check: (answer: string) => true | string | Promise<true | string>,
  fail: (problem: string) => Error,
  attempts = ATTEMPTS,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await ask();
    const verdict = await check(answer);
    if (verdict === true) return answer;
    if (attempt >= attempts) throw fail(verdict);
    terminal.say(`${verdict} (try ${attempt + 1} of ${attempts})`);
  }
}
