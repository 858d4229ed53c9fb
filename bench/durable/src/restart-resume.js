import { setTimeout as sleep } from 'node:timers/promises';
import { RESUME_AGENT, RPC_TIMEOUT_MS, startAgent } from './agents.js';
import { runnerChildren } from './proc-stat.js';
import { summarize } from './stats.js';

/** Restart `always` with a 0 ms delay (initialMs 0; maxMs caps it at 10 ms), no jitter. */
export const RESTART_POLICY = {
  mode: 'always',
  backoff: { initialMs: 0, maxMs: 10, jitter: 0 },
  // 100: the most a run accepts (it remembers its last 100 restarts).
  intensity: { maxRestarts: 100, periodMs: 60_000 },
};
/** Between a restart and the next kill: the daemon refills its spare runner meanwhile, ms. */
const SETTLE_MS = 250;
/** How long a restart may take before the benchmark gives up, ms. */
const RESTART_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} Probe one agent under test
 * @property {string} name
 * @property {boolean} checkpoint whether it checkpoints (and resumes from ctx.restored)
 * @property {number[]} exitSeenMs kill → the exit classified (the run's last reason's `at`)
 * @property {number[]} readyMs kill → the new attempt ready (`readyAt`)
 * @property {number[]} resumedMs kill → the new attempt's first iteration stored (`finishedAt`)
 * @property {number[]} firstCheckpointMs the round trip of that iteration's checkpoint, as the
 *   agent timed it (its summary's `checkpointMs`; 0 without checkpoints)
 * @property {number} restoredFrom restarts whose attempt resumed from a checkpoint
 * @property {number} spareHits restarts whose runner was the daemon's spare
 */

/** @param {number} ms */
const nonNegative = (ms) => Math.max(0, ms);

/**
 * kill -9 of a subprocess runner → the restarted attempt resumed: two agents
 * (fixtures/resume-agent.mjs, one iteration every `intervalMs`), one checkpointing a `bytes`
 * state each step and one without checkpoints, killed in turn (`kills` times each after
 * `warmup`). Times come from the daemon's records (ms since the epoch, 1 ms steps): the kill
 * (Date.now() just before it) → `readyAt` of the new attempt, and → `finishedAt` of its first
 * iteration. agent.status is polled every `pollMs` only to learn that the restart happened.
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {{ kills: number, warmup: number, bytes: number, intervalMs: number, pollMs: number, prefix: string }} options
 */
export async function measureRestartResume(daemon, options) {
  const { kills, warmup, bytes, intervalMs, pollMs, prefix } = options;
  /** @type {Probe[]} */
  const probes = [true, false].map((checkpoint) => ({
    name: `${prefix}-${checkpoint ? 'checkpoint' : 'plain'}`,
    checkpoint,
    exitSeenMs: [],
    readyMs: [],
    resumedMs: [],
    firstCheckpointMs: [],
    restoredFrom: 0,
    spareHits: 0,
  }));
  for (const probe of probes) {
    await startAgent(daemon, {
      module: RESUME_AGENT,
      name: probe.name,
      params: { checkpoint: probe.checkpoint, bytes },
      intervalMs,
      restart: RESTART_POLICY,
    });
  }
  for (let i = 0; i < warmup + kills; i += 1) {
    for (const probe of probes) {
      await sleep(SETTLE_MS);
      const sample = await killAndWait(daemon, probe.name, pollMs);
      if (i < warmup) {
        continue;
      }
      probe.exitSeenMs.push(nonNegative(sample.exitSeenAt - sample.killedAt));
      probe.readyMs.push(nonNegative(sample.readyAt - sample.killedAt));
      probe.resumedMs.push(nonNegative(sample.firstIterationAt - sample.killedAt));
      probe.firstCheckpointMs.push(sample.checkpointMs);
      probe.restoredFrom += sample.restored ? 1 : 0;
      probe.spareHits += sample.spare ? 1 : 0;
    }
  }
  for (const probe of probes) {
    await daemon.rpc.request('agent.stop', { ref: probe.name }, { timeoutMs: RPC_TIMEOUT_MS });
  }
  const [withCheckpoints, without] = probes.map((probe) => ({
    name: probe.name,
    exitSeen: summarize(probe.exitSeenMs),
    ready: summarize(probe.readyMs),
    resumed: summarize(probe.resumedMs),
    firstCheckpoint: summarize(probe.firstCheckpointMs),
    samples: {
      exitSeen: probe.exitSeenMs,
      ready: probe.readyMs,
      resumed: probe.resumedMs,
      firstCheckpoint: probe.firstCheckpointMs,
    },
    restoredFrom: probe.restoredFrom,
    spareHits: probe.spareHits,
  }));
  return { withCheckpoints, without };
}

/**
 * SIGKILLs the run's runner and waits until an iteration of a later attempt is stored.
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {string} name
 * @param {number} pollMs
 */
async function killAndWait(daemon, name, pollMs) {
  const before = await status(daemon, name);
  const { pid, attempt } = before.run;
  if (before.run.state !== 'running' || pid === null) {
    throw new Error(
      `bench-durable: agent ${name} is ${before.run.state}, not running, before a kill`,
    );
  }
  const spares = runnerChildren(daemon.pid);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const deadline = killedAt + RESTART_TIMEOUT_MS;
  for (;;) {
    await sleep(pollMs);
    const now = await status(daemon, name);
    const first = now.recentIterations.find(
      (record) => record.attempt > attempt && record.iteration === 1,
    );
    if (first !== undefined) {
      daemon.track(now.run.pid);
      return {
        killedAt,
        exitSeenAt: now.run.lastReasons.at(-1)?.at ?? killedAt,
        readyAt: /** @type {number} */ (now.run.readyAt),
        firstIterationAt: first.finishedAt,
        restored: !/restored=none/.test(first.summary ?? ''),
        checkpointMs: Number(/checkpointMs=([\d.]+)/.exec(first.summary ?? '')?.[1] ?? Number.NaN),
        spare: now.run.pid !== null && spares.includes(now.run.pid),
      };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `bench-durable: agent ${name} did not resume within ${RESTART_TIMEOUT_MS} ms of kill -9 (state ${now.run.state}); see x agent logs ${name}`,
      );
    }
  }
}

/**
 * The run and its last 20 iterations: the new attempt's first is among them unless the poll
 * came 400 ms late (at one iteration per 20 ms).
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {string} name
 * @returns {Promise<import('@x/daemon').AgentStatus>}
 */
function status(daemon, name) {
  return daemon.rpc.request('agent.status', { ref: name, iterations: 20 });
}
