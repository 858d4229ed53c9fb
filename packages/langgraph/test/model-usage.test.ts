// reportModelUsage: every LangChain model call inside a step or turn reported to x, without
// touching the call sites. An in-process runner (createRunner) with onUsage stands in for the
// daemon (ctx.reportUsage under the daemon is tested by @x/kernel and @x/daemon); the model is
// a chat model of LangChain's own base class that answers with usage_metadata, as provider
// models do, so nothing goes to the network.
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { createRunner, defineAgent, type UsageReport } from '@x/kernel';
import { describe, expect, it } from 'vitest';
import { reportModelUsage } from '../src/index.js';

/**
 * Answers every call with 10 input and 3 output tokens per message sent to it (of them
 * `cacheRead` read from the prompt cache), as model `modelName` of provider `openai`.
 */
class CountingChatModel extends BaseChatModel {
  constructor(
    private readonly modelName = 'counting-1',
    private readonly cacheRead = 0,
  ) {
    super({});
  }
  _llmType(): string {
    return 'counting';
  }
  override getLsParams(options: this['ParsedCallOptions']) {
    return { ...super.getLsParams(options), ls_provider: 'openai', ls_model_name: this.modelName };
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const inputTokens = 10 * messages.length + this.cacheRead;
    const message = new AIMessage({
      content: 'ok',
      usage_metadata: {
        input_tokens: inputTokens,
        output_tokens: 3,
        total_tokens: inputTokens + 3,
        input_token_details: { cache_read: this.cacheRead },
      },
      response_metadata: { model_name: this.modelName },
    });
    return { generations: [{ text: 'ok', message }] };
  }
}

const State = Annotation.Root({
  answers: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

describe('reportModelUsage', () => {
  it('reports each model call of a graph once, with its tokens and model, step after step', async () => {
    const model = new CountingChatModel();
    const app = new StateGraph(State)
      .addNode('ask', async () => {
        const first = await model.invoke('one');
        const second = await model.invoke([
          ['human', 'two'],
          ['human', 'three'],
        ]);
        return { answers: [first.text, second.text] };
      })
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile();
    const reports: UsageReport[] = [];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          reportModelUsage(ctx);
          await app.invoke({ answers: [] });
          return { done: ctx.iteration === 3 };
        },
      }),
      { intervalMs: 0, onUsage: (usage) => reports.push(usage) },
    );
    await runner.start();
    await runner.finished;
    const call = (inputTokens: number) => ({ inputTokens, outputTokens: 3, model: 'counting-1' });
    expect(reports).toEqual([call(10), call(20), call(10), call(20), call(10), call(20)]);
  });

  it('calls made outside the context it was set in are not reported', async () => {
    const model = new CountingChatModel();
    const reports: UsageReport[] = [];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          if (ctx.iteration === 1) {
            reportModelUsage(ctx);
          }
          await model.invoke('hi');
          return { done: true };
        },
      }),
      { intervalMs: 0, onUsage: (usage) => reports.push(usage) },
    );
    await runner.start();
    await runner.finished;
    expect(reports).toEqual([{ inputTokens: 10, outputTokens: 3, model: 'counting-1' }]);
    await model.invoke('outside');
    expect(reports).toHaveLength(1);
  });

  it("prices each call: the operator's prices (ctx.modelPrices) first, else the catalog (cache reads at its cache price); a model priced nowhere has no cost", async () => {
    const reports: UsageReport[] = [];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          reportModelUsage(ctx, {
            prices: { 'counting-1': { inputUsdPerMTok: 9, outputUsdPerMTok: 9 } },
          });
          await new CountingChatModel('counting-1').invoke('hi');
          await new CountingChatModel('gpt-4o-mini', 1000).invoke('hi');
          await new CountingChatModel('in-house-7b').invoke('hi');
          return { done: true };
        },
      }),
      {
        intervalMs: 0,
        onUsage: (usage) => reports.push(usage),
        modelPrices: { 'counting-1': { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } },
      },
    );
    await runner.start();
    await runner.finished;
    expect(reports.map((report) => report.model)).toEqual([
      'counting-1',
      'gpt-4o-mini',
      'in-house-7b',
    ]);
    expect(reports[0]?.costUsd).toBeCloseTo((10 * 1 + 3 * 2) / 1e6, 12);
    // gpt-4o-mini: 10 plain at $0.15, 1000 cached at $0.075, 3 out at $0.60 per M
    expect(reports[1]?.costUsd).toBeCloseTo((10 * 0.15 + 1000 * 0.075 + 3 * 0.6) / 1e6, 12);
    expect(reports[2]).toEqual({ inputTokens: 10, outputTokens: 3, model: 'in-house-7b' });
  });

  it('a ctx without reportUsage is a TypeError naming it', () => {
    expect(() => reportModelUsage({} as never)).toThrow(/ctx.reportUsage is undefined/);
  });
});
