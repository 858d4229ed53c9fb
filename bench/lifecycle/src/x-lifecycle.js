import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil } from './poll.js';
import { runnerChildren } from './proc-children.js';
import { readRssBytes, sampleRss } from './proc-memory.js';
import { median, summarize } from './stats.js';

/** @typedef {import('@x/daemon').RunRecord} RunRecord */
/** @typedef {Awaited<ReturnType<typeof import('./x-daemon.js').startXDaemon>>} XDaemon */

const IDLE_AGENT = fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url));
/** One iteration an hour: the agents sit idle between them. */
const IDLE_INTERVAL_MS = 3_600_000;
/** How long an agent is left alone after ready before it is stopped or killed. */
const SETTLE_MS = 150;
const RPC_TIMEOUT_MS = 30_000;

/**
 * Starts one idle agent and waits for `agent.start`, which answers once the runner is ready.
 * @param {XDaemon} daemon
 * @param {string} name
 * @param {object} [extra] more `agent.start` params
 * @returns {Promise<RunRecord>}
 */
async function startAgent(daemon, name, extra = {}) {
  const run = /** @type {RunRecord} */ (
    await daemon.rpc.request(
      'agent.start',
      { module: IDLE_AGENT, name, intervalMs: IDLE_INTERVAL_MS, ...extra },
      { timeoutMs: RPC_TIMEOUT_MS },
    )
  );
  daemon.track(run.pid);
  if (run.state !== 'running') {
    throw new Error(`bench-lifecycle: x agent ${name} is ${run.state} after agent.start`);
  }
  return run;
}

/** @param {XDaemon} daemon @param {string} ref @returns {Promise<RunRecord>} */
function stopAgent(daemon, ref) {
  return daemon.rpc.request('agent.stop', { ref }, { timeoutMs: RPC_TIMEOUT_MS });
}

/**
 * Spawn → ready of one runner at a time, and the cooperative stop of the idle agent after.
 * Spawn → ready is the daemon's own record (`readyAt − createdAt`); the `agent.start` and
 * `agent.stop` round trips add the control-socket hop.
 * @param {XDaemon} daemon
 * @param {{ samples: number, warmup: number }} options
 */
export async function measureSpawnAndStop(daemon, { samples, warmup }) {
  const readyMs = [];
  const startRoundTripMs = [];
  const stopRoundTripMs = [];
  const stopPhases = {};
  let spareHits = 0;
  for (let i = 0; i < warmup + samples; i += 1) {
    const before = runnerChildren(daemon.pid);
    const started = performance.now();
    const run = await startAgent(daemon, `spawn-${i}`);
    const startRoundTrip = performance.now() - started;
    await sleep(SETTLE_MS);
    const stopping = performance.now();
    const stopped = await stopAgent(daemon, run.runId);
    const stopRoundTrip = performance.now() - stopping;
    if (i < warmup) {
      continue;
    }
    readyMs.push(/** @type {number} */ (run.readyAt) - run.createdAt);
    spareHits += before.includes(/** @type {number} */ (run.pid)) ? 1 : 0;
    startRoundTripMs.push(startRoundTrip);
    stopRoundTripMs.push(stopRoundTrip);
    const phase = stopped.exit?.stopPhase ?? 'none';
    stopPhases[phase] = (stopPhases[phase] ?? 0) + 1;
  }
  return {
    spawnReady: summarize(readyMs),
    startRoundTrip: summarize(startRoundTripMs),
    stopRoundTrip: summarize(stopRoundTripMs),
    stopPhases,
    /** Samples whose runner was a spare (alive before the start). */
    spareHits,
  };
}

/**
 * kill -9 of a runner → a new attempt `running` (ready) with another pid, polled with
 * `agent.status` every `pollMs`. Policy `always` with zero backoff and no jitter, to match
 * pm2's default `restart_delay: 0`; the intensity limit is raised so the kills in a row do
 * not make the run `failed`.
 * @param {XDaemon} daemon
 * @param {{ samples: number, warmup: number, pollMs: number }} options
 */
export async function measureKillRestart(daemon, { samples, warmup, pollMs }) {
  const name = 'kill-probe';
  let run = await startAgent(daemon, name, {
    restart: {
      mode: 'always',
      backoff: { initialMs: 0, jitter: 0 },
      // maxRestarts is at most 100 (the restart history keeps 100); a 1 ms window never trips.
      intensity: { maxRestarts: 100, periodMs: 1 },
    },
  });
  const polledMs = [];
  const recordedMs = [];
  // Where the time goes, from the daemon's record: kill → exit classified (the reason's
  // `at`), then exit classified → the new attempt ready.
  const exitSeenMs = [];
  const respawnReadyMs = [];
  let spareHits = 0;
  for (let i = 0; i < warmup + samples; i += 1) {
    await sleep(SETTLE_MS);
    const before = runnerChildren(daemon.pid);
    const oldPid = /** @type {number} */ (run.pid);
    const killedAt = Date.now();
    const started = performance.now();
    process.kill(oldPid, 'SIGKILL');
    run = await pollUntil(
      async () => {
        const { run: current } = /** @type {import('@x/daemon').AgentStatus} */ (
          await daemon.rpc.request('agent.status', { ref: name, iterations: 0 })
        );
        return current.state === 'running' && current.pid !== oldPid ? current : undefined;
      },
      { intervalMs: pollMs, what: `x agent ${name} to be running again after kill -9` },
    );
    const polled = performance.now() - started;
    daemon.track(run.pid);
    if (i >= warmup) {
      polledMs.push(polled);
      recordedMs.push(/** @type {number} */ (run.readyAt) - killedAt);
      const exitAt = run.lastReasons.at(-1)?.at ?? killedAt;
      exitSeenMs.push(exitAt - killedAt);
      respawnReadyMs.push(/** @type {number} */ (run.readyAt) - exitAt);
      spareHits += before.includes(/** @type {number} */ (run.pid)) ? 1 : 0;
    }
  }
  await stopAgent(daemon, name);
  return {
    polled: summarize(polledMs),
    recorded: summarize(recordedMs),
    exitSeen: summarize(exitSeenMs),
    respawnReady: summarize(respawnReadyMs),
    /** Restarts whose runner was a spare (alive before the kill). */
    spareHits,
  };
}

/**
 * Starts `count` idle agents at once (parallel `agent.start` requests on one connection)
 * and returns how long until every one answered ready, in ms, with their runs.
 * @param {XDaemon} daemon
 * @param {number} count
 * @param {string} prefix
 */
async function startMany(daemon, count, prefix) {
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startAgent(daemon, `${prefix}-${i}`)),
  );
  const ms = performance.now() - started;
  const runs = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  // A start that failed (e.g. the 10 s handshake timeout on a loaded machine) is reported,
  // not thrown: the figure is then "not all ready".
  const failures = settled.flatMap((result) =>
    result.status === 'rejected' ? [String(result.reason?.message ?? result.reason)] : [],
  );
  return { ms, runs, failures };
}

/** Stops runs in parallel. @param {XDaemon} daemon @param {RunRecord[]} runs */
async function stopMany(daemon, runs) {
  await Promise.all(runs.map((run) => stopAgent(daemon, run.runId)));
}

/**
 * Daemon RSS with 0, 10 and 50 idle runners, and the time to start 50 until all are ready.
 * Call on a daemon that supervises nothing yet (the 0 reading is taken first).
 * @param {XDaemon} daemon
 * @param {{ settleMs: number }} options
 */
export async function measureFleet(daemon, { settleMs }) {
  const rss0 = await sampleRss(daemon.pid);
  const ten = await startMany(daemon, 10, 'ten');
  await sleep(settleMs);
  const rss10 = await sampleRss(daemon.pid);
  await stopMany(daemon, ten.runs);

  const fifty = await startMany(daemon, 50, 'fifty');
  await sleep(settleMs);
  const rss50 = await sampleRss(daemon.pid);
  const runnerRss = fifty.runs.map((run) => readRssBytes(/** @type {number} */ (run.pid)) ?? 0);
  const list = /** @type {{ runs: RunRecord[] }} */ (await daemon.rpc.request('agent.list', {}));
  const running = list.runs.filter(
    (run) => run.name.startsWith('fifty-') && run.state === 'running',
  ).length;
  await stopMany(daemon, fifty.runs);
  return {
    start50Ms: Math.round(fifty.ms),
    start50Failures: fifty.failures,
    running50: running,
    rssBytes: { 0: rss0, 10: rss10, 50: rss50 },
    rssPerRunnerBytes: Math.round((rss50 - rss0) / 50),
    runnerRssMedianBytes: median(runnerRss),
  };
}
