import type { Deps } from '../../deps.js';
import { agentStatus, stopAgent } from '../../session-store/agent/client.js';
import { agentOptions } from '../../session-store/open.js';

/** `mfa-login agent status|stop`: the session agent, which holds sessions in memory where no RAM-backed directory does. */
export async function agent(deps: Deps, action: 'status' | 'stop'): Promise<void> {
  const options = agentOptions(deps.settings);
  if (action === 'stop') {
    const stopped = await stopAgent(options);
    deps.stdout(stopped ? 'Stopped the agent; its sessions are forgotten.\n' : 'No agent was running.\n');
    return;
  }
  const s = await agentStatus(options);
  const mode = deps.cache().mode;
  const inUse = mode === 'agent' ? '' : ` Sessions are kept by the ${mode} mode (${deps.cache().location}), not by an agent.`;
  deps.stdout(s.running ? `The agent is running (pid ${s.pid}) with ${s.sessions} session${s.sessions === 1 ? '' : 's'}, at ${options.socket}.${inUse}\n` : `No agent is running (it would listen at ${options.socket}).${inUse}\n`);
}
