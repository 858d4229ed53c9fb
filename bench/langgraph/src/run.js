// `pnpm bench` (issue 15): time per super-step of a LangGraph graph (one node looping 200
// times, durability 'sync') with x's saver, in a subprocess runner and in a thread runner of a
// real x daemon, beside @langchain/langgraph-checkpoint-sqlite in a plain Node process (what
// a LangGraph user would otherwise pick) and MemorySaver (the floor: nothing leaves the
// process), measured in the same run. Goal: x within 1.5× the SQLite saver.
//
// Each configuration runs `rounds` invokes per process (MemorySaver alternating with the
// saver under test, after a warm-up), in `runs` fresh processes; the table gives the median.
//
//   pnpm --filter @x/bench-langgraph bench [-- --steps 200 --rounds 3 --runs 3]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Table from 'cli-table3';
import { startXDaemon } from '../../durable/src/x-daemon.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures');
const X_BIN = join(dirname(fileURLToPath(import.meta.resolve('@x/cli/package.json'))), 'bin.js');

/** The goal of issue 15: the x saver within 1.5× LangGraph's SQLite saver. */
const GOAL = 1.5;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
  },
});
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const runs = Number(values.runs);

/** @param {readonly number[]} list */
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** @returns {Promise<{ sqlite: number[], memory: number[] }>} */
async function sqliteRun() {
  const { stdout } = await run(process.execPath, [
    join(fixtures, 'sqlite-saver.mjs'),
    String(steps),
    String(rounds),
  ]);
  return JSON.parse(stdout);
}

/**
 * One x agent run in a fresh daemon: the x saver and MemorySaver in the runner's process.
 * @param {'subprocess' | 'thread'} mode
 * @returns {Promise<{ x: number[], memory: number[] }>}
 */
async function xRun(mode) {
  const daemon = await startXDaemon();
  try {
    const out = join(daemon.home, 'figures.json');
    await run(
      process.execPath,
      [
        X_BIN,
        'agent',
        'start',
        join(fixtures, 'saver-agent.mjs'),
        '--name',
        'saver',
        '--runner-mode',
        mode,
        '--param',
        `steps=${steps}`,
        '--param',
        `rounds=${rounds}`,
        '--param',
        `out=${out}`,
      ],
      { env: { ...process.env, X_HOME: daemon.home } },
    );
    const deadline = Date.now() + 300_000;
    while (!existsSync(out)) {
      if (Date.now() > deadline) {
        throw new Error(`the ${mode} agent wrote no figures within 300 s (see ${daemon.home})`);
      }
      await sleep(50);
    }
    await sleep(50); // written in one call; let it land
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    await daemon.close();
  }
}

const samples = {
  sqlite: /** @type {number[]} */ ([]),
  sqliteMemory: /** @type {number[]} */ ([]),
  subprocess: /** @type {number[]} */ ([]),
  subprocessMemory: /** @type {number[]} */ ([]),
  thread: /** @type {number[]} */ ([]),
  threadMemory: /** @type {number[]} */ ([]),
};
/** Per run: the ratios of that run's medians, x against SQLite. */
const perRun = /** @type {{ subprocess: number, thread: number }[]} */ ([]);
const load = [loadavg()[0]];
for (let i = 0; i < runs; i++) {
  const sqlite = await sqliteRun();
  const subprocess = await xRun('subprocess');
  const thread = await xRun('thread');
  samples.sqlite.push(...sqlite.sqlite);
  samples.sqliteMemory.push(...sqlite.memory);
  samples.subprocess.push(...subprocess.x);
  samples.subprocessMemory.push(...subprocess.memory);
  samples.thread.push(...thread.x);
  samples.threadMemory.push(...thread.memory);
  perRun.push({
    subprocess: median(subprocess.x) / median(sqlite.sqlite),
    thread: median(thread.x) / median(sqlite.sqlite),
  });
  load.push(loadavg()[0]);
}

const sqliteMs = median(samples.sqlite);
const fmt = (/** @type {number} */ ms) => `${ms.toFixed(2)} ms`;
const ratio = (/** @type {number} */ r) => `${r.toFixed(2)}×`;
const rows = [
  {
    saver: 'x saver, subprocess runner',
    ms: median(samples.subprocess),
    memory: median(samples.subprocessMemory),
    runs: perRun.map((r) => ratio(r.subprocess)).join(' / '),
  },
  {
    saver: 'x saver, thread runner',
    ms: median(samples.thread),
    memory: median(samples.threadMemory),
    runs: perRun.map((r) => ratio(r.thread)).join(' / '),
  },
  {
    saver: 'SQLite saver, agent’s process (peer)',
    ms: sqliteMs,
    memory: median(samples.sqliteMemory),
    runs: '',
  },
];
const table = new Table({
  head: [
    'saver',
    `per super-step, p50`,
    `MemorySaver, same process`,
    'vs SQLite saver',
    'vs MemorySaver',
    'each run (vs SQLite)',
  ],
});
for (const row of rows) {
  table.push([
    row.saver,
    fmt(row.ms),
    fmt(row.memory),
    ratio(row.ms / sqliteMs),
    ratio(row.ms / row.memory),
    row.runs,
  ]);
}
console.log(
  `LangGraph graph of ${steps} super-steps, durability 'sync': ${rounds} invokes per process × ${runs} runs; ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
console.log(table.toString());
const worst = Math.max(...rows.slice(0, 2).map((row) => row.ms / sqliteMs));
console.log(
  `goal: the x saver within ${GOAL}× the SQLite saver: ${worst <= GOAL ? 'met' : 'not met'} (worst ${ratio(worst)})`,
);
const resultsDir = join(here, '..', 'bench-results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'langgraph.json'),
  `${JSON.stringify({ date: new Date().toISOString(), steps, rounds, runs, load, samples, perRun }, null, 2)}\n`,
);
