/**
 * A desktop notification, for a warning that must reach someone who is not looking at the
 * terminal `serve` runs in: `notify-send` on a Linux desktop (it talks to the notification daemon
 * over the session bus), `osascript` on macOS. Texts travel as arguments, never through a shell or
 * a script's source.
 */
import { runChild } from '../child-process.js';
import { onPath } from '../child-process.js';
import type { Env } from '../settings.js';
import { pangoText } from '../output/pango.js';

export interface Notification {
  /** One line: what happens. */
  title: string;
  /** What to do about it. */
  body: string;
}

/** notify-send and osascript answer at once; one that hangs (a bus nobody serves) is not waited for. */
const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * The command that shows `n`, or undefined where there is no desktop to show it on: on Linux a
 * session bus or a display, and notify-send on PATH; on macOS osascript.
 */
export function notificationArgv(n: Notification, env: Env, os: NodeJS.Platform, has: (command: string) => boolean = (c) => onPath(c, env) !== undefined): [string, string[]] | undefined {
  if (os === 'darwin') {
    // The texts are the run handler's arguments: nothing they hold is read as AppleScript.
    return has('osascript') ? ['osascript', ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run', n.title, n.body]] : undefined;
  }
  if (os === 'win32' || (!env.DBUS_SESSION_BUS_ADDRESS && !env.DISPLAY && !env.WAYLAND_DISPLAY) || !has('notify-send')) return undefined;
  // `--` so that a text beginning with a dash is not taken for an option. The body is markup to
  // the notification daemon (the title is not).
  return ['notify-send', ['--app-name=mfa-login', '--', n.title, pangoText(n.body)]];
}

/** Shows `n` on the desktop; resolves with why it could not, or undefined when it was shown (or there is no desktop: `shown` false). */
export async function notify(n: Notification, env: Env, os: NodeJS.Platform = process.platform): Promise<{ shown: boolean; error?: string }> {
  const argv = notificationArgv(n, env, os);
  if (argv === undefined) return { shown: false };
  const r = await runChild(argv[0], argv[1], { env, timeoutMs: NOTIFY_TIMEOUT_MS });
  if (r.status === 0) return { shown: true };
  return { shown: false, error: (r.stderr.trim().split('\n').pop() || r.error || `exit status ${r.status}`).slice(0, 200) };
}
