/**
 * `2026-11-24T14:00:00Z`: the form botocore, the JS SDK and AWS_CREDENTIAL_EXPIRATION readers all
 * accept. Milliseconds are dropped (truncated, so an expiry is never reported later than it is).
 */
export function toRfc3339(d: Date): string {
  const ms = d.getTime();
  // toISOString switches to a six-digit `+YYYYYY` year outside 0000–9999, which is not RFC 3339.
  if (!Number.isFinite(ms) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999) {
    throw new RangeError(`not a date RFC 3339 can express: ${String(d)}`);
  }
  // Built by hand: a first toISOString() costs a fresh process 0.2 ms, and this runs on every AWS call.
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  return `${year}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`;
}
