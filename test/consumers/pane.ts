/** bash in a tmux pane: a real terminal for tests of what a person sees and types. */
import assert from 'node:assert/strict';
import { runCommand, type Sandbox } from '../e2e/harness.js';
import { sq } from './kit.js';

export const TMUX = '/usr/bin/tmux';
const WAIT_MS = 15_000;

/** bash in a 120x30 tmux pane, started in the sandbox HOME with the sandbox's environment. */
export class Pane {
  private readonly socket: string;
  constructor(private readonly sb: Sandbox) {
    this.socket = sb.file('tmux.sock');
  }

  async open(bin: string): Promise<void> {
    const sb = this.sb;
    // The server takes its global environment from the client that starts it: this one.
    const env = sb.env({ PATH: `${bin}:${process.env.PATH}`, TERM: 'xterm-256color', HISTFILE: '/dev/null' });
    // Interactive bash sets its own PS1 over the environment's: an rc file of our own sets it.
    sb.write('bashrc', "PS1='ready$ '\n");
    const shell = `bash --noprofile --rcfile ${sq(sb.file('bashrc'))}`;
    const r = await runCommand(TMUX, ['-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '120', '-y', '30', '-c', sb.home, shell], env, { cwd: sb.home });
    assert.equal(r.status, 0, `tmux new-session: ${r.stderr}`);
    await this.waitFor(/^ready\$/m, 'the shell prompt');
  }

  private async tmux(...args: string[]): Promise<string> {
    const r = await runCommand(TMUX, ['-S', this.socket, ...args], this.sb.env(), { cwd: this.sb.home });
    assert.equal(r.status, 0, `tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  /** Types text as keystrokes (literally), then Enter. */
  async type(text: string): Promise<void> {
    await this.keys(text);
    await this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  /** Presses a named key (C-c, Enter, ...). */
  async press(key: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', key);
  }

  /**
   * Clears the screen and its history, and waits until the last command line's `rc=` is gone:
   * the next `status()` or `waitFor(..., { whileRunning })` must not read the one before.
   */
  async clear(): Promise<void> {
    await this.type('clear');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      // What clear pushed into the history goes too.
      await this.tmux('clear-history', '-t', 'main');
      const s = await this.screen();
      if (!/^rc=\d+$/m.test(s)) return;
      if (Date.now() > deadline) assert.fail(`waited ${WAIT_MS / 1000} s for the screen to clear; it shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Types text as keystrokes, without Enter. */
  async keys(text: string): Promise<void> {
    if (text !== '') await this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** Everything the pane shows and has scrolled off, wrapped lines joined. */
  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'main', '-S', '-1000');
  }

  /**
   * Polls the screen until `check` holds; fails with the screen after WAIT_MS, or at once when the
   * command line (one ending in `echo "rc=$?"`) has finished without showing it.
   */
  async waitFor(what: RegExp | ((screen: string) => boolean), description: string, options: { whileRunning?: boolean } = {}): Promise<string> {
    const check = typeof what === 'function' ? what : (s: string) => what.test(s);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const s = await this.screen();
      if (check(s)) return s;
      if (options.whileRunning && /^rc=\d+$/m.test(s)) assert.fail(`the command ended before ${description}; the screen shows:\n${s}`);
      if (Date.now() > deadline) assert.fail(`waited ${WAIT_MS / 1000} s for ${description}; the screen shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The exit status a command line ending in `; echo "rc=$?"` printed (the typed line has `$?`). */
  async status(): Promise<number> {
    const s = await this.waitFor(/^rc=\d+$/m, 'the command to finish');
    return Number(/^rc=(\d+)$/m.exec(s)![1]);
  }

  /** Ends the tmux server of this socket (and the shell in it); harmless when none runs. */
  async close(): Promise<void> {
    await runCommand(TMUX, ['-S', this.socket, 'kill-server'], this.sb.env(), { cwd: this.sb.home });
  }
}

