// `pnpm --filter @x/bench-lifecycle bench:storm` (issue 12): the supervisor's memory under a
// restart storm. N idle runners restarted by policy, one of them killed with SIGKILL every
// --kill-ms, for --minutes; the daemon's RSS is sampled every --sample-ms. A leak (something
// kept per attempt) shows as a slope: the growth from the median of minute 2 to the median of
// the last minute is the figure (goal: under 5 %). The same storm then runs against pm2's God
// daemon (fork mode, autorestart), side by side (--skip-pm2 to leave it out).
//
// Flags: --minutes 10, --runners 20, --kill-ms 140, --sample-ms 10000, --skip-pm2.
// Writes bench-results/storm.json (every sample).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import Table from 'cli-table3';
import { startPm2Daemon } from './pm2-daemon.js';
import { readRssBytes } from './proc-memory.js';
import { median } from './stats.js';
import { startXDaemon } from './x-daemon.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    minutes: { type: 'string', default: '10' },
    runners: { type: 'string', default: '20' },
    'kill-ms': { type: 'string', default: '140' },
    'sample-ms': { type: 'string', default: '10000' },
    'skip-pm2': { type: 'boolean', default: false },
  },
});
const minutes = Number(flags.minutes);
const runners = Number(flags.runners);
const killMs = Number(flags['kill-ms']);
const sampleMs = Number(flags['sample-ms']);
for (const [name, value] of Object.entries({ minutes, runners, killMs, sampleMs })) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench-lifecycle storm: --${name} must be a number > 0`);
    process.exit(2);
  }
}

const IDLE_AGENT = fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url));
const IDLE_PROCESS = fileURLToPath(new URL('../fixtures/idle-process.cjs', import.meta.url));

/**
 * @typedef {object} Storm
 * @property {number} pid the supervisor's pid
 * @property {() => Promise<number[]>} runnerPids pids of the runners running now
 * @property {(pid: number) => void} track a runner for `close()` to SIGKILL if its
 *   supervisor left it (only the last ones: a pid seen earlier may be another process's now)
 * @property {() => Promise<void>} close
 */

/**
 * Kills a random running runner every `killMs` and samples the supervisor's RSS every
 * `sampleMs`, for `minutes`.
 * @param {Storm} storm
 * @returns {Promise<{ samples: { atMs: number, rssBytes: number }[], kills: number }>}
 */
async function rage(storm) {
  const samples = [{ atMs: 0, rssBytes: readRssBytes(storm.pid) ?? 0 }];
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  let nextSampleAt = started + sampleMs;
  let kills = 0;
  while (Date.now() < endAt) {
    const pids = await storm.runnerPids();
    if (pids.length > 0) {
      const pid = pids[Math.floor(Math.random() * pids.length)];
      try {
        process.kill(pid, 'SIGKILL');
        kills += 1;
      } catch {
        // Exited already.
      }
    }
    await sleep(killMs);
    if (Date.now() >= nextSampleAt) {
      const rssBytes = readRssBytes(storm.pid);
      if (rssBytes === null) {
        throw new Error(`the supervisor (pid ${storm.pid}) is gone during the storm`);
      }
      samples.push({ atMs: Date.now() - started, rssBytes });
      nextSampleAt += sampleMs;
    }
  }
  return { samples, kills };
}

/** @returns {Promise<Storm>} */
async function xStorm() {
  const daemon = await startXDaemon();
  for (let i = 0; i < runners; i += 1) {
    await daemon.rpc.request(
      'agent.start',
      {
        module: IDLE_AGENT,
        name: `storm-${i}`,
        intervalMs: 3_600_000,
        restart: {
          mode: 'always',
          backoff: { initialMs: 0, jitter: 0 },
          // At most 100 restarts in a 1 ms window: the intensity never trips.
          intensity: { maxRestarts: 100, periodMs: 1 },
        },
      },
      { timeoutMs: 30_000 },
    );
  }
  return {
    pid: daemon.pid,
    runnerPids: async () => {
      const { runs } = /** @type {{ runs: import('@x/daemon').RunRecord[] }} */ (
        await daemon.rpc.request('agent.list', {}, { timeoutMs: 30_000 })
      );
      return runs.flatMap((run) => (run.state === 'running' && run.pid !== null ? [run.pid] : []));
    },
    track: (pid) => daemon.track(pid),
    close: () => daemon.close(),
  };
}

/** @returns {Promise<Storm>} */
async function pm2Storm() {
  const pm2 = await startPm2Daemon();
  for (let i = 0; i < runners; i += 1) {
    await pm2.api.start({
      name: `storm-${i}`,
      script: IDLE_PROCESS,
      exec_mode: 'fork',
      autorestart: true,
      max_restarts: 1_000_000,
    });
  }
  return {
    pid: pm2.pid,
    runnerPids: async () => {
      const procs = await pm2.api.list();
      return procs.flatMap((proc) =>
        proc.pm2_env?.status === 'online' && proc.pid > 0 ? [proc.pid] : [],
      );
    },
    track: (pid) => pm2.track(pid),
    close: () => pm2.close(),
  };
}

/**
 * The growth from minute 2 (the median of its samples) to the last minute, as a fraction.
 * @param {{ atMs: number, rssBytes: number }[]} samples
 */
function growth(samples) {
  const inMinute = (/** @type {number} */ m) =>
    samples.filter((s) => s.atMs >= (m - 1) * 60_000 && s.atMs < m * 60_000).map((s) => s.rssBytes);
  const second = median(inMinute(Math.min(2, minutes)));
  const last = median(inMinute(Math.ceil(minutes)));
  return { second, last, fraction: (last - second) / second };
}

const results =
  /** @type {Record<string, { samples: { atMs: number, rssBytes: number }[], kills: number }>} */ ({});
const load = [loadavg()[0]];
for (const [name, make] of /** @type {const} */ ([
  ['x', xStorm],
  ['pm2', pm2Storm],
])) {
  if (name === 'pm2' && flags['skip-pm2']) {
    continue;
  }
  const storm = await make();
  try {
    results[name] = await rage(storm);
  } finally {
    // The runners of now only: the storm's killed ones are gone and their pids reusable.
    for (const pid of await storm.runnerPids().catch(() => [])) {
      storm.track(pid);
    }
    await storm.close();
  }
  load.push(loadavg()[0]);
}

const mib = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(1)}`;
const names = Object.keys(results);
console.log(
  `restart storm: ${runners} idle runners, one killed (SIGKILL) every ${killMs} ms, ${minutes} min; daemon RSS (MiB) each minute; ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
const perMinute = new Table({ head: ['minute', ...names.map((name) => `${name} RSS (MiB)`)] });
for (let m = 0; m <= Math.ceil(minutes); m += 1) {
  perMinute.push([
    String(m),
    ...names.map((name) => {
      const sample = results[name].samples.filter((s) => s.atMs <= m * 60_000).at(-1);
      return sample === undefined ? '' : mib(sample.rssBytes);
    }),
  ]);
}
console.log(perMinute.toString());
const summary = new Table({
  head: ['', 'kills', 'RSS minute 2 (MiB)', 'RSS last minute (MiB)', 'growth', 'goal < 5 %'],
});
for (const name of names) {
  const { second, last, fraction } = growth(results[name].samples);
  summary.push([
    name,
    String(results[name].kills),
    mib(second),
    mib(last),
    `${(fraction * 100).toFixed(1)} %`,
    name === 'x' ? (fraction < 0.05 ? 'met' : '**not met**') : '',
  ]);
}
console.log(summary.toString());
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'storm.json'),
  `${JSON.stringify({ date: new Date().toISOString(), minutes, runners, killMs, sampleMs, load, results }, null, 2)}\n`,
);
