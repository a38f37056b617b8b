/**
 * The AWS console sign-in through the federation endpoint, as pure functions: which hosts a
 * partition uses, the getSigninToken request, and the login URL a browser opens.
 * (IAM User Guide, "Enable custom identity broker access to the AWS console".)
 */
import type { Credentials } from '../credentials.js';
import { MfaLoginError } from '../errors.js';

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

/** A sign-in token is good for 15 minutes after it is issued. */
export const SIGNIN_TOKEN_MINUTES = 15;

const HOSTS: Record<Partition, { signin: string; console: string }> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
};

export function partitionOfArn(arn: string): Partition {
  const p = /^arn:(aws|aws-us-gov|aws-cn):/.exec(arn)?.[1];
  return (p ?? 'aws') as Partition;
}

export function federationEndpoint(partition: Partition, override?: string): string {
  return override ?? `https://${HOSTS[partition].signin}/federation`;
}

export interface Destination {
  partition: Partition;
  region?: string;
  /** --service s3: the service's home page. */
  service?: string;
  /** --path /s3/buckets: any page of the console. */
  path?: string;
}

/** The console page to land on, in the region when one is known. */
export function consoleDestination(d: Destination): string {
  if (d.service !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(d.service)) {
    throw new MfaLoginError('E_USAGE', `--service ${JSON.stringify(d.service)} is not a console service name`, { hint: 'use the name in the console\'s URL, e.g. --service s3, --service ec2, --service cloudwatch' });
  }
  // A path that starts with // or holds a scheme would leave the console host.
  if (d.path !== undefined && (!/^\/(?!\/)[\x21-\x7e]*$/.test(d.path) || d.path.length > 1024)) {
    throw new MfaLoginError('E_USAGE', `--path ${JSON.stringify(d.path)} is not a console path`, { hint: 'give a path that starts with one /, e.g. --path /s3/buckets or --path /ec2/home' });
  }
  const host = HOSTS[d.partition].console;
  const base = d.region !== undefined && d.partition === 'aws' ? `https://${d.region}.${host}` : `https://${host}`;
  const page = d.path ?? (d.service !== undefined ? `/${d.service}/home` : '/console/home');
  if (d.region === undefined || d.path?.includes('region=')) return `${base}${page}`;
  return `${base}${page}${page.includes('?') ? '&' : '?'}region=${encodeURIComponent(d.region)}`;
}

/**
 * The getSigninToken request. It carries the session's secret (AWS's design): it goes over
 * HTTPS to the endpoint and never into a log or an argument list.
 */
export function signinTokenUrl(endpoint: string, creds: Credentials, sessionDurationSeconds?: number): string {
  const session = JSON.stringify({ sessionId: creds.accessKeyId, sessionKey: creds.secretAccessKey, sessionToken: creds.sessionToken ?? '' });
  const q = new URLSearchParams({ Action: 'getSigninToken' });
  if (sessionDurationSeconds !== undefined) q.set('SessionDuration', String(sessionDurationSeconds));
  q.set('Session', session);
  return `${endpoint}?${q.toString()}`;
}

/** What the browser opens: good for SIGNIN_TOKEN_MINUTES after the token was issued. */
export function loginUrl(endpoint: string, signinToken: string, destination: string): string {
  const q = new URLSearchParams({ Action: 'login', Issuer: 'mfa-login', Destination: destination, SigninToken: signinToken });
  return `${endpoint}?${q.toString()}`;
}
