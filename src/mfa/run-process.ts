import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { MfaLoginError } from '../errors.js';
import { commandName, type ProcessRunner } from './code-source.js';
import { childEnvironment } from '../child-env.js';

/**
 * Runs mfa_process through the shell, as aws-vault does, so `ykman oath accounts code --single aws`
 * or `op item get aws --otp` work as written. Its stderr goes to the terminal when there is one
 * ("touch your YubiKey" must be seen, and under credential_process or `$(...)` our own stderr is
 * captured or hidden), else to ours; a command that hangs is killed with its process group after
 * the timeout.
 */
export const runProcess: ProcessRunner = (command, timeoutMs, env = process.env) =>
  new Promise((resolve, reject) => {
    const tty = openTerminal();
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', tty ?? 'inherit'], detached: true, env: childEnvironment(env) });
    } finally {
      // The child holds its own copy now.
      if (tty !== undefined) closeSync(tty);
    }
    // Only the command's name is ever shown: its arguments may be a TOTP seed (oathtool -b SEED).
    const name = commandName(command);
    let out = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (out.length < 65536) out += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} gave no code within ${Math.round(timeoutMs / 1000)}s`, { hint: 'run the command by hand; set MFA_LOGIN_MFA_PROCESS_TIMEOUT (seconds) if it needs longer' }));
      } else if (code !== 0) {
        reject(new MfaLoginError('E_MFA_PROCESS', `mfa_process ${name} failed (${signal ? `signal ${signal}` : `exit status ${code}`})`, { hint: 'run the command by hand to see why' }));
      } else {
        resolve(out);
      }
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
