// examples/ai-sdk/budgeted-writer.mjs under a real daemon through the built CLI (`x`), in both
// runner modes: the run reaches --max-cost and is paused before its next model call (the call
// that reached the budget is the only one over it), resumes on `x agent resume --add-cost`,
// and its spend in dollars comes from the price catalog (a model priced nowhere, and the
// operator's prices: daemon-prices.test.ts). Needs @x/cli, @x/kernel and @x/ai-sdk built.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, x } from './x-cli.js';

/** One call of the example: 10 000 in, 1 000 out at gpt-4o-mini's $0.15 / $0.60 per M. */
const CALL_USD = 0.0021;

interface Status {
  run: { state: string; pause?: { by: string; limit?: string } | null };
  usage: {
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    calls: number;
    callsWithoutCost: number;
  };
}

describe('@x/ai-sdk under a real daemon: --max-cost pauses before the next model call', () => {
  const home = mkdtempSync('/tmp/x-ai-');
  const status = async (name: string) =>
    JSON.parse((await x(home, ['agent', 'status', name, '--json'])).stdout) as Status;
  const calls = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  const until = async (predicate: () => Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) {
        throw new Error(`not met within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    expect((await x(home, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home, ['daemon', 'stop']);
    rmSync(home, { recursive: true, force: true });
  });

  for (const mode of ['subprocess', 'thread']) {
    it(`${mode} runner: paused after the call that reached $0.01 (the 5th), resumed by --add-cost`, async () => {
      const name = `writer-${mode}`;
      const trace = `${home}/${name}.txt`;
      const start = await x(home, [
        'agent',
        'start',
        EXAMPLE,
        '--name',
        name,
        '--runner-mode',
        mode,
        '--max-cost',
        '0.01',
        '--param',
        `trace=${trace}`,
        '--param',
        'callMs=100',
      ]);
      expect(start.code, start.stderr).toBe(0);
      await until(async () => (await status(name)).run.state === 'paused');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a 6th call would start now
      let seen = await status(name);
      expect(seen.run.pause).toMatchObject({ by: 'budget', limit: 'maxCostUsd' });
      // 4 calls are $0.0084, the 5th reaches $0.0105: none made after it.
      expect(calls(trace)).toBe(5);
      expect(seen.usage).toMatchObject({
        calls: 5,
        callsWithoutCost: 0,
        inputTokens: 50_000,
        outputTokens: 5_000,
      });
      expect(seen.usage.costUsd).toBeCloseTo(5 * CALL_USD, 9);

      const resumed = await x(home, ['agent', 'resume', name, '--add-cost', '0.01']);
      expect(resumed.code, resumed.stderr).toBe(0);
      // $0.0205 is reached by the 10th call ($0.021): paused again, after exactly 5 more.
      await until(async () => calls(trace) >= 10 && (await status(name)).run.state === 'paused');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      seen = await status(name);
      expect(calls(trace)).toBe(10);
      expect(seen.usage.calls).toBe(10);
      expect(seen.usage.costUsd).toBeCloseTo(10 * CALL_USD, 9);
      expect((await x(home, ['agent', 'stop', name])).code).toBe(0);
    });
  }

  it('a budget set while it runs (x agent budget) holds from the next call: paused after the 5th', async () => {
    const name = 'writer-late-budget';
    const trace = `${home}/${name}.txt`;
    const start = await x(home, [
      'agent',
      'start',
      EXAMPLE,
      '--name',
      name,
      '--param',
      `trace=${trace}`,
      '--param',
      'callMs=400',
    ]);
    expect(start.code, start.stderr).toBe(0);
    // Started under no budget (its runner asks for no acks); the budget comes at the 2nd call.
    await until(async () => calls(trace) >= 2);
    const budget = await x(home, ['agent', 'budget', name, '--max-cost', '0.01']);
    expect(budget.code, budget.stderr).toBe(0);
    expect(calls(trace)).toBeLessThan(5); // else this test proves nothing: raise callMs
    await until(async () => (await status(name)).run.state === 'paused');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a 6th call would start now
    expect(calls(trace)).toBe(5);
    expect((await status(name)).usage.calls).toBe(5);
    expect((await x(home, ['agent', 'stop', name])).code).toBe(0);
  });
});
