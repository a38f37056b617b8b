/**
 * Server-side AWS Signature Version 4: rebuild the canonical request the client must have
 * signed and recompute its signature. Pure functions; the server decides what a mismatch means.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AuthorizationHeader {
  accessKeyId: string;
  /** `YYYYMMDD` from the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** What the signature covers, as received on the wire. */
export interface SignedRequest {
  method: string;
  /** The request target's path, still percent-encoded as sent. */
  path: string;
  /** The raw query string without `?`. */
  query: string;
  /** `rawHeaders` pairs as Node received them, so repeated headers keep every value. */
  rawHeaders: string[];
  body: Buffer;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): AuthorizationHeader | { error: string } {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    return { error: `Unsupported AWS 'algorithm': '${algorithm}'` };
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    return {
      error: missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ') + ` Authorization=${header}`,
    };
  }
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return { error: `Credential should be scoped to a valid region, not '${scope[2] ?? ''}'. ` };
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: fields.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
    signature: fields.get('Signature')!.toLowerCase(),
  };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding with AWS's unreserved set: everything but `A-Za-z0-9-_.~` is escaped. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Every service but S3 signs the path normalised (empty, `.` and `..` segments resolved)
 * and then percent-encoded again on top of the encoding it travelled with.
 */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return '/' + segments.map(uriEscape).join('/') + trailing;
}

export function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEscape(formDecode(key)), uriEscape(formDecode(value))]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Signed headers' values: trimmed, inner runs of spaces collapsed, repeats joined with commas. */
export function canonicalHeaders(rawHeaders: string[], signedHeaders: string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name) ?? [];
    list.push(rawHeaders[i + 1]!.trim().replace(/\s+/g, ' '));
    values.set(name, list);
  }
  return signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  return [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query),
    canonicalHeaders(request.rawHeaders, signedHeaders),
    signedHeaders.join(';'),
    // Computed from the body itself: an x-amz-content-sha256 header that lies fails the comparison.
    sha256Hex(request.body),
  ].join('\n');
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

export function expectedSignature(
  request: SignedRequest,
  auth: AuthorizationHeader,
  amzDate: string,
  secretAccessKey: string,
): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest(request, auth.signedHeaders))].join('\n');
  return createHmac('sha256', signingKey(secretAccessKey, auth.date, auth.region, auth.service))
    .update(stringToSign)
    .digest('hex');
}

export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `20260101T120000Z` (the X-Amz-Date form) or an HTTP date, to epoch milliseconds. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
