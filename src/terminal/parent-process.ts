import { readFileSync } from 'node:fs';

/** The name of the process that started us: the shell that will evaluate `$(mfa-env)`. */
export function parentProcessName(): string | undefined {
  try {
    return readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim();
  } catch {
    return undefined; // not Linux: the environment decides
  }
}
