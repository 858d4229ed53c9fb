// withX / xModelProvider with a scripted Agents SDK model (no network, no key), inside the step
// of an in-process runner (createRunner of @x/kernel): usage reports and the pause gate.
import { Agent, run, Runner, setTracingDisabled, type Model } from '@openai/agents';
import { createRunner, defineAgent, type AgentContext, type UsageReport } from '@x/kernel';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunPausedError, withX, xModelProvider } from '../src/index.js';
import { ScriptedModel } from './scripted-model.js';

beforeAll(() => setTracingDisabled(true));

/** Runs `body` as the one step of an in-process runner; returns what it reported. */
async function inStep(
  body: (ctx: AgentContext, runner: ReturnType<typeof createRunner>) => Promise<void>,
): Promise<UsageReport[]> {
  const reports: UsageReport[] = [];
  const runner: ReturnType<typeof createRunner> = createRunner(
    defineAgent({
      async step(ctx) {
        await body(ctx, runner);
        return { done: true };
      },
    }),
    { intervalMs: 0, onUsage: (report) => reports.push(report) },
  );
  await runner.start();
  const outcome = await runner.finished;
  expect(outcome.reason).toBe('done');
  return reports;
}

describe('withX', () => {
  it('reports tokens, model name and catalog cost of each call (gpt-4o-mini: $0.15 in, $0.60 out per M)', async () => {
    const reports = await inStep(async (ctx) => {
      const model = withX(new ScriptedModel([{ text: 'hello' }]), ctx, {
        modelName: 'gpt-4o-mini',
      });
      const result = await run(new Agent({ name: 'greeter', model }), 'hi');
      expect(result.finalOutput).toBe('hello');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      inputTokens: 1000,
      outputTokens: 100,
      model: 'gpt-4o-mini',
    });
    expect(reports[0].costUsd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 10);
  });

  it('streamed runs report from response_done; cached input tokens are priced as cache reads', async () => {
    const reports = await inStep(async (ctx) => {
      const scripted = new ScriptedModel([{ text: 'streamed' }], {
        inputTokens: 2000,
        outputTokens: 50,
        cachedTokens: 1000,
      });
      const model = withX(scripted, ctx, { modelName: 'gpt-4o-mini' });
      const result = await run(new Agent({ name: 's', model }), 'hi', { stream: true });
      await result.completed;
      expect(result.finalOutput).toBe('streamed');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ inputTokens: 2000, outputTokens: 50 });
    // 1000 plain at $0.15, 1000 cached at $0.075, 50 out at $0.60 per M
    expect(reports[0].costUsd).toBeCloseTo((1000 * 0.15 + 1000 * 0.075 + 50 * 0.6) / 1e6, 10);
  });

  it('a model missing from the catalog is reported without a cost; prices override the catalog', async () => {
    const reports = await inStep(async (ctx) => {
      const unknown = withX(new ScriptedModel([{ text: 'a' }]), ctx, { modelName: 'my-llm-7b' });
      await run(new Agent({ name: 'a', model: unknown }), 'hi');
      const priced = withX(new ScriptedModel([{ text: 'b' }]), ctx, {
        modelName: 'my-llm-7b',
        prices: { 'my-llm-7b': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } },
      });
      await run(new Agent({ name: 'b', model: priced }), 'hi');
    });
    expect(reports[0]).toEqual({ inputTokens: 1000, outputTokens: 100, model: 'my-llm-7b' });
    expect(reports[1].costUsd).toBeCloseTo((1000 * 1 + 100 * 2) / 1e6, 10);
  });

  it("the operator's prices (ctx.modelPrices) win over the code's prices and the catalog", async () => {
    const reports = await inStep(async (ctx) => {
      const operated = {
        ...ctx,
        modelPrices: { 'gpt-4o-mini': { inputUsdPerMTok: 2, outputUsdPerMTok: 20 } },
      };
      const model = withX(new ScriptedModel([{ text: 'a' }]), operated, {
        modelName: 'gpt-4o-mini',
        prices: { 'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } },
      });
      await run(new Agent({ name: 'a', model }), 'hi');
    });
    expect(reports[0].costUsd).toBeCloseTo((1000 * 2 + 100 * 20) / 1e6, 10);
  });

  it('xModelProvider wraps every model a Runner asks for by name', async () => {
    const reports = await inStep(async (ctx) => {
      const provider = xModelProvider(
        { getModel: (): Model => new ScriptedModel([{ text: 'via provider' }]) },
        ctx,
      );
      const runner = new Runner({ modelProvider: provider });
      const result = await runner.run(new Agent({ name: 'p', model: 'gpt-4o-mini' }), 'hi');
      expect(result.finalOutput).toBe('via provider');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 1000 });
    expect(reports[0].costUsd).toBeGreaterThan(0);
  });

  it('a call made while the run is paused waits for the resume; nothing reaches the model meanwhile', async () => {
    const scripted = new ScriptedModel([{ text: 'after resume' }]);
    const reports = await inStep(async (ctx, runner) => {
      const model = withX(scripted, ctx, { modelName: 'gpt-4o-mini' });
      runner.pause('budget reached (test)');
      const pending = run(new Agent({ name: 'w', model }), 'hi');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(scripted.requests).toHaveLength(0);
      runner.resume();
      expect((await pending).finalOutput).toBe('after resume');
    });
    expect(scripted.requests).toHaveLength(1);
    expect(reports).toHaveLength(1);
  });

  it("whenPaused: 'throw' rejects a call made while paused with RunPausedError", async () => {
    const scripted = new ScriptedModel([{ text: 'never' }]);
    await inStep(async (ctx, runner) => {
      const model = withX(scripted, ctx, { modelName: 'gpt-4o-mini', whenPaused: 'throw' });
      runner.pause('cost $1.02 reached the budget of $1.00 (--max-cost)');
      const error = await run(new Agent({ name: 't', model }), 'hi').catch((e: unknown) => e);
      runner.resume();
      expect(error).toBeInstanceOf(RunPausedError);
      expect((error as RunPausedError).code).toBe('X_OPENAI_AGENTS_RUN_PAUSED');
      expect((error as RunPausedError).message).toContain('--max-cost');
    });
    expect(scripted.requests).toHaveLength(0);
  });

  it('refuses a ctx without reportUsage and a bad whenPaused, naming the fix', () => {
    const model = new ScriptedModel([]);
    expect(() => withX(model, {} as never, { modelName: 'm' })).toThrow(
      /ctx\.reportUsage is undefined/,
    );
    const ctx = {
      reportUsage() {},
      pauseReason: () => undefined,
      whenResumed: async () => undefined,
    };
    expect(() => withX(model, ctx, { modelName: 'm', whenPaused: 'later' as never })).toThrow(
      /whenPaused must be 'wait' or 'throw', got "later"/,
    );
  });
});
