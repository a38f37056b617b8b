import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleDestination, federationEndpoint, loginUrl, partitionOfArn, signinTokenUrl } from '../../src/output/console-url.js';
import { browserCommand } from '../../src/cli/commands/console.js';

test('each partition signs in at its own hosts', () => {
  const cases = [
    ['arn:aws:iam::111111111111:role/A', 'https://signin.aws.amazon.com/federation', 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1', 'us-east-1'],
    ['arn:aws-us-gov:iam::111111111111:role/A', 'https://signin.amazonaws-us-gov.com/federation', 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1', 'us-gov-west-1'],
    ['arn:aws-cn:iam::111111111111:role/A', 'https://signin.amazonaws.cn/federation', 'https://console.amazonaws.cn/console/home?region=cn-north-1', 'cn-north-1'],
  ] as const;
  for (const [arn, endpoint, destination, region] of cases) {
    const partition = partitionOfArn(arn);
    assert.equal(federationEndpoint(partition), endpoint);
    assert.equal(consoleDestination({ partition, region }), destination);
  }
  assert.equal(federationEndpoint('aws', 'http://127.0.0.1:9/federation'), 'http://127.0.0.1:9/federation');
  assert.equal(consoleDestination({ partition: 'aws' }), 'https://console.aws.amazon.com/console/home');
  assert.equal(consoleDestination({ partition: 'aws', service: 'ec2' }), 'https://console.aws.amazon.com/ec2/home');
});

test('getSigninToken carries the session as JSON, and SessionDuration only when asked', () => {
  const u = new URL(signinTokenUrl('https://signin.aws.amazon.com/federation', { accessKeyId: 'ASIA1', secretAccessKey: 's/+=', sessionToken: 't&=' }, 3600));
  assert.equal(u.searchParams.get('Action'), 'getSigninToken');
  assert.equal(u.searchParams.get('SessionDuration'), '3600');
  assert.deepEqual(JSON.parse(u.searchParams.get('Session')!), { sessionId: 'ASIA1', sessionKey: 's/+=', sessionToken: 't&=' });
  assert.equal(new URL(signinTokenUrl('https://x/federation', { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T' })).searchParams.get('SessionDuration'), null);
  const l = new URL(loginUrl('https://x/federation', 'tok', 'https://console.aws.amazon.com/s3/home?region=eu-west-1&x=1'));
  assert.equal(l.searchParams.get('Action'), 'login');
  assert.equal(l.searchParams.get('SigninToken'), 'tok');
  assert.equal(l.searchParams.get('Destination'), 'https://console.aws.amazon.com/s3/home?region=eu-west-1&x=1');
});

test('a path or service that would leave the console is refused', () => {
  for (const path of ['//evil.example/', 'relative', '/a b', 'https://evil.example/']) {
    assert.throws(() => consoleDestination({ partition: 'aws', path }), /is not a console path/);
  }
  assert.throws(() => consoleDestination({ partition: 'aws', service: 'S3' }), /not a console service name/);
});

test('the browser: BROWSER first, else the desktop opener when there is a display', () => {
  assert.deepEqual(browserCommand({}, 'firefox --new-window:chromium', 'linux'), ['firefox', '--new-window']);
  assert.equal(browserCommand({}, undefined, 'linux'), undefined);
  assert.deepEqual(browserCommand({ DISPLAY: ':0' }, undefined, 'linux'), ['xdg-open']);
  assert.deepEqual(browserCommand({ WAYLAND_DISPLAY: 'wayland-0' }, undefined, 'linux'), ['xdg-open']);
  assert.deepEqual(browserCommand({}, undefined, 'darwin'), ['open']);
});
