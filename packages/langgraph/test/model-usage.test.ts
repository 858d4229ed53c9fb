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

/** Answers every call with 10 input and 3 output tokens per message sent to it. */
class CountingChatModel extends BaseChatModel {
  _llmType(): string {
    return 'counting';
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const inputTokens = 10 * messages.length;
    const message = new AIMessage({
      content: 'ok',
      usage_metadata: {
        input_tokens: inputTokens,
        output_tokens: 3,
        total_tokens: inputTokens + 3,
      },
      response_metadata: { model_name: 'counting-1' },
    });
    return { generations: [{ text: 'ok', message }] };
  }
}

const State = Annotation.Root({
  answers: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

describe('reportModelUsage', () => {
  it('reports each model call of a graph once, with its tokens and model, step after step', async () => {
    const model = new CountingChatModel({});
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
    const model = new CountingChatModel({});
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

  it('a ctx without reportUsage is a TypeError naming it', () => {
    expect(() => reportModelUsage({} as never)).toThrow(/ctx.reportUsage is undefined/);
  });
});
