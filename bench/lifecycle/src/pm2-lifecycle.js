import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil } from './poll.js';
import { readRssBytes, sampleRss } from './proc-memory.js';
import { median, summarize } from './stats.js';

/** @typedef {Awaited<ReturnType<typeof import('./pm2-daemon.js').startPm2Daemon>>} Pm2Daemon */

const IDLE_PROCESS = fileURLToPath(new URL('../fixtures/idle-process.cjs', import.meta.url));
const SETTLE_MS = 150;

/**
 * An app definition for the idle script. `waitReady`: pm2 marks it online only after its
 * `process.send('ready')` (pm2's readiness); otherwise online means spawned.
 * @param {string} name
 * @param {{ waitReady?: boolean }} [options]
 */
function idleApp(name, { waitReady = false } = {}) {
  return {
    name,
    script: IDLE_PROCESS,
    exec_mode: 'fork',
    autorestart: true,
    wait_ready: waitReady,
    // The restart loop below kills the app a dozen times within pm2's unstable-restart
    // window (min_uptime 1000 ms × max_restarts 16); raise the limit, as x's intensity is.
    max_restarts: 1000,
  };
}

/** @param {Pm2Daemon} pm2 @param {string} name */
async function describe(pm2, name) {
  const [proc] = await pm2.api.describe(name);
  return proc;
}

/**
 * Start → online of one app at a time (`pm2.start` answers once pm2 marked it online), then
 * `pm2.stop` (SIGINT, then SIGKILL after kill_timeout 1600 ms) and `pm2.delete`.
 * @param {Pm2Daemon} pm2
 * @param {{ samples: number, warmup: number, waitReady: boolean }} options
 */
export async function measureStartAndStop(pm2, { samples, warmup, waitReady }) {
  const startMs = [];
  const stopMs = [];
  for (let i = 0; i < warmup + samples; i += 1) {
    const name = `spawn-${waitReady ? 'ready' : 'online'}-${i}`;
    const started = performance.now();
    await pm2.api.start(idleApp(name, { waitReady }));
    const start = performance.now() - started;
    pm2.track((await describe(pm2, name))?.pid);
    await sleep(SETTLE_MS);
    const stopping = performance.now();
    await pm2.api.stop(name);
    const stop = performance.now() - stopping;
    await pm2.api.delete(name);
    if (i >= warmup) {
      startMs.push(start);
      stopMs.push(stop);
    }
  }
  return { startRoundTrip: summarize(startMs), stopRoundTrip: summarize(stopMs) };
}

/**
 * kill -9 of the app → `online` again with another pid, polled with `pm2.describe` every
 * `pollMs`. pm2's defaults: autorestart, restart_delay 0.
 * @param {Pm2Daemon} pm2
 * @param {{ samples: number, warmup: number, pollMs: number, waitReady: boolean }} options
 */
export async function measureKillRestart(pm2, { samples, warmup, pollMs, waitReady }) {
  const name = `kill-probe-${waitReady ? 'ready' : 'online'}`;
  // When pm2 itself marked each restart online (its bus's `online` event, `at` in ms since
  // the epoch, by restart count): the restart as pm2 recorded it, without the polling's steps.
  const onlineAt = new Map();
  const bus = await pm2.api.launchBus();
  bus.on('process:event', (packet) => {
    if (packet?.event === 'online' && packet.process?.name === name) {
      onlineAt.set(packet.process.restart_time, packet.at);
    }
  });
  await pm2.api.start(idleApp(name, { waitReady }));
  let proc = await describe(pm2, name);
  const polledMs = [];
  const recordedMs = [];
  for (let i = 0; i < warmup + samples; i += 1) {
    await sleep(SETTLE_MS);
    const oldPid = proc.pid;
    pm2.track(oldPid);
    const killedAt = Date.now();
    const started = performance.now();
    process.kill(oldPid, 'SIGKILL');
    proc = await pollUntil(
      async () => {
        const current = await describe(pm2, name);
        return current?.pm2_env?.status === 'online' && current.pid !== oldPid && current.pid > 0
          ? current
          : undefined;
      },
      { intervalMs: pollMs, what: `pm2 app ${name} to be online again after kill -9` },
    );
    const polled = performance.now() - started;
    pm2.track(proc.pid);
    // The bus packet can trail the state the poll read.
    const restarts = proc.pm2_env.restart_time;
    const at = await pollUntil(async () => onlineAt.get(restarts), {
      intervalMs: 5,
      timeoutMs: 2000,
      what: `pm2's online event of restart ${restarts}`,
    });
    if (i >= warmup) {
      polledMs.push(polled);
      recordedMs.push(at - killedAt);
    }
  }
  await pm2.api.delete(name);
  bus.close();
  return { polled: summarize(polledMs), recorded: summarize(recordedMs) };
}

/**
 * Starts `count` idle apps as one ecosystem (`pm2 start ecosystem.config.js`: pm2 launches
 * them CONCURRENT_ACTIONS = 2 at a time) and waits until `pm2.list` shows all online.
 * @param {Pm2Daemon} pm2
 * @param {number} count
 * @param {string} prefix
 * @param {{ waitReady?: boolean, pollMs?: number }} [options]
 */
async function startMany(pm2, count, prefix, { waitReady = false, pollMs = 10 } = {}) {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const started = performance.now();
  await pm2.api.start({ apps: names.map((name) => idleApp(name, { waitReady })) });
  const procs = await pollUntil(
    async () => {
      const list = (await pm2.api.list()).filter((proc) => names.includes(proc.name));
      return list.length === count && list.every((proc) => proc.pm2_env.status === 'online')
        ? list
        : undefined;
    },
    { intervalMs: pollMs, timeoutMs: 60_000, what: `${count} pm2 apps to be online` },
  );
  const ms = performance.now() - started;
  for (const proc of procs) {
    pm2.track(proc.pid);
  }
  return { ms, procs, names };
}

/** Deletes every app (stop, then forget): each fleet starts from an empty daemon. */
const deleteAll = (/** @type {Pm2Daemon} */ pm2) => pm2.api.delete('all');

/**
 * Daemon RSS with 0, 10 and 50 idle apps, and the time to start 50 until all are online;
 * then, as extra rows, 50 with `wait_ready`. Call on a daemon that supervises nothing yet.
 * @param {Pm2Daemon} pm2
 * @param {{ settleMs: number }} options
 */
export async function measureFleet(pm2, { settleMs }) {
  const rss0 = await sampleRss(pm2.pid);
  await startMany(pm2, 10, 'ten');
  await sleep(settleMs);
  const rss10 = await sampleRss(pm2.pid);
  await deleteAll(pm2);

  const fifty = await startMany(pm2, 50, 'fifty');
  await sleep(settleMs);
  const rss50 = await sampleRss(pm2.pid);
  const appRss = fifty.procs.map((proc) => readRssBytes(proc.pid) ?? 0);
  await deleteAll(pm2);

  const fiftyReady = await startMany(pm2, 50, 'fifty-ready', { waitReady: true });
  await deleteAll(pm2);
  return {
    start50Ms: Math.round(fifty.ms),
    start50WaitReadyMs: Math.round(fiftyReady.ms),
    rssBytes: { 0: rss0, 10: rss10, 50: rss50 },
    rssPerRunnerBytes: Math.round((rss50 - rss0) / 50),
    runnerRssMedianBytes: median(appRss),
  };
}
