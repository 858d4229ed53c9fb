// `pnpm --filter @x/bench-lifecycle bench:rss`: the RSS of an idle daemon, x's beside pm2's God
// daemon, in one run (issue 12's goal: x's below pm2's). Each round starts an x daemon (its
// default: one spare runner, which is a process of its own and not counted), an x daemon with
// X_RUNNER_SPARES=0 and a pm2 daemon, one after the other, each with nothing to run, and reads
// its RSS as `pnpm bench` does (the median of 5 readings 200 ms apart, after --settle-ms), split
// into anonymous memory (heaps) and file-backed pages (the node binary and libraries, shared
// with every other Node process); and again --idle-ms after the start, once V8's memory reducer
// has had time to run (it shrinks the heaps a few seconds after start-up's allocations stop).
// Prints the medians over the rounds.
// Flags: --rounds N (default 3), --settle-ms N (default 1000), --idle-ms N (default 20000),
// --out FILE.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { startPm2Daemon } from './pm2-daemon.js';
import { sampleRss } from './proc-memory.js';
import { median } from './stats.js';
import { startXDaemon } from './x-daemon.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '1000' },
    'idle-ms': { type: 'string', default: '20000' },
    out: { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
const settleMs = Number(flags['settle-ms']);
const idleMs = Number(flags['idle-ms']);
const outFile = resolve(
  flags.out ?? fileURLToPath(new URL('../bench-results/idle-rss.json', import.meta.url)),
);
const log = (text) => process.stderr.write(`${text}\n`);

/** `RssAnon` and `RssFile` of /proc/<pid>/status, bytes. @param {number} pid */
function rssParts(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) * 1024;
  return { anon: field('RssAnon'), file: field('RssFile') };
}

/**
 * RSS after --settle-ms and after --idle-ms (both counted from the start).
 * @param {{ pid: number, close(): Promise<void> }} daemon
 */
async function measure(daemon) {
  const started = performance.now();
  try {
    await sleep(settleMs);
    const settled = { rss: await sampleRss(daemon.pid), ...rssParts(daemon.pid) };
    await sleep(Math.max(0, idleMs - (performance.now() - started)));
    const idle = { rss: await sampleRss(daemon.pid), ...rssParts(daemon.pid) };
    return { settled, idle };
  } finally {
    await daemon.close();
  }
}

/** @typedef {{ rss: number, anon: number, file: number }} Reading */
/** @type {Record<string, { settled: Reading, idle: Reading }[]>} */
const samples = {
  'x daemon (default: 1 spare)': [],
  'x daemon (spares off)': [],
  'pm2 God daemon': [],
};
const loads = [];
for (let round = 1; round <= rounds; round += 1) {
  log(`idle rss: round ${round} of ${rounds}`);
  loads.push(loadavg()[0]);
  samples['x daemon (default: 1 spare)'].push(await measure(await startXDaemon()));
  samples['x daemon (spares off)'].push(
    await measure(await startXDaemon({ env: { X_RUNNER_SPARES: '0' } })),
  );
  samples['pm2 God daemon'].push(await measure(await startPm2Daemon()));
}

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
/** Medians of one reading (`settled` or `idle`) of each daemon. */
const summarize = (/** @type {'settled' | 'idle'} */ when) =>
  Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        rssBytes: median(list.map((s) => s[when].rss)),
        anonBytes: median(list.map((s) => s[when].anon)),
        fileBytes: median(list.map((s) => s[when].file)),
        rssSamples: list.map((s) => s[when].rss),
      },
    ]),
  );
const results = { settled: summarize('settled'), idle: summarize('idle') };
const table = new Table({
  head: [
    'daemon, nothing to run',
    'after',
    'RSS MiB',
    'anon MiB',
    'file-backed MiB',
    '× pm2',
    'RSS per round MiB',
  ],
  style: { head: [], border: [] },
});
for (const [when, after] of /** @type {const} */ ([
  ['settled', settleMs],
  ['idle', idleMs],
])) {
  const pm2 = results[when]['pm2 God daemon'].rssBytes;
  for (const [name, result] of Object.entries(results[when])) {
    table.push([
      name,
      `${(after / 1000).toFixed(0)} s`,
      mib(result.rssBytes),
      mib(result.anonBytes),
      mib(result.fileBytes),
      `${(result.rssBytes / pm2).toFixed(2)}×`,
      result.rssSamples.map(mib).join(', '),
    ]);
  }
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  `${JSON.stringify({ node: process.version, cpus: cpus().length, loadAverage1m: loads, rounds, settleMs, idleMs, results, samples }, null, 2)}\n`,
);
process.stdout.write(
  `idle daemon RSS: median of ${rounds} rounds, Node ${process.version}, load ${loads.map((l) => l.toFixed(1)).join(' / ')}\n${table.toString()}\n`,
);
log(`wrote ${outFile}`);
// pm2's client may keep timers alive after its daemon is gone (see run.js): end explicitly.
process.exit(0);
