/**
 * A code asked for through the desktop, for when there is no terminal (an IDE's AWS toolkit, a
 * desktop launcher, `serve` in the background): zenity or kdialog on Linux (X11 or Wayland),
 * osascript on macOS. The dialog names the profile and the MFA device; the answer is checked by the
 * caller. Cancel is an answer of its own; a dialog nobody answers is closed after `timeoutMs`.
 */
import { MfaLoginError } from '../errors.js';
import { onPath, startChild } from '../child-process.js';
import type { Env } from '../settings.js';
import { pangoText } from '../output/pango.js';

export const DESKTOP_PROMPTS = ['zenity', 'kdialog', 'osascript'] as const;
export type DesktopKind = (typeof DESKTOP_PROMPTS)[number];

export interface DialogText {
  /** The window title: names the profile, so a window list shows what is asking. */
  title: string;
  /** The question: the profile, the MFA device, and why it is asked again when it is. */
  text: string;
}

export type DialogAnswer = { kind: 'answer'; text: string } | { kind: 'cancel' };

export interface DesktopPrompt {
  readonly kind: DesktopKind;
  ask(dialog: DialogText, timeoutMs: number): Promise<DialogAnswer>;
}


/** The desktop prompt this session can show, if any: a display to show it on and the program. */
export function findDesktopPrompt(env: Env, os: NodeJS.Platform = process.platform): DesktopKind | undefined {
  if (os === 'darwin') return onPath('osascript', env) ? 'osascript' : undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return onPath('zenity', env) ? 'zenity' : onPath('kdialog', env) ? 'kdialog' : undefined;
}


/** The argv of each dialog. Texts travel as arguments, never through a shell or a script's source. */
export function dialogArgv(kind: DesktopKind, d: DialogText): [string, string[]] {
  switch (kind) {
    case 'zenity':
      return ['zenity', ['--entry', '--title', d.title, '--text', pangoText(d.text)]];
    case 'kdialog':
      return ['kdialog', ['--title', d.title, '--inputbox', d.text, '']];
    case 'osascript':
      return [
        'osascript',
        ['-e', 'on run argv', '-e', 'text returned of (display dialog (item 1 of argv) default answer "" with title (item 2 of argv) buttons {"Cancel", "OK"} default button "OK" cancel button "Cancel")', '-e', 'end run', d.text, d.title],
      ];
  }
}

export function desktopPrompt(kind: DesktopKind, env: Env): DesktopPrompt {
  return {
    kind,
    ask: (dialog, timeoutMs) =>
      new Promise((resolve, reject) => {
        const [cmd, args] = dialogArgv(kind, dialog);
        const child = startChild(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
        let out = '';
        let timedOut = false;
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          if (out.length < 4096) out += d;
        });
        // Left open, the dialog would outlive us (and a later answer would go nowhere).
        const closeDialog = () => void child.kill('SIGKILL');
        process.once('exit', closeDialog);
        const timer = setTimeout(() => {
          timedOut = true;
          closeDialog();
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          process.off('exit', closeDialog);
        };
        child.on('error', (e: NodeJS.ErrnoException) => {
          finish();
          reject(new MfaLoginError('E_MFA_NO_SOURCE', e.code === 'ENOENT' ? `${cmd} is not installed, so there is no dialog to ask for the MFA code` : `${cmd} could not start: ${e.message}`, { hint: 'unset MFA_LOGIN_PROMPT, pass --mfa-token, or set mfa_process in the profile' }));
        });
        child.on('close', (code) => {
          finish();
          if (timedOut) {
            reject(new MfaLoginError('E_MFA_CODE', `no MFA code was entered in the ${cmd} dialog within ${Math.round(timeoutMs / 1000)}s`, { hint: 'run the command again and answer the dialog; MFA_LOGIN_LOCK_TIMEOUT (seconds) sets how long it waits' }));
          } else if (code === 0) {
            resolve({ kind: 'answer', text: out.trim() });
          } else if (code === 1) {
            // zenity, kdialog and osascript all exit 1 for Cancel (and for closing the window).
            resolve({ kind: 'cancel' });
          } else {
            reject(new MfaLoginError('E_MFA_NO_SOURCE', `the ${cmd} dialog failed (exit status ${code}); is the display (${env.DISPLAY ?? env.WAYLAND_DISPLAY ?? 'none'}) reachable?`, { hint: 'pass --mfa-token, or set mfa_process in the profile' }));
          }
        });
      }),
  };
}
