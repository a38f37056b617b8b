/**
 * A stand-in agent in its own process (not a test file), for the tests of the cached path's one
 * request: the process that asks may wait for the reply itself, its event loop stopped, so what
 * answers must be another process.
 *   node stand-in-agent.js SOCKET
 * Listens at SOCKET and prints "listening"; then prints each request line it is sent. Each line on
 * its stdin is how it answers the connections after it (JSON): `{ "reply": ["piece", ...] }` writes
 * the pieces (in base64, written as their bytes) 50 ms apart, `{ "close": true }` closes the connection at once, `{ "silent": true }`
 * (the start) never answers.
 */
import net from 'node:net';

interface Behaviour {
  reply?: string[];
  close?: boolean;
  silent?: boolean;
}

const [socket] = process.argv.slice(2);
if (socket !== undefined) {
  let behaviour: Behaviour = { silent: true };
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (d: string) => {
    input += d;
    for (let nl = input.indexOf('\n'); nl >= 0; nl = input.indexOf('\n')) {
      behaviour = JSON.parse(input.slice(0, nl)) as Behaviour;
      input = input.slice(nl + 1);
      process.stdout.write('ok\n');
    }
  });
  // The test ends it by closing stdin.
  process.stdin.on('end', () => process.exit(0));
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    let line = '';
    conn.setEncoding('utf8').on('data', (d: string) => {
      line += d;
      if (!line.includes('\n')) return;
      process.stdout.write(`${JSON.stringify(line.slice(0, line.indexOf('\n')))}\n`);
      const b = behaviour;
      if (b.close === true) return void conn.destroy();
      (b.reply ?? []).forEach((piece, i) => setTimeout(() => conn.write(Buffer.from(piece, 'base64')), 50 * i));
    });
  });
  server.listen(socket, () => process.stdout.write('listening\n'));
}
