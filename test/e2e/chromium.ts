/**
 * Headless Chromium (Debian `chromium`) reading a page the way a person's browser would: it
 * follows redirects and prints the DOM it lands on. Each run has a fresh profile directory,
 * removed afterwards, a time bound, and its whole process group killed at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function dumpDom(url: string, timeoutMs = 60_000): Promise<{ status: number | null; dom: string; stderr: string }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mfa-login-chromium-'));
  const child = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let dom = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (dom += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
  try {
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    return { status, dom, stderr };
  } finally {
    clearTimeout(timer);
    killGroup(child.pid);
    rmSync(profile, { recursive: true, force: true });
  }
}

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
