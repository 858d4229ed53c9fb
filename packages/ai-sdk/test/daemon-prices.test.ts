// The operator's prices under a real daemon through the built CLI (`x`): `x daemon start
// --config` refuses a bad price file (exit 78, naming the file, the model and the field);
// with a good one, examples/ai-sdk/budgeted-writer.mjs is priced by it in both runner modes;
// a model priced nowhere is counted by tokens, listed as cost unknown in `x agent status`
// (text and --json), and a run with --max-cost is warned once that its budget cannot see it.
// Needs @x/cli, @x/kernel and @x/ai-sdk built.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, x } from './x-cli.js';

/** The operator's price of gpt-4o-mini here: $1 in, $2 out per M (the catalog's: $0.15, $0.60). */
const PRICES = { 'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } };
/** One call of the example, 10 000 in and 1 000 out, at those prices. */
const CALL_USD = (10_000 * 1 + 1_000 * 2) / 1e6;

interface Status {
  run: { state: string };
  usage: {
    costUsd: number;
    calls: number;
    callsWithoutCost: number;
    inputTokens: number;
    modelsWithoutCost: { model: string | null; calls: number }[];
    modelsWithoutCostTotal: number;
    costBudgetWarning: string | null;
  };
}

describe("@x/ai-sdk under a daemon started with a price file (x.config.json's modelPrices)", () => {
  const home = mkdtempSync('/tmp/x-prices-');
  const config = `${home}/x.config.json`;
  const status = async (name: string) =>
    JSON.parse((await x(home, ['agent', 'status', name, '--json'])).stdout) as Status;
  const exited = async (name: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await status(name)).run.state !== 'exited') {
      if (Date.now() > deadline) {
        throw new Error(`${name} did not exit within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const start = async (name: string, ...args: string[]) => {
    const started = await x(home, ['agent', 'start', EXAMPLE, '--name', name, ...args]);
    expect(started.code, started.stderr).toBe(0);
  };

  beforeAll(async () => {
    writeFileSync(config, JSON.stringify({ modelPrices: PRICES }));
    const started = await x(home, ['daemon', 'start', '--config', config]);
    expect(started.code, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await x(home, ['daemon', 'stop']);
    rmSync(home, { recursive: true, force: true });
  });

  it('a bad price file is refused with exit 78 naming the file, the model and the field; no daemon starts', async () => {
    const bad = `${home}/bad.json`;
    writeFileSync(
      bad,
      JSON.stringify({ modelPrices: { 'my-llm': { inputUsdPerMTok: 1, outputUsdPerMTok: '2' } } }),
    );
    const refused = await x(`${home}/other`, ['daemon', 'start', '--config', bad]);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain(
      `x: ${bad}: modelPrices["my-llm"].outputUsdPerMTok: expected a number ≥ 0 (US dollars per million tokens), got "2"`,
    );
    expect((await x(`${home}/other`, ['daemon', 'status'])).code).not.toBe(0);
  });

  it.each(['subprocess', 'thread'])(
    "%s runner: each call is priced at the operator's price, not the catalog's",
    async (mode) => {
      const name = `priced-${mode}`;
      await start(name, '--runner-mode', mode, '--param', 'steps=1', '--param', 'callMs=10');
      await exited(name);
      const { usage } = await status(name);
      expect(usage).toMatchObject({ calls: 3, callsWithoutCost: 0, modelsWithoutCost: [] });
      expect(usage.costUsd).toBeCloseTo(3 * CALL_USD, 9);
    },
  );

  it('a model priced nowhere: tokens counted, cost unknown with its name in status, one warning under --max-cost', async () => {
    const runName = 'unknown-model';
    const unknown = ['--param', 'model=in-house-llm-7b', '--param', 'callMs=10'];
    await start(
      runName,
      '--max-cost',
      '0.01',
      ...unknown,
      '--param',
      'steps=2',
      '--interval',
      '10',
    );
    await start('no-budget', ...unknown, '--param', 'steps=1');
    await exited(runName);
    await exited('no-budget');
    const { usage } = await status(runName);
    expect(usage).toMatchObject({
      calls: 6,
      callsWithoutCost: 6,
      costUsd: 0,
      inputTokens: 60_000,
      modelsWithoutCost: [{ model: 'in-house-llm-7b', calls: 6 }],
      modelsWithoutCostTotal: 1,
    });
    expect(usage.costBudgetWarning).toContain(
      'the cost budget (--max-cost $0.01) cannot see model in-house-llm-7b',
    );
    // Without a cost budget: listed, no warning.
    expect((await status('no-budget')).usage).toMatchObject({
      modelsWithoutCost: [{ model: 'in-house-llm-7b', calls: 3 }],
      costBudgetWarning: null,
    });

    const text = (await x(home, ['agent', 'status', runName])).stdout;
    expect(text).toMatch(/cost unknown: +in-house-llm-7b \(6 reports\)/);
    // In the list: tokens, and a cost that is unknown, not $0.00 or blank.
    const [header = '', ...rows] = (await x(home, ['agent', 'list'])).stdout.split('\n');
    const row = rows.find((line) => line.startsWith(`${runName} `)) ?? '';
    const cell = (column: string, next: string) =>
      row.slice(header.indexOf(column), header.indexOf(next)).trim();
    expect(cell('TOKENS', 'COST')).toMatch(/^\d[\d ]*\d$/);
    expect(cell('COST', 'AGE')).toBe('?');
    expect(text).toMatch(/warning: +the cost budget \(--max-cost \$0\.01\) cannot see model/);

    const logs = (await x(home, ['agent', 'logs', runName])).stdout;
    expect(logs.split('\n').filter((line) => line.includes('cannot see model'))).toHaveLength(1);
    const events = (await x(home, ['events', '--run', runName, '--type', 'log', '--json'])).stdout
      .split('\n')
      .filter((line) => line.includes('cannot see model'));
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0] ?? '{}')).toMatchObject({ type: 'log', level: 'warn' });
  });
});
