/** The notification's command, a pure function of the text, the environment and the platform. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notificationArgv } from '../../src/terminal/notify.js';

const n = { title: 'mfa-login: prod needs a code in 10 min', body: '-a body "quoted" & \' end of script\' -e do shell script "rm -rf ~"' };
const all = () => true;

/** n.body as markup: what the notification daemon shows as n.body. */
const bodyMarkup = '-a body "quoted" &amp; \' end of script\' -e do shell script "rm -rf ~"';

test('Linux: notify-send with the texts as arguments after --, where a session bus or a display is', () => {
  for (const env of [{ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }, { DISPLAY: ':0' }, { WAYLAND_DISPLAY: 'wayland-0' }]) {
    assert.deepEqual(notificationArgv(n, env, 'linux', all), ['notify-send', ['--app-name=mfa-login', '--', n.title, bodyMarkup]]);
  }
});

test('Linux: the body, which the notification daemon reads as markup, has & < > escaped; the title (plain text) is as it is', () => {
  const odd = { title: 'mfa-login: a<b>&c needs a code', body: "Renew it now: mfa-login session 'a<b>&c' <a href=\"x\">here</a>" };
  const argv = notificationArgv(odd, { DISPLAY: ':0' }, 'linux', all)!;
  assert.deepEqual(argv[1].slice(-2), [odd.title, "Renew it now: mfa-login session 'a&lt;b&gt;&amp;c' &lt;a href=\"x\"&gt;here&lt;/a&gt;"]);
});

test('Linux: nothing without a desktop, or without notify-send', () => {
  assert.equal(notificationArgv(n, {}, 'linux', all), undefined);
  assert.equal(notificationArgv(n, { DISPLAY: ':0' }, 'linux', () => false), undefined);
  assert.equal(notificationArgv(n, { DISPLAY: ':0' }, 'win32', all), undefined);
});

test('macOS: osascript, the texts as the run handler\'s arguments, never in the script', () => {
  const argv = notificationArgv(n, {}, 'darwin', all)!;
  assert.equal(argv[0], 'osascript');
  assert.deepEqual(argv[1].slice(-2), [n.title, n.body]);
  const script = argv[1].slice(0, -2);
  assert.deepEqual(script, ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run']);
  assert.equal(notificationArgv(n, {}, 'darwin', () => false), undefined);
});
