import { fileURLToPath } from 'node:url';

/** @param {string} name a file in ../fixtures */
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const ROUND_TRIP_AGENT = fixture('round-trip-agent.mjs');
export const CHECKPOINT_LOOP_AGENT = fixture('checkpoint-loop-agent.mjs');
export const RESUME_AGENT = fixture('resume-agent.mjs');

/** Control requests may wait on a loaded machine (20 cold runner starts at once): 30 s. */
export const RPC_TIMEOUT_MS = 30_000;

/**
 * `agent.start` (answered once the runner is ready); the runner is tracked for cleanup.
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {Record<string, unknown>} params `agent.start` params
 * @returns {Promise<import('@x/daemon').RunRecord>}
 */
export async function startAgent(daemon, params) {
  const run = /** @type {import('@x/daemon').RunRecord} */ (
    await daemon.rpc.request('agent.start', params, { timeoutMs: RPC_TIMEOUT_MS })
  );
  daemon.track(run.pid);
  if (run.state !== 'running') {
    throw new Error(
      `bench-durable: agent ${run.name} is ${run.state} after agent.start; see x agent logs ${run.name}`,
    );
  }
  return run;
}
