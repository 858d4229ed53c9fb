// `pnpm bench`: durable agents (issue 10) on the x daemon, each figure beside a floor
// measured in the same run. Per run, on a fresh daemon: checkpoint round trip (1 KiB and
// 256 KiB, p50/p99) against a bare SQLite insert + commit with the daemon's journal settings;
// checkpoints per second with 1 and 20 runners, with the daemon's CPU time; kill -9 of a
// runner → resumed from its checkpoint, against the same restart without checkpoints.
// Prints the medians over --runs runs; writes bench-results/durable.json.
// Flags: --runs N (default 3), --samples N (round trips per size, default 200),
// --window-ms N (throughput: ms of x and as many of the floor, in 4 turns each, default 1000),
// --runners N (default 20), --kills N (per agent, at most 98, default 10),
// --poll-ms N (agent.status after a kill, default 10), --out FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectNotices } from './notices.js';
import { buildRows, formatTable } from './report.js';
import { measureRestartResume } from './restart-resume.js';
import { measureRoundTrip } from './round-trip.js';
import { measureThroughput } from './throughput.js';
import { startXDaemon } from './x-daemon.js';

const { values: flags } = parseArgs({
  // `pnpm bench -- --runs 1` passes the `--` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '200' },
    'window-ms': { type: 'string', default: '1000' },
    runners: { type: 'string', default: '20' },
    kills: { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
/**
 * @param {string} name
 * @param {string | undefined} text
 * @param {number} [max]
 */
function positive(name, text, max = Number.MAX_SAFE_INTEGER) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`bench-durable: --${name} must be an integer 1–${max}, got ${text}`);
  }
  return value;
}
const settings = {
  runs: positive('runs', flags.runs),
  sizes: [1024, 256 * 1024],
  samples: positive('samples', flags.samples),
  warmup: 10,
  windowMs: positive('window-ms', flags['window-ms']),
  pairs: 4,
  throughputBytes: 1024,
  runners: positive('runners', flags.runners),
  // A run may restart at most 100 times (MAX_RESTARTS), warm-up kills included.
  kills: positive('kills', flags.kills, 98),
  killWarmup: 2,
  intervalMs: 20,
  pollMs: positive('poll-ms', flags['poll-ms']),
};
const outFile = resolve(
  flags.out ?? fileURLToPath(new URL('../bench-results/durable.json', import.meta.url)),
);
const log = (/** @type {string} */ text) => process.stderr.write(`${text}\n`);
const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;

const loadBefore = loadavg()[0];
if (loadBefore > cpus().length / 2) {
  log(
    `warning: load average ${loadBefore.toFixed(1)} on ${cpus().length} cores; other work on this machine will show in the figures`,
  );
}

const runs = [];
for (let index = 1; index <= settings.runs; index += 1) {
  const load = loadavg()[0];
  const daemon = await startXDaemon();
  const notices = await collectNotices(daemon);
  try {
    log(
      `run ${index}/${settings.runs} (load ${load.toFixed(2)}), x daemon pid ${daemon.pid}: checkpoint round trip beside the floor [${elapsed()}]`,
    );
    const roundTrip = await measureRoundTrip(daemon, notices, { ...settings, name: 'round-trip' });
    log(`run ${index}: checkpoints per second, 1 and ${settings.runners} runners [${elapsed()}]`);
    const throughputOptions = {
      bytes: settings.throughputBytes,
      windowMs: settings.windowMs,
      pairs: settings.pairs,
    };
    const one = await measureThroughput(daemon, notices, {
      ...throughputOptions,
      runners: 1,
      prefix: 'loop-one',
    });
    const many = await measureThroughput(daemon, notices, {
      ...throughputOptions,
      runners: settings.runners,
      prefix: 'loop-many',
    });
    log(`run ${index}: kill -9 → resumed, ${settings.kills} kills per agent [${elapsed()}]`);
    const restart = await measureRestartResume(daemon, {
      kills: settings.kills,
      warmup: settings.killWarmup,
      bytes: settings.throughputBytes,
      intervalMs: settings.intervalMs,
      pollMs: settings.pollMs,
      prefix: 'resume',
    });
    runs.push({
      loadAverage1m: load,
      roundTrip,
      throughput: { one, many },
      restart,
    });
  } finally {
    notices.close();
    await daemon.close();
  }
}

const rows = buildRows(runs, settings);
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
  },
  settings,
  durationMs: Math.round(performance.now() - began),
  runs,
  rows,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  `durable agents: x vs floor, median of ${settings.runs} run(s), ${cpus().length} cores, Node ${process.version}, load ${runs.map((run) => run.loadAverage1m.toFixed(2)).join(' / ')} at the runs' starts, ${elapsed()}\n`,
);
process.stdout.write(`${formatTable(rows)}\n`);
log(`wrote ${outFile}`);
