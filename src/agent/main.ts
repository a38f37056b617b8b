/**
 * The agent process: `node dist/src/agent/main.js --socket PATH [--idle MS] [--lease-max MS]`.
 * Started detached by the first client that finds nobody listening; any number of them may start
 * one at the same moment. The one that takes `<socket>.lock` serves; the others exit quietly.
 */
import net from 'node:net';
import { lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { breakLock, createLock, holderGone, readLock, removeLock } from './lock-file.js';
import { checkSocketPathLength, prepareSocketDir } from './protocol.js';
import { agentServer } from './server.js';
import { openMailbox } from './mailbox-keeper.js';
import { DEFAULT_AGENT_IDLE_SECONDS, LEASE_MAX_MS } from './waiting.js';

/**
 * A lock whose pid is alive yet whose socket accepts nothing after this long belongs to a dead
 * agent whose pid was reused by an unrelated process.
 */
const START_GRACE_MS = 5000;

/**
 * How often the agent checks that its socket is still its own. One whose socket was removed (by
 * hand, by a tmp cleaner, or by an agent that judged it dead) can no longer be reached: it exits
 * rather than keep sessions in memory for nobody.
 */
const SOCKET_CHECK_MS = 2000;

interface AgentArgs {
  socket: string;
  idleMs: number;
  leaseMaxMs: number;
}

function parse(argv: string[]): AgentArgs | undefined {
  const args: Partial<AgentArgs> = { idleMs: DEFAULT_AGENT_IDLE_SECONDS * 1000, leaseMaxMs: LEASE_MAX_MS };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) return undefined;
    if (argv[i] === '--socket') args.socket = path.resolve(value);
    else if (argv[i] === '--idle' || argv[i] === '--lease-max') {
      const ms = Number(value);
      if (!Number.isFinite(ms) || ms <= 0) return undefined;
      if (argv[i] === '--idle') args.idleMs = ms;
      else args.leaseMaxMs = ms;
    } else return undefined;
  }
  return args.socket === undefined ? undefined : (args as AgentArgs);
}

/** Whether something accepts connections on the socket. */
function accepting(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(socket);
    const done = (yes: boolean) => {
      s.destroy();
      resolve(yes);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    setTimeout(() => done(false), 1000).unref();
  });
}

/** Takes the start lock, breaking one left by a dead agent; undefined when a live agent has it. */
async function takeStartLock(lock: string, socket: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const nonce = await createLock(lock, { socket });
    if (nonce !== undefined) return nonce;
    const info = await readLock(lock);
    if (info === undefined) continue;
    const gone = holderGone(info) || (Date.now() - info.started > START_GRACE_MS && !(await accepting(socket)));
    if (!gone) return undefined;
    await breakLock(lock, info);
  }
  return undefined;
}

/**
 * MFA_LOGIN_AGENT_TRACE=FILE: each agent appends what it did (start, serving, another agent
 * serves, exit and why) as JSON lines. For tests and for "why did my agent go away".
 */
const traceFile = process.env.MFA_LOGIN_AGENT_TRACE;
async function trace(event: string, extra: Record<string, unknown> = {}): Promise<void> {
  if (traceFile) await fs.appendFile(traceFile, `${JSON.stringify({ pid: process.pid, event, at: Date.now(), ...extra })}\n`).catch(() => {});
}

async function run(args: AgentArgs): Promise<number> {
  await trace('start');
  // Keep no directory of the spawning shell busy (an unmountable USB stick, a deleted worktree).
  process.chdir('/');
  checkSocketPathLength(args.socket);
  await prepareSocketDir(path.dirname(args.socket));
  const lock = `${args.socket}.lock`;
  const nonce = await takeStartLock(lock, args.socket);
  if (nonce === undefined) {
    // The start marker has done its job: an agent serves.
    await fs.rm(`${args.socket}.starting`, { force: true });
    await trace('another agent serves');
    return 0;
  }

  // Holding the lock means no live agent owns the socket file: one that is there is stale.
  await fs.rm(args.socket, { force: true });

  let closing = false;
  let socketIno: number | undefined;
  // Only the agent holding the lock touches the mailbox: it clears what a dead agent left there.
  const mailbox = await openMailbox(args.socket);
  const server = agentServer({ idleMs: args.idleMs, leaseMaxMs: args.leaseMaxMs, onIdle: () => shutdown('idle'), onStop: () => shutdown('stop'), mailbox });
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    // Closing a listening Unix socket removes whatever is at its path (libuv does), so the server
    // is closed only while the path is still this agent's socket: a newer agent may listen there
    // now. Exiting ends the connections either way.
    let ours = false;
    try {
      ours = lstatSync(args.socket).ino === socketIno;
    } catch {
      // removed: nothing to close over
    }
    if (ours) server.close();
    try {
      mailbox.close();
    } catch {
      // only ever a speed-up; what is left there, the next agent clears
    }
    void (async () => {
      await trace('exit', { why });
      if (ours) await fs.rm(args.socket, { force: true });
      // From here a new agent may start.
      await removeLock(lock, nonce).catch(() => {});
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {}); // detached, but a stray hangup must not end it

  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(args.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    mailbox.close();
    await removeLock(lock, nonce).catch(() => {});
    throw e;
  } finally {
    process.umask(previousUmask);
  }
  await fs.chmod(args.socket, 0o600);
  socketIno = (await fs.lstat(args.socket)).ino;
  await fs.rm(`${args.socket}.starting`, { force: true });
  await trace('serving');
  setInterval(() => {
    void fs.lstat(args.socket).then(
      (st) => st.ino !== socketIno && shutdown('socket replaced'),
      () => shutdown('socket removed'),
    );
  }, SOCKET_CHECK_MS).unref();
  return -1; // serving
}

const args = parse(process.argv.slice(2));
if (args === undefined) {
  process.stderr.write('usage: node main.js --socket PATH [--idle MS] [--lease-max MS]\n');
  process.exit(2);
}
run(args).then(
  (status) => {
    if (status >= 0) process.exit(status);
  },
  (e) => {
    process.stderr.write(`mfa-login agent: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
