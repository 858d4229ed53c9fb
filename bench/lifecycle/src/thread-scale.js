// `pnpm --filter @x/bench-lifecycle bench:threads`: what an idle runner costs in each runner
// mode, and a daemon holding many idle thread runners (issue 12). One daemon per mode, spares
// off: the subprocess side starts --subprocess idle agents (each its own process: their RSS
// is summed from /proc), the thread side --threads idle agents (workers of the daemon: its
// RSS grows). Spawn → ready is `readyAt − createdAt` of the first 10 starts, made one at a
// time (the rest go 25 at a time). Then `x agent list --json`
// (the CLI, as a user runs it) is timed against the daemon with every thread runner.
// Flags: --threads N (default 500), --subprocess N (default 20), --list-samples N (default 5).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Table from 'cli-table3';
import { readRssBytes, sampleRss } from './proc-memory.js';
import { median } from './stats.js';
import { startXDaemon, X_CLI_BIN } from './x-daemon.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    threads: { type: 'string', default: '500' },
    subprocess: { type: 'string', default: '20' },
    'list-samples': { type: 'string', default: '5' },
  },
});
const AGENT = fileURLToPath(new URL('../fixtures/idle-agent.mjs', import.meta.url));
const run = promisify(execFile);
const log = (text) => process.stderr.write(`${text}\n`);
const MIB = 1024 * 1024;
/** Starts timed alone, before the rest are started 25 at a time. */
const SINGLES = 10;

/**
 * Starts `count` idle agents in `mode`: SINGLES one at a time (their spawn → ready, ms, is
 * returned), the rest 25 at a time; returns also the runs' pids.
 * @param {Awaited<ReturnType<typeof startXDaemon>>} daemon
 * @param {'thread' | 'subprocess'} mode
 * @param {number} count
 */
async function startIdle(daemon, mode, count) {
  const readyMs = [];
  const pids = [];
  // The first SINGLES one at a time: their spawn → ready is a start's own, not a burst's.
  for (let i = 0; i < count; i += i < SINGLES ? 1 : 25) {
    const size = i < SINGLES ? 1 : Math.min(25, count - i);
    const batch = Array.from({ length: size }, (_, k) =>
      daemon.rpc.request(
        'agent.start',
        { module: AGENT, name: `${mode}-${i + k}`, intervalMs: 3_600_000, runnerMode: mode },
        { timeoutMs: 60_000 },
      ),
    );
    for (const record of /** @type {import('@x/daemon').RunRecord[]} */ (
      await Promise.all(batch)
    )) {
      if (record.readyAt !== null && i < SINGLES) {
        readyMs.push(record.readyAt - record.createdAt);
      }
      if (mode === 'subprocess') {
        daemon.track(record.pid);
        pids.push(record.pid);
      }
    }
  }
  return { readyMs, pids };
}

const threads = Number(flags.threads);
const subprocesses = Number(flags.subprocess);
const env = { X_RUNNER_SPARES: '0' };

log(`subprocess mode: ${subprocesses} idle runners`);
const subDaemon = await startXDaemon({ env });
let sub;
try {
  const started = await startIdle(subDaemon, 'subprocess', subprocesses);
  const rss = started.pids.map((pid) => readRssBytes(pid) ?? 0);
  sub = { readyMs: median(started.readyMs), perRunnerMiB: median(rss) / MIB };
} finally {
  await subDaemon.close();
}

log(`thread mode: ${threads} idle runners`);
const threadDaemon = await startXDaemon({ env });
let thread;
try {
  const base = await sampleRss(threadDaemon.pid);
  const started = await startIdle(threadDaemon, 'thread', threads);
  const held = await sampleRss(threadDaemon.pid);
  const listMs = [];
  for (let i = 0; i < Number(flags['list-samples']); i += 1) {
    const begun = performance.now();
    await run(
      process.execPath,
      [X_CLI_BIN, '--home', threadDaemon.home, 'agent', 'list', '--json'],
      {
        maxBuffer: 256 * MIB,
      },
    );
    listMs.push(performance.now() - begun);
  }
  thread = {
    readyMs: median(started.readyMs),
    perRunnerMiB: (held - base) / threads / MIB,
    daemonMiB: held / MIB,
    listMs: median(listMs),
  };
} finally {
  await threadDaemon.close();
}

const table = new Table({ head: ['idle runner', 'thread', 'subprocess', 'thread / subprocess'] });
table.push(
  [
    'spawn → ready, p50',
    `${thread.readyMs.toFixed(1)} ms`,
    `${sub.readyMs.toFixed(1)} ms`,
    `${(thread.readyMs / sub.readyMs).toFixed(2)}×`,
  ],
  [
    'memory per idle runner',
    `${thread.perRunnerMiB.toFixed(1)} MiB (daemon RSS growth)`,
    `${sub.perRunnerMiB.toFixed(1)} MiB (its RSS)`,
    `${(thread.perRunnerMiB / sub.perRunnerMiB).toFixed(2)}×`,
  ],
  [`daemon with ${threads} thread runners`, `${thread.daemonMiB.toFixed(0)} MiB RSS`, '', ''],
  [
    `x agent list --json, ${threads} runs, p50`,
    `${thread.listMs.toFixed(0)} ms`,
    '',
    'goal < 1000 ms',
  ],
);
process.stdout.write(`${table.toString()}\n`);
