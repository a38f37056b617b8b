import { closeSync, openSync } from 'node:fs';
import { MfaLoginError } from '../errors.js';
import { commandName, type ProcessRunner } from './code-source.js';
import { startChild } from '../child-process.js';

/**
 * Runs mfa_process through the shell, as aws-vault does, so `ykman oath accounts code --single aws`
 * or `op item get aws --otp` work as written. Its stderr goes to the terminal when there is one
 * ("touch your YubiKey" must be seen, and under credential_process or `$(...)` our own stderr is
 * captured or hidden), else to ours.
 *
 * The answer is the first line it prints, taken once the command has exited, not when its stdout
 * closes: a command that leaves a child behind holding stdout (`... &`) must not keep us, and the
 * callers waiting on our lease, until that child ends. The command runs in a process group of its
 * own, which is killed once we have the answer (whatever the command left there is of no use now),
 * at the timeout, or when we exit, whichever comes first. A command that printed its line and is
 * still running at the timeout is killed and its line taken.
 */
export const runProcess: ProcessRunner = (command, timeoutMs, env = process.env) =>
  new Promise((resolve, reject) => {
    const tty = openTerminal();
    let child: ReturnType<typeof startChild>;
    try {
      child = startChild('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', tty ?? 'inherit'], detached: true, env });
    } finally {
      // The child holds its own copy now.
      if (tty !== undefined) closeSync(tty);
    }
    // Only the command's name is ever shown: its arguments may be a TOTP seed (oathtool -b SEED).
    const name = commandName(command);
    let out = '';
    let scanned = 0;
    let line: string | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      if (line !== undefined) settle(() => resolve(line!));
      else settle(() => reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} gave no code within ${Math.round(timeoutMs / 1000)}s`, { hint: 'run the command by hand; set MFA_LOGIN_MFA_PROCESS_TIMEOUT (seconds) if it needs longer' })));
    }, timeoutMs);
    process.once('exit', killGroup);
    const cleanUp = () => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      killGroup();
    };
    const settle = (answer: () => void) => {
      if (settled) return;
      settled = true;
      // Our end of the pipe: a child left holding the other end must not keep this process alive.
      child.stdout!.destroy();
      cleanUp();
      answer();
    };
    const decide = () => {
      // Its exit status counts: a command that printed something and then failed gave no code.
      if (exit === undefined) return;
      if (exit.code !== 0) {
        settle(() => reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} failed (${exit!.signal ? `signal ${exit!.signal}` : `exit status ${exit!.code}`})`, { hint: 'run the command by hand to see why' })));
      } else if (line !== undefined) {
        settle(() => resolve(line!));
      }
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (line !== undefined || out.length >= 65536) return;
      out += d;
      // The first line with something on it; blank lines before it are skipped.
      for (let nl = out.indexOf('\n', scanned); nl >= 0; nl = out.indexOf('\n', scanned)) {
        const text = out.slice(scanned, nl).trim();
        scanned = nl + 1;
        if (text !== '') {
          line = text;
          decide();
          return;
        }
      }
    });
    child.stdout!.on('end', () => {
      // Everything it printed, with no line break at the end (or nothing at all).
      line ??= out;
      decide();
    });
    child.on('error', (e) => {
      cleanUp();
      settle(() => reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} could not start: ${e.message}`)));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      decide();
    });
  });

/** The controlling terminal for writing, or undefined (ENXIO: none; cron, CI, an IDE). */
function openTerminal(): number | undefined {
  try {
    return openSync('/dev/tty', 'w');
  } catch {
    return undefined;
  }
}
