import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { loopbackPeerUid, otherUserOf, procAddress, socketOwner } from '../../src/net/loopback-peer.js';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3539386 1 0 100 0 0 10 0
   1: 0100007F:D431 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1002        0 3539390 1 0 20 4 30 10 -1
   2: 0100007F:9C40 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3539391 1 0 20 4 30 10 -1
   3: 0500000A:D432 0800000A:9C40 01 00000000:00000000 00:00000000 00000000  1003        0 3539392 1 0 20 4 30 10 -1
`;

const LO = '0100007F'; // 127.0.0.1 as a little-endian machine prints it
const at = (address: string, port: number) => ({ address, port });

test('the owner of the client end of a loopback connection is read from the socket table, by address and port', () => {
  assert.equal(procAddress('127.0.0.1', true), LO);
  assert.equal(procAddress('127.0.0.1', false), '7F000001');
  assert.equal(procAddress('::ffff:127.0.0.2', true), '0200007F');
  assert.equal(socketOwner(TABLE, at(LO, 0xd431), at(LO, 0x9c40)), 1002);
  // The server's own end (the other way round) is not the peer.
  assert.equal(socketOwner(TABLE, at(LO, 0x9c40), at(LO, 0xd431)), 0);
  // Same ports, other addresses: not this connection.
  assert.equal(socketOwner(TABLE, at(LO, 0xd432), at(LO, 0x9c40)), undefined);
  assert.equal(socketOwner(TABLE, at('0200007F', 0xd431), at(LO, 0x9c40)), undefined, '127.0.0.2 with the same port is another socket');
  assert.equal(socketOwner(TABLE, at(LO, 0xd433), at(LO, 0x9c40)), undefined);
  assert.equal(socketOwner('', at(LO, 1), at(LO, 2)), undefined);
  assert.equal(socketOwner('header\n garbage line\n\n', at(LO, 1), at(LO, 2)), undefined);
  const v6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 00000000  1004        0 1 1 0 20 4 30 10 -1
`;
  assert.equal(socketOwner(v6, at(LO, 0xd431), at(LO, 0x9c40)), 1004);
});

/**
 * The uid a server on 127.0.0.1 sees for a connection made by `connect` (a child process), and
 * what otherUserOf says of it.
 */
async function peerOfChild(argv: string[]): Promise<{ uid: ReturnType<typeof loopbackPeerUid>; other: number | undefined; toThirdUser: number | undefined }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  // The child connects and waits until we close the connection: its socket is in the table meanwhile.
  const child = spawn(argv[0]!, [...argv.slice(1), process.execPath, '-e', `require('net').connect(${port}, '127.0.0.1').on('close', () => process.exit(0)).on('error', () => process.exit(1))`], { stdio: 'ignore', cwd: '/' });
  try {
    const [socket] = (await once(server, 'connection')) as [Socket];
    const uid = loopbackPeerUid({ address: socket.remoteAddress!, port: socket.remotePort! }, { address: socket.localAddress!, port: socket.localPort! });
    // As seen by this user, and as by a server of a third user (1234), to whom root is no stranger either.
    const result = { uid, other: otherUserOf(socket), toThirdUser: otherUserOf(socket, 1234) };
    socket.destroy();
    return result;
  } finally {
    child.kill('SIGKILL');
    server.close();
  }
}

test('a connection of this user is traced to this user', { skip: process.platform !== 'linux' && 'Linux only: /proc/net/tcp' }, async () => {
  const me = process.getuid!();
  assert.deepEqual(await peerOfChild(['env']), { uid: me, other: undefined, toThirdUser: me === 0 ? undefined : me });
});

test('a connection made by another user is traced to that user', { skip: (process.platform !== 'linux' || process.getuid?.() !== 0) && 'needs root on Linux to run a process as another user' }, async () => {
  assert.deepEqual(await peerOfChild(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']), { uid: 65534, other: 65534, toThirdUser: 65534 });
});
