// The AI SDK's mock model (ai/test), answering at once, and the two call kinds timed by
// bench/ai-sdk, shared by the in-process bench (run.js) and the agent run under a daemon
// (daemon-agent.js).
import { generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

const usage = {
  inputTokens: { total: 1000, noCache: 1000, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 100, text: 100, reasoning: 0 },
};
const finishReason = { unified: /** @type {const} */ ('stop'), raw: 'stop' };

/** @param {string} modelId */
export function mockModel(modelId) {
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
export const CALLS = {
  generateText: (model) => generateText({ model, prompt: 'hi' }),
  streamText: async (model) => {
    const result = streamText({ model, prompt: 'hi' });
    for await (const delta of result.textStream) {
      void delta;
    }
  },
};
