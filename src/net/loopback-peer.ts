import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { endianness } from 'node:os';

/**
 * The user id at the other end of a loopback connection when it is another user's: not ours, and
 * not root's (root may read anything of ours anyway, and WSL's relay for Windows programs runs as
 * root). Undefined when it is ours, or when the system does not say (see loopbackPeerUid).
 */
export function otherUserOf(socket: Socket, me: number | undefined = process.getuid?.()): number | undefined {
  if (me === undefined) return undefined;
  const peer = loopbackPeerUid({ address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, { address: socket.localAddress ?? '', port: socket.localPort ?? 0 });
  return typeof peer === 'number' && peer !== me && peer !== 0 ? peer : undefined;
}

/**
 * Which user opened a loopback TCP connection to us. Any local user can connect to a loopback
 * port, and a browser's command line (with the address it was given) is visible to every user in
 * `ps`: whoever asks first would get what is served there. Linux says who owns each socket in
 * /proc/net/tcp and tcp6. 'unknown' where there is no such table; 'not found' when the client's
 * end is not a socket of this system (a Windows browser reaching WSL through its relay).
 */
export function loopbackPeerUid(client: { address: string; port: number }, server: { address: string; port: number }): number | 'unknown' | 'not found' {
  let tables: string[];
  try {
    tables = [readFileSync('/proc/net/tcp', 'utf8')];
  } catch {
    return 'unknown';
  }
  try {
    tables.push(readFileSync('/proc/net/tcp6', 'utf8'));
  } catch {
    // IPv6 turned off: the IPv4 table is all there is
  }
  const little = endianness() === 'LE';
  for (const table of tables) {
    const uid = socketOwner(table, { address: procAddress(client.address, little), port: client.port }, { address: procAddress(server.address, little), port: server.port });
    if (uid !== undefined) return uid;
  }
  return 'not found';
}

/**
 * An IPv4 address as /proc/net/tcp prints it (the 32-bit value in the machine's byte order, in
 * hex), or as tcp6 prints an IPv4-mapped one; anything else as given, which then matches nothing.
 */
export function procAddress(address: string, little: boolean): string {
  const parts = address.replace(/^::ffff:/i, '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return address;
  const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  return hex(little ? [...parts].reverse() : parts);
}

/**
 * The uid column of the line of a /proc/net/tcp(6) `table` for the client end of a connection: its
 * local address and port are the client's, its remote ones the server's. A tcp6 line of an
 * IPv4-mapped address ends in the IPv4 form.
 */
export function socketOwner(table: string, client: { address: string; port: number }, server: { address: string; port: number }): number | undefined {
  const same = (field: string, want: { address: string; port: number }) => {
    const [address, port] = field.split(':');
    return address !== undefined && port !== undefined && parseInt(port, 16) === want.port && (address === want.address || (address.length === 32 && address.endsWith(want.address) && /^0{16}(FFFF0000|0000FFFF)/.test(address)));
  };
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !same(f[1]!, client) || !same(f[2]!, server)) continue;
    const uid = Number(f[7]);
    if (Number.isInteger(uid) && uid >= 0) return uid;
  }
  return undefined;
}
