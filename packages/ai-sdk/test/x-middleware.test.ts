// xMiddleware with the AI SDK's own mock model (ai/test): no network. An in-process runner
// (createRunner) stands in for the daemon here; test/daemon-budget.test.ts runs the same
// middleware under a real daemon with --max-cost.
import { generateObject, generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { createRunner, defineAgent, type UsageReport } from '@x/kernel';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunPausedError, withX, xMiddleware } from '../src/index.js';

/** v3 usage of a call: `input` tokens in, `output` out. */
function usage(input: number, output: number, cacheRead = 0) {
  return {
    inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

function generatingModel(modelId: string, text = 'ok', calls: string[] = []) {
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId,
    doGenerate: async () => {
      calls.push('generate');
      return {
        content: [{ type: 'text', text }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(1000, 100),
        warnings: [],
      };
    },
  });
}

function streamingModel(modelId: string) {
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId,
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'response-metadata', id: 'r1', modelId: `${modelId}-2024-07-18` },
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'Hello, ' },
          { type: 'text-delta', id: 't', delta: 'world' },
          { type: 'text-end', id: 't' },
          {
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: usage(2000, 50, 1000),
          },
        ],
      }),
    }),
  });
}

/** Runs `body` as the one step of an in-process runner; returns what it reported. */
async function inStep(
  body: (ctx: Parameters<typeof xMiddleware>[0]) => Promise<void>,
  modelPrices?: Record<string, { inputUsdPerMTok: number; outputUsdPerMTok: number }>,
): Promise<UsageReport[]> {
  const reports: UsageReport[] = [];
  const runner = createRunner(
    defineAgent({
      async step(ctx) {
        await body(ctx);
        return { done: true };
      },
    }),
    {
      intervalMs: 0,
      onUsage: (report) => reports.push(report),
      ...(modelPrices === undefined ? {} : { modelPrices }),
    },
  );
  await runner.start();
  const outcome = await runner.finished;
  expect(outcome.reason).toBe('done');
  return reports;
}

describe('xMiddleware', () => {
  it('generateText: tokens, model id and cost from the catalog (gpt-4o-mini: $0.15 in, $0.60 out per M)', async () => {
    const reports = await inStep(async (ctx) => {
      const { text } = await generateText({
        model: withX(generatingModel('gpt-4o-mini'), ctx),
        prompt: 'hi',
      });
      expect(text).toBe('ok');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      inputTokens: 1000,
      outputTokens: 100,
      model: 'gpt-4o-mini',
    });
    expect(reports[0]?.costUsd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12);
  });

  it('streamText: usage from the finish part, the model id the provider answered, cached input priced as such', async () => {
    const reports = await inStep(async (ctx) => {
      const result = streamText({ model: withX(streamingModel('gpt-4o-mini'), ctx), prompt: 'hi' });
      let text = '';
      for await (const delta of result.textStream) {
        text += delta;
      }
      expect(text).toBe('Hello, world');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      inputTokens: 2000,
      outputTokens: 50,
      model: 'gpt-4o-mini-2024-07-18',
    });
    // 1000 uncached at $0.15/M, 1000 cached at $0.075/M, 50 out at $0.60/M
    expect(reports[0]?.costUsd).toBeCloseTo((1000 * 0.15 + 1000 * 0.075 + 50 * 0.6) / 1e6, 12);
  });

  it('generateObject is reported too; a model missing from the catalog reports tokens without a cost', async () => {
    const reports = await inStep(async (ctx) => {
      const { object } = await generateObject({
        model: withX(generatingModel('in-house-llm-7b', '{"answer":42}'), ctx),
        schema: z.object({ answer: z.number() }),
        prompt: 'the answer',
      });
      expect(object).toEqual({ answer: 42 });
    });
    expect(reports).toEqual([{ inputTokens: 1000, outputTokens: 100, model: 'in-house-llm-7b' }]);
  });

  it('prices override the catalog, by model id; a bad price is a TypeError naming it', async () => {
    const prices = { 'in-house-llm-7b': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } };
    const reports = await inStep(async (ctx) => {
      await generateText({
        model: withX(generatingModel('in-house-llm-7b'), ctx, { prices }),
        prompt: 'x',
      });
    });
    expect(reports[0]?.costUsd).toBeCloseTo((1000 * 1 + 100 * 10) / 1e6, 12);
    expect(() => xMiddleware({} as never)).toThrow(/ctx.reportUsage is undefined/);
    const ctx = {
      reportUsage() {},
      pauseReason: () => undefined,
      whenResumed: async () => undefined,
    };
    expect(() =>
      xMiddleware(ctx, { prices: { m: { inputUsdPerMTok: -1, outputUsdPerMTok: 1 } } }),
    ).toThrow('prices["m"]: inputUsdPerMTok must be a finite number >= 0, got -1');
  });

  it("the operator's prices (ctx.modelPrices) win over the code's prices and the catalog", async () => {
    const operator = { 'gpt-4o-mini': { inputUsdPerMTok: 2, outputUsdPerMTok: 20 } };
    const code = { 'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } };
    const reports = await inStep(async (ctx) => {
      await generateText({ model: withX(generatingModel('gpt-4o-mini'), ctx), prompt: 'x' });
      await generateText({
        model: withX(generatingModel('gpt-4o-mini'), ctx, { prices: code }),
        prompt: 'x',
      });
    }, operator);
    const expected = (1000 * 2 + 100 * 20) / 1e6;
    expect(reports.map((report) => report.costUsd)).toEqual([expected, expected]);
  });

  it('a call made while the run is paused waits for the resume; with whenPaused "throw" it fails with RunPausedError, unsent', async () => {
    const calls: string[] = [];
    const reports: UsageReport[] = [];
    const events: string[] = [];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          const model = withX(generatingModel('gpt-4o-mini', 'ok', calls), ctx);
          await generateText({ model, prompt: 'one' });
          events.push('call 1 done');
          runner.pause('cost $1.00 reached the budget of $1.00 (--max-cost)');
          const strict = withX(generatingModel('gpt-4o-mini', 'ok', calls), ctx, {
            whenPaused: 'throw',
          });
          const refused = await generateText({ model: strict, prompt: 'two', maxRetries: 0 }).catch(
            (error: unknown) => error,
          );
          expect(refused).toBeInstanceOf(RunPausedError);
          expect((refused as RunPausedError).code).toBe('X_AI_SDK_RUN_PAUSED');
          expect((refused as Error).message).toContain('cost $1.00 reached the budget');
          events.push('call 2 refused');
          await generateText({ model, prompt: 'three' }); // waits here
          events.push('call 3 done');
          return { done: true };
        },
      }),
      { intervalMs: 0, onUsage: (report) => reports.push(report) },
    );
    await runner.start();
    const deadline = Date.now() + 5000;
    while (!events.includes('call 2 refused') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual(['call 1 done', 'call 2 refused']);
    expect(calls).toEqual(['generate']); // nothing sent while paused
    runner.resume();
    expect((await runner.finished).reason).toBe('done');
    expect(events).toEqual(['call 1 done', 'call 2 refused', 'call 3 done']);
    expect(calls).toEqual(['generate', 'generate']);
    expect(reports).toHaveLength(2);
  });

  it('a stop while a call waits for a resume ends the step without calling the model', async () => {
    const calls: string[] = [];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          runner.pause('hold');
          await generateText({
            model: withX(generatingModel('gpt-4o-mini', 'ok', calls), ctx),
            prompt: 'x',
          });
        },
      }),
      { intervalMs: 0 },
    );
    await runner.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await runner.stop({ graceMs: 5000 });
    expect(outcome.reason).toBe('stopped');
    expect(calls).toEqual([]);
  });
});
