// An OpenAI Agents SDK agent run as an x agent: a support desk whose `refund` tool needs a
// human's approval.
//
// No network, no API key: the model is a scripted Agents SDK `Model` posing as gpt-4o-mini.
// Its first reply calls `refund` for order params.order (default 42), its second one answers
// the customer. Each reply costs 1 000 input and 100 output tokens ($0.00021 at the catalog's
// $0.15 in, $0.60 out per million).
//
// withX(model, ctx) reports each model call's tokens, model and cost to x; runWithX(agent,
// input, ctx) turns the `needsApproval` interruption into an x permission request and keeps
// the run's state (RunState) in the daemon, so that a runner killed while the approval is
// pending asks again after its restart, without calling the model again:
//
//   x agent start examples/openai-agents/refund-desk.mjs --name desk --restart on-failure
//   x agent status desk          # pending permission requests: p-1  refund  {"order":42}
//   x agent approve desk p-1     # the tool runs, the agent answers, the run ends
//   x agent status desk          # summary: Order 42 is refunded. …, usage: 2 calls, $0.00042
//
// params.trace (optional): a file each model call and tool run appends a line to (`model 1`,
// `refund 42`; model calls are numbered per runner process), so a test can count them.
// params.replyMs (optional, default 100): how long the model takes to answer.
// params.stream (optional, default false): stream the runs; each piece of the answer's text
// goes out as a notification (`x events --type notify`) as the model writes it:
//
//   x agent start examples/openai-agents/refund-desk.mjs --name desk --auto-approve refund \
//     --param stream=true
//   x events --run desk --type notify   # {"delta":"Order "}, {"delta":"42 "}, …
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, Usage, setTracingDisabled, tool } from '@openai/agents';
import { defineAgent } from '@x/kernel';
import { runWithX, withX } from '@x/openai-agents';
import { z } from 'zod';

setTracingDisabled(true); // no trace export to OpenAI (there is no key)

/** A scripted Agents SDK model: calls `refund`, then answers once it sees the tool's result. */
class ScriptedModel {
  constructor(order, replyMs, trace) {
    Object.assign(this, { order, replyMs, trace, calls: 0 });
  }

  async getResponse(request) {
    this.calls += 1;
    if (this.trace) {
      appendFileSync(this.trace, `model ${this.calls}\n`); // counted per runner process
    }
    await sleep(this.replyMs, undefined, { signal: request.signal });
    const usage = new Usage({ inputTokens: 1000, outputTokens: 100, totalTokens: 1100 });
    const items = Array.isArray(request.input) ? request.input : [];
    const result = items.find((item) => item.type === 'function_call_result');
    if (result === undefined) {
      const args = JSON.stringify({ order: this.order });
      const call = { type: 'function_call', callId: 'call-1', name: 'refund', arguments: args };
      return { usage, output: [{ ...call, status: 'completed' }] };
    }
    const text = JSON.stringify(result.output).includes(`refunded ${this.order}`)
      ? `Order ${this.order} is refunded. Anything else?`
      : `I could not refund order ${this.order}: it was not approved.`;
    const content = [{ type: 'output_text', text }];
    return {
      usage,
      output: [{ type: 'message', role: 'assistant', status: 'completed', content }],
    };
  }

  /** The same replies as a stream: the text word by word, then the whole response. */
  async *getStreamedResponse(request) {
    const response = await this.getResponse(request);
    for (const item of response.output) {
      for (const part of item.type === 'message' ? item.content : []) {
        for (const delta of part.text.split(/(?<= )/)) {
          yield { type: 'output_text_delta', delta };
        }
      }
    }
    const { inputTokens, outputTokens, totalTokens } = response.usage;
    yield {
      type: 'response_done',
      response: {
        id: `reply-${this.calls}`,
        usage: { requests: 1, inputTokens, outputTokens, totalTokens },
        output: response.output,
      },
    };
  }
}

export default defineAgent({
  async step(ctx) {
    const { order = 42, replyMs = 100, trace, stream = false } = ctx.params;
    const refund = tool({
      name: 'refund',
      description: 'Refund an order in full',
      parameters: z.object({ order: z.number() }),
      needsApproval: true,
      execute: ({ order: id }) => {
        if (trace) {
          appendFileSync(trace, `refund ${id}\n`);
        }
        return `refunded ${id}`;
      },
    });
    const agent = new Agent({
      name: 'support',
      instructions: 'Help the customer; refund orders when asked.',
      tools: [refund],
      model: withX(new ScriptedModel(order, replyMs, trace), ctx, { modelName: 'gpt-4o-mini' }),
    });
    const { result, resumed } = await runWithX(agent, `Please refund order ${order}.`, ctx, {
      key: `order-${order}`,
      // Streamed: the answer's text goes out as it is written.
      ...(stream === true
        ? {
            onStreamEvent: (event) => {
              if (
                event.type === 'raw_model_stream_event' &&
                event.data.type === 'output_text_delta'
              ) {
                ctx.notify({ delta: event.data.delta });
              }
            },
          }
        : {}),
    });
    ctx.log(`run ended${resumed ? ' (resumed from its saved state)' : ''}`);
    return { summary: result.finalOutput, done: true };
  },
});
