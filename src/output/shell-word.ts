/**
 * A word a POSIX shell reads back as `s`: as it is when it holds nothing a shell treats specially,
 * else in single quotes. botocore splits credential_process with shlex and the JS SDK hands it to
 * a shell, and a user pastes a printed command into theirs: one quoting serves all three.
 */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
