// `pnpm bench`: the overhead of @x/ai-sdk's middleware per model call (issue 15; goal under
// 0.2 ms at p50). The model is the AI SDK's mock (ai/test), answering at once, so what is
// measured is the SDK's own call path with and without withX(model, ctx): per call, bare
// generateText / streamText beside the same call through the middleware, inside a step of an
// in-process runner (createRunner, whose onUsage takes the reports). Variants: a model of the
// price catalog (gpt-4o-mini: the catalog lookup), a model missing from it (a remembered
// miss), and cost: false (tokens only). Calls of the variants alternate, so load on the
// machine hits them alike. Then the same under a real daemon (the built CLI, `x daemon start`
// in a temp X_HOME, a subprocess runner: daemon-agent.js), where each withX call also awaits
// ctx.whenResumed(): without a budget (nothing to wait for) and with --max-cost (the
// usage_ack of the previous call's report), bare and withX calls alternating in the same step.
// Prints the median over --runs runs of each run's p50 and p99; writes
// bench-results/ai-sdk.json.
// Flags: --runs N (default 5), --calls N (per variant and run, default 2000), --out FILE,
// --skip-daemon (in-process only; the daemon part needs packages/cli built).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { withX } from '@x/ai-sdk';
import { createRunner, defineAgent } from '@x/kernel';
import { CALLS, mockModel } from './mock-calls.js';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '5' },
    calls: { type: 'string', default: '2000' },
    out: { type: 'string' },
    'skip-daemon': { type: 'boolean', default: false },
  },
});
const runs = positive('runs', flags.runs);
const callsPerRun = positive('calls', flags.calls);

/**
 * @param {string} name
 * @param {string | undefined} text
 */
function positive(name, text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`bench/ai-sdk: --${name} must be an integer >= 1, got ${text}`);
    process.exit(2);
  }
  return value;
}

/** @param {number[]} sorted @param {number} q */
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
/** @param {number[]} values */
const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/**
 * One run: every variant's calls, alternating, inside one step of an in-process runner.
 * @returns {Promise<Record<string, { p50: number; p99: number }>>} ms
 */
async function oneRun() {
  /** @type {Record<string, { p50: number; p99: number }>} */
  const figures = {};
  let reports = 0;
  const runner = createRunner(
    defineAgent({
      async step(ctx) {
        const catalog = mockModel('gpt-4o-mini');
        const missing = mockModel('in-house-llm-7b');
        /** @type {[string, any][]} */
        const variants = [
          ['bare mock model', catalog],
          ['withX (catalog model)', withX(catalog, ctx)],
          ['withX (model not in catalog)', withX(missing, ctx)],
          ['withX (cost: false)', withX(catalog, ctx, { cost: false })],
        ];
        for (const [callName, call] of Object.entries(CALLS)) {
          /** @type {number[][]} */
          const samples = variants.map(() => []);
          for (let i = 0; i < 200; i += 1) {
            for (const [, model] of variants) {
              await call(model); // warm-up
            }
          }
          for (let i = 0; i < callsPerRun; i += 1) {
            for (const [index, [, model]] of variants.entries()) {
              const started = performance.now();
              await call(model);
              samples[index]?.push(performance.now() - started);
            }
          }
          for (const [index, [name]] of variants.entries()) {
            const sorted = (samples[index] ?? []).sort((a, b) => a - b);
            figures[`${callName}: ${name}`] = {
              p50: quantile(sorted, 0.5),
              p99: quantile(sorted, 0.99),
            };
          }
        }
        return { done: true };
      },
    }),
    { intervalMs: 0, onUsage: () => void (reports += 1) },
  );
  await runner.start();
  const outcome = await runner.finished;
  if (outcome.reason !== 'done' || reports === 0) {
    throw new Error(
      `bench/ai-sdk: the run ended ${outcome.reason} (${outcome.summary ?? ''}) with ${reports} reports`,
    );
  }
  return figures;
}

console.log(
  `bench/ai-sdk: ${runs} runs × ${callsPerRun} calls per variant; node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
);
/** @type {Record<string, { p50: number[]; p99: number[] }>} */
const all = {};
for (let run = 0; run < runs; run += 1) {
  for (const [name, { p50, p99 }] of Object.entries(await oneRun())) {
    const entry = (all[name] ??= { p50: [], p99: [] });
    entry.p50.push(p50);
    entry.p99.push(p99);
  }
}
const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(HERE, '../../../packages/cli/bin.js');
const AGENT = resolve(HERE, 'daemon-agent.js');
/** Under the daemon: the run's extra `x agent start` options, by variant. */
const DAEMON_VARIANTS = {
  'daemon, no budget': [],
  'daemon, --max-cost': ['--max-cost', '1000000'],
};

/**
 * `x <args>` with X_HOME `home`, through the built CLI.
 * @param {string} home @param {string[]} args
 * @returns {Promise<string>} stdout
 */
function x(home, args) {
  return new Promise((resolveRun, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, X_HOME: home }, timeout: 60_000 },
      (error, stdout, stderr) =>
        error === null
          ? resolveRun(stdout)
          : reject(
              new Error(`bench/ai-sdk: x ${args.join(' ')} failed: ${stderr || error.message}`),
            ),
    );
  });
}

/**
 * One run of each daemon variant: an agent whose step times bare and withX calls, alternating.
 * @param {string} home @param {number} run
 * @returns {Promise<Record<string, { p50: number; p99: number }>>} ms, by `call: variant: bare|withX`
 */
async function oneDaemonRun(home, run) {
  /** @type {Record<string, { p50: number; p99: number }>} */
  const figures = {};
  for (const [variant, options] of Object.entries(DAEMON_VARIANTS)) {
    const name = `bench-${run}-${options.length === 0 ? 'free' : 'budget'}`;
    const out = join(home, `${name}.json`);
    await x(home, [
      'agent',
      'start',
      AGENT,
      '--name',
      name,
      '--runner-mode',
      'subprocess',
      '--params',
      JSON.stringify({ calls: callsPerRun, out }),
      ...options,
    ]);
    const deadline = Date.now() + 300_000;
    while (!existsSync(out)) {
      if (Date.now() > deadline) {
        throw new Error(
          `bench/ai-sdk: ${name} wrote no samples: ${await x(home, ['agent', 'status', name])}`,
        );
      }
      await new Promise((settle) => setTimeout(settle, 100));
    }
    await new Promise((settle) => setTimeout(settle, 50)); // written whole (one writeFileSync)
    /** @type {Record<string, Record<string, number[]>>} */
    const samples = JSON.parse(readFileSync(out, 'utf8'));
    for (const [callName, kinds] of Object.entries(samples)) {
      for (const [kind, values] of Object.entries(kinds)) {
        const sorted = values.sort((a, b) => a - b);
        figures[`${callName}: ${variant}: ${kind === 'bare' ? 'bare mock model' : 'withX'}`] = {
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
        };
      }
    }
  }
  return figures;
}

if (!flags['skip-daemon']) {
  if (!existsSync(BIN)) {
    console.error(
      `bench/ai-sdk: ${BIN} is missing; build the CLI (pnpm --filter @x/cli build) or pass --skip-daemon`,
    );
    process.exit(2);
  }
  const home = mkdtempSync(join(tmpdir(), 'x-bench-ai-'));
  try {
    await x(home, ['daemon', 'start']);
    for (let run = 0; run < runs; run += 1) {
      for (const [name, { p50, p99 }] of Object.entries(await oneDaemonRun(home, run))) {
        const entry = (all[name] ??= { p50: [], p99: [] });
        entry.p50.push(p50);
        entry.p99.push(p99);
      }
    }
  } finally {
    await x(home, ['daemon', 'stop']).catch((error) => console.error(error.message));
    rmSync(home, { recursive: true, force: true });
  }
}

const table = new Table({
  head: ['call', 'p50 ms', 'p99 ms', 'overhead p50 ms', 'overhead p99 ms'],
  style: { head: [], border: [] },
});
/** @type {Record<string, unknown>} */
const results = {};
// Each group's withX rows against the bare call of the same group (in-process, or one daemon
// variant: measured in the same step, alternating).
const groups = Object.keys(CALLS).flatMap((callName) => [
  `${callName}:`,
  ...Object.keys(DAEMON_VARIANTS).map((variant) => `${callName}: ${variant}:`),
]);
for (const group of groups) {
  const bare = all[`${group} bare mock model`];
  if (bare === undefined) {
    continue;
  }
  const bareP50 = median(bare.p50);
  const bareP99 = median(bare.p99);
  for (const [name, entry] of Object.entries(all).filter(
    ([key]) => key.startsWith(`${group} `) && !key.slice(group.length + 1).startsWith('daemon, '),
  )) {
    const p50 = median(entry.p50);
    const p99 = median(entry.p99);
    const isBare = name.endsWith('bare mock model');
    table.push([
      name,
      p50.toFixed(3),
      p99.toFixed(3),
      isBare ? '-' : (p50 - bareP50).toFixed(3),
      isBare ? '-' : (p99 - bareP99).toFixed(3),
    ]);
    results[name] = {
      p50Ms: p50,
      p99Ms: p99,
      overheadP50Ms: isBare ? 0 : p50 - bareP50,
      overheadP99Ms: isBare ? 0 : p99 - bareP99,
    };
  }
}
console.log(table.toString());
console.log('goal: overhead under 0.2 ms at p50 (issue 15)');
const out =
  flags.out ?? resolve(dirname(fileURLToPath(import.meta.url)), '../bench-results/ai-sdk.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ runs, callsPerRun, node: process.version, results }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
