import type { Deps } from '../../deps.js';
import { agentOptions, agentStatus, stopAgent } from '../../agent/client.js';
import { cacheDir } from '../real-deps.js';

/** `mfa-login agent status|stop`: the session agent, which holds sessions in memory. */
export async function agent(deps: Deps, action: 'status' | 'stop'): Promise<void> {
  const options = agentOptions(deps.env, cacheDir(deps.env, deps.homeDir));
  if (action === 'stop') {
    const stopped = await stopAgent(options);
    deps.stdout(stopped ? 'Stopped the agent; its sessions are forgotten.\n' : 'No agent was running.\n');
    return;
  }
  const s = await agentStatus(options);
  deps.stdout(s.running ? `The agent is running (pid ${s.pid}) with ${s.sessions} session${s.sessions === 1 ? '' : 's'}, at ${s.socket}.\n` : `No agent is running (it would listen at ${s.socket}).\n`);
}
