import { ROUND_TRIP_AGENT, startAgent } from './agents.js';
import { summarize } from './stats.js';

/**
 * @typedef {object} RoundTrip per size, ms
 * @property {import('./stats.js').Summary} x `await ctx.checkpoint(state)` → acknowledged
 * @property {import('./stats.js').Summary} floor bare SQLite insert + commit (WAL, FULL)
 * @property {import('./stats.js').Summary} store the daemon's CheckpointStore.save, no IPC
 */

/**
 * Checkpoint round trip through the daemon beside its floor: fixtures/round-trip-agent.mjs
 * times, in its runner, round by round, a bare SQLite commit, a CheckpointStore.save and an
 * `await ctx.checkpoint(state)` of the same state (`samples` per size after `warmup`), and
 * reports the durations with ctx.notify.
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {import('./notices.js').Notices} notices
 * @param {{ sizes: number[], samples: number, warmup: number, name: string }} options
 * @returns {Promise<Record<number, RoundTrip>>} per size in bytes
 */
export async function measureRoundTrip(daemon, notices, { sizes, samples, warmup, name }) {
  await startAgent(daemon, {
    module: ROUND_TRIP_AGENT,
    name,
    params: { sizes, samples, warmup },
    maxIterations: 1,
  });
  const reports = await notices.take(name, sizes.length);
  /** @type {Record<number, RoundTrip>} */
  const result = {};
  for (const report of reports) {
    result[report.bytes] = {
      x: summarize(report.x),
      floor: summarize(report.floor),
      store: summarize(report.store),
    };
  }
  return result;
}
