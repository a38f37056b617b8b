/**
 * The commands an error's hint names, and running them as printed: every hint that names a
 * command must name one that works (the house rule), which is checked by running it in the
 * sandbox the error came from, substituting nothing.
 */
import { MFA_ENV, MFA_LOGIN, runCommand, type RunResult, type Sandbox } from './harness.js';

/**
 * `mfa-login add alice --import` in `hint: move them with: mfa-login add alice --import   or ...`:
 * the command runs to the end of the line, a double space, or punctuation that ends a sentence.
 */
export function commandsIn(hint: string): string[] {
  // Not a path (`/usr/lib/node_modules/mfa-login/bin/mfa-login.js`, `~/.config/mfa-login`).
  return [...hint.matchAll(/(?<![\w/.-])(mfa-login|mfa-env)(?![\w/.-])((?: [^\s,;()?"'`]+)*)/g)].map((m) => (m[1]! + m[2]!).replace(/[.:]$/, ''));
}

/** `mfa-login exec PROFILE -- COMMAND [ARGS...]`: a template for the reader to fill in, not a command line. */
export function isTemplate(command: string): boolean {
  return command.split(' ').some((w) => /^\[?[A-Z][A-Z_]*(\.\.\.)?\]?$/.test(w));
}

/**
 * What a command that does not work as printed says: the parser's refusals, an unknown name, and a
 * profile with no keys to work with (a hint that sends a user there sends them nowhere).
 */
export const NOT_AS_PRINTED = /no keys stored|unknown command|unknown option|is neither a command nor a profile|profile \S+ not found|needs a profile name|one word too many|needs a value|is not (a|an) [\w ]+;|was given too many arguments|needs more arguments/;

/**
 * Runs a hint's command in the sandbox, word for word, with nothing on stdin and no terminal,
 * killed (with anything it started) after `limitMs`: a command that waits (serve, a prompt) has
 * not failed.
 */
export async function runAsPrinted(sb: Sandbox, command: string, env: Record<string, string | undefined> = {}, limitMs = 30_000): Promise<RunResult & { killed: boolean }> {
  const [tool, ...args] = command.split(' ');
  const { status, stdout, stderr, killed } = await runCommand(process.execPath, [tool === 'mfa-env' ? MFA_ENV : MFA_LOGIN, ...args], sb.env(env), { limitMs });
  return { status, stdout, stderr, killed };
}

/** Why `r` shows the command did not work as printed, or undefined when it did. */
export function notAsPrinted(r: RunResult): string | undefined {
  if (r.status === 2 && /^mfa-(login|env): /.test(r.stderr)) return `exit status 2 (usage): ${r.stderr.trim()}`;
  const first = r.stderr.split('\n')[0] ?? '';
  return NOT_AS_PRINTED.test(first) ? first : undefined;
}
