// `pnpm bench`: the overhead of @x/ai-sdk's middleware per model call (issue 15; goal under
// 0.2 ms at p50). The model is the AI SDK's mock (ai/test), answering at once, so what is
// measured is the SDK's own call path with and without withX(model, ctx): per call, bare
// generateText / streamText beside the same call through the middleware, inside a step of an
// in-process runner (createRunner, whose onUsage takes the reports). Variants: a model of the
// price catalog (gpt-4o-mini: the catalog lookup), a model missing from it (a remembered
// miss), and cost: false (tokens only). Calls of the variants alternate, so load on the
// machine hits them alike. Prints the median over --runs runs of each run's p50 and p99;
// writes bench-results/ai-sdk.json.
// Flags: --runs N (default 5), --calls N (per variant and run, default 2000), --out FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import Table from 'cli-table3';
import { withX } from '@x/ai-sdk';
import { createRunner, defineAgent } from '@x/kernel';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '5' },
    calls: { type: 'string', default: '2000' },
    out: { type: 'string' },
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

const usage = {
  inputTokens: { total: 1000, noCache: 1000, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 100, text: 100, reasoning: 0 },
};
const finishReason = { unified: /** @type {const} */ ('stop'), raw: 'stop' };

/** @param {string} modelId */
function mockModel(modelId) {
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId,
    doGenerate: async () => ({
      content: [{ type: 'text', text: 'ok' }],
      finishReason,
      usage,
      warnings: [],
    }),
    doStream: async () => ({
      stream: simulateReadableStream({
        initialDelayInMs: null,
        chunkDelayInMs: null,
        chunks: [
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'ok' },
          { type: 'text-end', id: 't' },
          { type: 'finish', finishReason, usage },
        ],
      }),
    }),
  });
}

/** @typedef {(model: any) => Promise<unknown>} Call */
/** @type {Record<string, Call>} */
const CALLS = {
  generateText: (model) => generateText({ model, prompt: 'hi' }),
  streamText: async (model) => {
    const result = streamText({ model, prompt: 'hi' });
    for await (const delta of result.textStream) {
      void delta;
    }
  },
};

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
const table = new Table({
  head: ['call', 'p50 ms', 'p99 ms', 'overhead p50 ms', 'overhead p99 ms'],
  style: { head: [], border: [] },
});
/** @type {Record<string, unknown>} */
const results = {};
for (const callName of Object.keys(CALLS)) {
  const bare = all[`${callName}: bare mock model`];
  const bareP50 = median(bare?.p50 ?? []);
  const bareP99 = median(bare?.p99 ?? []);
  for (const [name, entry] of Object.entries(all).filter(([key]) =>
    key.startsWith(`${callName}:`),
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
