// A Vercel AI SDK agent run as an x agent, within a cost budget.
//
// No network, no API key: the model is the AI SDK's own mock (ai/test) posing as OpenAI's
// gpt-4o-mini. Each call answers after params.callMs (default 200 ms, as a real model takes
// a while) with 10 000 input and 1 000 output tokens, so each costs $0.0021 at the catalog's
// price ($0.15 in, $0.60 out per million tokens). Each step makes three calls: one
// generateText, one streamText and one generateObject.
//
// withX(model, ctx) reports every call's tokens, model and cost to x, and holds a call made
// while the run is paused until it is resumed. With a budget of $0.01 the fifth call
// reaches it ($0.0105): x pauses the run, and the sixth call waits; the run goes on after
//
//   x agent start examples/ai-sdk/budgeted-writer.mjs --name writer --max-cost 0.01
//   x agent status writer        # paused: cost $0.01 reached the budget of $0.01 (--max-cost)
//   x agent resume writer --add-cost 0.01
//
// params.trace (optional): a file each call appends `call <n>` to before it reaches the model,
// so a test can count them. params.model (optional): another model id (a model missing from
// the catalog reports tokens without a cost). params.steps (optional): end after that many steps.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateObject, generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { defineAgent } from '@x/kernel';
import { withX } from '@x/ai-sdk';
import { z } from 'zod';

const usage = {
  inputTokens: { total: 10_000, noCache: 10_000, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1_000, text: 1_000, reasoning: 0 },
};
const finishReason = { unified: 'stop', raw: 'stop' };

/** The mock model: answers `text` after `ms`; counts calls in `trace`. */
function mockModel(modelId, ms, trace) {
  let calls = 0;
  const called = () => {
    calls += 1;
    if (trace) {
      appendFileSync(trace, `call ${calls}\n`);
    }
  };
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId,
    async doGenerate({ responseFormat }) {
      called();
      await sleep(ms);
      const text = responseFormat?.type === 'json' ? '{"title":"Durable agents"}' : 'A draft.';
      return { content: [{ type: 'text', text }], finishReason, usage, warnings: [] };
    },
    async doStream() {
      called();
      return {
        stream: simulateReadableStream({
          initialDelayInMs: ms,
          chunkDelayInMs: 0,
          chunks: [
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: 'A revised ' },
            { type: 'text-delta', id: 't', delta: 'draft.' },
            { type: 'text-end', id: 't' },
            { type: 'finish', finishReason, usage },
          ],
        }),
      };
    },
  });
}

export default defineAgent({
  setup(ctx) {
    const { model = 'gpt-4o-mini', callMs = 200, trace } = ctx.params;
    return { base: mockModel(model, Number(callMs), trace) };
  },
  async step(ctx) {
    const model = withX(ctx.state.base, ctx); // reports to this step's ctx
    const draft = await generateText({ model, prompt: 'Write a paragraph on durable agents.' });
    let revised = '';
    for await (const delta of streamText({ model, prompt: `Improve: ${draft.text}` }).textStream) {
      revised += delta;
    }
    const { object } = await generateObject({
      model,
      schema: z.object({ title: z.string() }),
      prompt: `A title for: ${revised}`,
    });
    const done = ctx.params.steps !== undefined && ctx.iteration >= Number(ctx.params.steps);
    return { summary: `${object.title}: ${revised}`, done };
  },
});
