import { openSync, closeSync } from 'node:fs';
import tty from 'node:tty';
import { MfaLoginError } from '../errors.js';

/**
 * The user's controlling terminal, opened as /dev/tty rather than stdin/stdout: under
 * `eval "$(mfa-env prod)"` or credential_process, stdout is captured and stderr is hidden, yet the
 * person at the keyboard still has to be asked for a code.
 */
export interface Terminal {
  /** True when there is a controlling terminal to talk to. */
  available(): boolean;
  ask(message: string, options?: AskOptions): Promise<string>;
  /** Like ask, but nothing typed is echoed. */
  askSecret(message: string): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  choose(message: string, choices: string[]): Promise<string>;
  /** A line for the person at the terminal (not for stdout, which may be captured). */
  say(line: string): void;
  /** Text for the terminal as it is, control sequences included (no newline added). */
  write(text: string): void;
}

export interface AskOptions {
  validate?: (value: string) => true | string;
  /**
   * The answer is judged after the prompt ends (STS takes or refuses a code): the answered line
   * gets a neutral mark, not the ✔ that says "accepted" before anyone has.
   */
  judgedLater?: boolean;
}

/** The mark beside a question answered but not yet judged (see AskOptions.judgedLater). */
export const ANSWERED_MARK = '›';
/** Goes up one line and erases it: the line the password prompt's help tip was left on. */
const ERASE_LINE_ABOVE = '\x1b[1A\r\x1b[2K';

export function controllingTerminal(devTty = '/dev/tty'): Terminal {
  let probed: boolean | undefined;
  const available = () => {
    if (probed === undefined) {
      try {
        closeSync(openSync(devTty, 'r+'));
        probed = true;
      } catch {
        probed = false; // ENXIO: no controlling terminal (cron, CI, an IDE, a detached process)
      }
    }
    return probed;
  };

  const withTty = async <T>(run: (ctx: { input: tty.ReadStream; output: tty.WriteStream; signal: AbortSignal }) => Promise<T>): Promise<T> => {
    if (!available()) throw new MfaLoginError('E_MFA_NO_SOURCE', 'no terminal to ask on');
    const input = new tty.ReadStream(openSync(devTty, 'r'));
    const output = new tty.WriteStream(openSync(devTty, 'w'));
    // Ctrl-D (end of input) ends the question as Ctrl-C does. Left to the prompt, it closed the
    // line editor and left the question unanswered forever: the process then ran out of things
    // to do and exited 0, having done nothing.
    const endOfInput = new AbortController();
    input.on('keypress', (_text: string, key: { ctrl?: boolean; name?: string } | undefined) => {
      if (key?.ctrl === true && key.name === 'd') endOfInput.abort();
    });
    try {
      return await run({ input, output, signal: endOfInput.signal });
    } catch (e) {
      if ((e as Error).name === 'ExitPromptError' || (e as Error).name === 'AbortPromptError') {
        throw new MfaLoginError('E_INTERRUPTED', 'interrupted');
      }
      throw e;
    } finally {
      input.setRawMode?.(false);
      input.destroy();
      output.destroy();
    }
  };

  /** One inquirer question on the terminal; inquirer is loaded only when someone is asked. */
  const prompt = <T>(question: Record<string, unknown>): Promise<T> =>
    withTty(async (ctx) => {
      const { default: inquirer } = await import('inquirer');
      const ask = inquirer.createPromptModule(ctx);
      const answers = (await ask([{ ...question, name: 'value' }] as never)) as { value: T };
      return answers.value;
    });

  /** Text straight to the terminal, on a descriptor of its own (a prompt's stream is ended with it). */
  const write = (text: string) => {
    const fd = openSync(devTty, 'w');
    try {
      const out = new tty.WriteStream(fd);
      out.write(text);
      out.destroy();
    } catch {
      closeSync(fd);
    }
  };

  return {
    available,
    ask: (message, options = {}) =>
      prompt<string>({
        type: 'input',
        message,
        ...(options.validate ? { validate: options.validate } : {}),
        ...(options.judgedLater ? { theme: { prefix: { done: ANSWERED_MARK } } } : {}),
      }),
    askSecret: async (message) => {
      try {
        return await prompt<string>({ type: 'password', message, mask: false });
      } catch (e) {
        // Interrupted (Ctrl-C, Ctrl-D), the password prompt leaves its last screen as it was,
        // help tip included: "ctrl+t toggle visibility" under a question nobody can answer any
        // more. The tip is the last line the prompt drew, just above the cursor.
        if (e instanceof MfaLoginError && e.code === 'E_INTERRUPTED') write(ERASE_LINE_ABOVE);
        throw e;
      }
    },
    confirm: (message, defaultValue) => prompt<boolean>({ type: 'confirm', message, default: defaultValue }),
    choose: (message, choices) => prompt<string>({ type: 'select', message, choices: choices.map((c) => ({ name: c, value: c })) }),
    say(line) {
      if (available()) write(`${line}\n`);
    },
    write(text) {
      if (!available()) return;
      const fd = openSync(devTty, 'w');
      try {
        const out = new tty.WriteStream(fd);
        out.write(text);
        out.destroy();
      } catch {
        closeSync(fd);
      }
    },
  };
}
