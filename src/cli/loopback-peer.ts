import { readFileSync } from 'node:fs';

/**
 * Which user opened a loopback TCP connection to us. Any local user can connect to a loopback
 * port, and a browser's command line (with the address it was given) is visible to every user in
 * `ps`: whoever asks first would get what is served there. Linux says who owns each socket in
 * /proc/net/tcp and tcp6; elsewhere there is no such table and the answer is 'unknown'.
 */
export function loopbackPeerUid(clientPort: number, serverPort: number): number | 'unknown' | 'not found' {
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
  for (const table of tables) {
    const uid = socketOwner(table, clientPort, serverPort);
    if (uid !== undefined) return uid;
  }
  return 'not found';
}

/**
 * The uid column of the line of a /proc/net/tcp(6) `table` for the client end of a loopback
 * connection: its local port is `clientPort`, its remote port `serverPort`, and both ends have the
 * same address (127.0.0.1 talking to itself, whatever the byte order it is printed in).
 */
export function socketOwner(table: string, clientPort: number, serverPort: number): number | undefined {
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [localAddr, localPort] = f[1]!.split(':');
    const [remoteAddr, remotePort] = f[2]!.split(':');
    if (localAddr !== remoteAddr || parseInt(localPort!, 16) !== clientPort || parseInt(remotePort!, 16) !== serverPort) continue;
    const uid = Number(f[7]);
    if (Number.isInteger(uid) && uid >= 0) return uid;
  }
  return undefined;
}
