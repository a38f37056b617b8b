import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clock } from '../../src/doctor/clock.js';
import { memoryDeps } from '../memory-deps.js';

/** Half a second past: the header's whole second stands for its middle, so a header of 12:00:00 is no skew. */
const NOW = new Date('2025-06-01T12:00:00.500Z');
/** The Date header the stand-in STS sends next; undefined: none at all. */
let date: string | undefined;
let server: Server;
let url: string;
before(async () => {
  server = createServer((req, res) => {
    res.sendDate = false;
    if (date !== undefined) res.setHeader('Date', date);
    res.writeHead(403).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function check(env: Record<string, string>) {
  return clock.run(memoryDeps({ env, now: NOW }).deps, { storeName: 'the key store', clockTimeoutMs: 5000 });
}
/** A Date header `ms` (whole seconds) off our clock. */
const at = (ms: number) => new Date(Date.parse('2025-06-01T12:00:00Z') + ms).toUTCString();

test('a clock within the header\'s second of STS: within 1 s', async () => {
  date = at(0);
  assert.deepEqual(await check({ AWS_ENDPOINT_URL_STS: url }), [{ level: 'ok', area: 'clock', text: `clock: within 1 s of STS at ${url}` }]);
});

test('off by less than the limit: said how much, not a failure', async () => {
  date = at(-20_000);
  assert.deepEqual(await check({ AWS_ENDPOINT_URL_STS: url }), [{ level: 'ok', area: 'clock', text: `clock: within 20 s of STS at ${url}` }]);
});

test('beyond the limit: behind or ahead, with the command that turns on NTP', async () => {
  date = at(10 * 60_000);
  const [behind] = await check({ AWS_ENDPOINT_URL_STS: url });
  assert.equal(behind!.level, 'FAIL');
  assert.match(behind!.text, new RegExp(`^clock: this machine is 10 min 0 s behind STS at ${url} \\(more than \\d+ s\\); AWS refuses requests beyond 5 min`));
  assert.equal(behind!.fix, 'enable time synchronisation (NTP): sudo timedatectl set-ntp true');
  date = at(-3600_000);
  assert.match((await check({ AWS_ENDPOINT_URL_STS: url }))[0]!.text, /^clock: this machine is 60 min 0 s ahead of STS/);
});

test('the endpoint of the default profile is the one asked', async () => {
  date = at(0);
  const m = memoryDeps({ env: { AWS_PROFILE: 'work' }, now: NOW, files: { '/home/alice/.aws/config': `[profile work]\nendpoint_url = ${url}\n` } });
  assert.deepEqual(await clock.run(m.deps, { storeName: 'the key store', clockTimeoutMs: 5000 }), [{ level: 'ok', area: 'clock', text: `clock: within 1 s of STS at ${url}` }]);
});

test('no Date header, or nobody there: not checked, and why', async () => {
  date = undefined;
  assert.deepEqual(await check({ AWS_ENDPOINT_URL_STS: url }), [{ level: 'warn', area: 'clock', text: `clock: not checked, ${url} sent no usable Date header` }]);
  date = 'yesterday';
  assert.deepEqual(await check({ AWS_ENDPOINT_URL_STS: url }), [{ level: 'warn', area: 'clock', text: `clock: not checked, ${url} sent no usable Date header` }]);
  const [gone] = await check({ AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' });
  assert.equal(gone!.level, 'warn');
  assert.match(gone!.text, /^clock: not checked, STS at http:\/\/127\.0\.0\.1:1 cannot be reached \(.*ECONNREFUSED.*\)$/);
  assert.equal(gone!.fix, 'check the network or proxy; AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL choose another endpoint');
});
