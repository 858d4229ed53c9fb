// runWithX in an in-process runner (createRunner of @x/kernel) with a scripted model: tool
// approvals asked as permission requests, the RunState saved in the record store and resumed
// by the next attempt. test/daemon-approval.test.ts does the same under a real daemon.
import { Agent, setTracingDisabled, tool, type RunStreamEvent } from '@openai/agents';
import { createRunner, defineAgent, type AgentContext, type PermissionRequest } from '@x/kernel';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runWithX, SAVED_RUN_NAMESPACE, withX, type RunWithXResult } from '../src/index.js';
import { memoryStore } from './memory-store.js';
import { ScriptedModel } from './scripted-model.js';

beforeAll(() => setTracingDisabled(true));

function refundAgent(ctx: AgentContext, scripted: ScriptedModel, refunds: number[]) {
  const refund = tool({
    name: 'refund',
    description: 'Refund an order',
    parameters: z.object({ order: z.number() }),
    needsApproval: true,
    execute: ({ order }) => {
      refunds.push(order);
      return `refunded ${order}`;
    },
  });
  return new Agent({
    name: 'support',
    tools: [refund],
    model: withX(scripted, ctx, { modelName: 'gpt-4o-mini' }),
  });
}

const script = () =>
  new ScriptedModel([{ tool: 'refund', args: { order: 42 } }, { text: 'refund handled' }]);

/** Runs runWithX as the one step of an in-process runner. */
async function attempt(options: {
  scripted: ScriptedModel;
  refunds: number[];
  store: ReturnType<typeof memoryStore>;
  answer: (request: PermissionRequest, signal: AbortSignal) => Promise<'granted' | 'denied'>;
  /** Streams the runs, handing each event here (`onStreamEvent`). */
  onStreamEvent?: (event: RunStreamEvent) => void | Promise<void>;
}) {
  const asked: PermissionRequest[] = [];
  let outcome: RunWithXResult<Agent> | undefined;
  let failure: unknown;
  const runner = createRunner(
    defineAgent({
      async step(ctx) {
        const agent = refundAgent(ctx, options.scripted, options.refunds);
        try {
          outcome = await runWithX(agent, 'please refund order 42', ctx, {
            ...(options.onStreamEvent === undefined
              ? {}
              : { onStreamEvent: options.onStreamEvent }),
          });
        } catch (error) {
          failure = error;
          throw error;
        }
        return { done: true, summary: String(outcome.result.finalOutput) };
      },
    }),
    {
      intervalMs: 0,
      maxIterations: 1,
      onStore: options.store.batch,
      onPermissionRequest: (request, signal) => {
        asked.push(request);
        return options.answer(request, signal);
      },
    },
  );
  await runner.start();
  return { runner, asked, outcome: () => outcome, failure: () => failure };
}

describe('runWithX', () => {
  it('asks x for a needsApproval tool call; granted, the tool runs and the run ends', async () => {
    const scripted = script();
    const refunds: number[] = [];
    const store = memoryStore();
    const { runner, asked, outcome } = await attempt({
      scripted,
      refunds,
      store,
      answer: async () => 'granted',
    });
    const done = await runner.finished;
    expect(done.reason).toBe('done');
    expect(asked).toEqual([
      {
        tool: 'refund',
        input: { order: 42 },
        rationale: 'agent support calls tool refund (OpenAI Agents SDK needsApproval)',
      },
    ]);
    expect(refunds).toEqual([42]);
    expect(outcome()?.result.finalOutput).toBe('refund handled');
    expect(outcome()?.approvalsAsked).toBe(1);
    expect(outcome()?.resumed).toBe(false);
    const saved = [...store.records.values()][0] as { status: string; state: string };
    expect(saved.status).toBe('ended');
    expect(typeof JSON.parse(saved.state)).toBe('object');
  });

  it('denied: the tool does not run and the model is told so', async () => {
    const scripted = script();
    const refunds: number[] = [];
    const { runner, outcome } = await attempt({
      scripted,
      refunds,
      store: memoryStore(),
      answer: async () => 'denied',
    });
    await runner.finished;
    expect(refunds).toEqual([]);
    expect(outcome()?.result.finalOutput).toBe('refund handled');
    expect(JSON.stringify(scripted.requests[1]?.input)).toMatch(/not approved|rejected/i);
  });

  it.each([
    ['', false],
    [' (streamed)', true],
  ])(
    'a runner stopped while the approval is pending%s: the next attempt asks again, without calling the model again',
    async (_title, streamed) => {
      const scripted = script();
      const refunds: number[] = [];
      const store = memoryStore();
      const events: string[] = [];
      const onStreamEvent = streamed
        ? (event: RunStreamEvent) => void events.push(event.type)
        : undefined;
      const first = await attempt({
        scripted,
        refunds,
        store,
        answer: (_request, signal) =>
          new Promise((resolve) => signal.addEventListener('abort', () => resolve('denied'))),
        onStreamEvent,
      });
      const deadline = Date.now() + 10_000;
      while (first.asked.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(first.asked).toHaveLength(1);
      const saved = store.records.get(`${SAVED_RUN_NAMESPACE}\u0000default`) as { status: string };
      expect(saved.status).toBe('interrupted');
      await first.runner.stop();
      expect(refunds).toEqual([]); // a stop is not a denial: nothing was decided
      expect(scripted.requests).toHaveLength(1);

      // the next attempt: a new runner over the same records
      const second = await attempt({
        scripted,
        refunds,
        store,
        answer: async () => 'granted',
        onStreamEvent,
      });
      await second.runner.finished;
      expect(second.asked).toHaveLength(1);
      expect(second.outcome()?.resumed).toBe(true);
      expect(refunds).toEqual([42]);
      expect(scripted.requests).toHaveLength(2); // the tool-calling reply was not asked for again
      expect(second.outcome()?.result.finalOutput).toBe('refund handled');
      expect(events.includes('raw_model_stream_event')).toBe(streamed);
    },
  );

  it('streamed (onStreamEvent): every event handed over in order, the same approval and result', async () => {
    const scripted = script();
    const refunds: number[] = [];
    const store = memoryStore();
    const events: RunStreamEvent[] = [];
    const { runner, asked, outcome } = await attempt({
      scripted,
      refunds,
      store,
      answer: async () => 'granted',
      onStreamEvent: (event) => void events.push(event),
    });
    expect((await runner.finished).reason).toBe('done');
    expect(asked.map((request) => request.tool)).toEqual(['refund']);
    expect(refunds).toEqual([42]);
    const result = outcome()?.result;
    expect(result?.finalOutput).toBe('refund handled');
    // A streamed result, completed.
    expect(result).toHaveProperty('completed');
    await expect((result as { completed: Promise<void> }).completed).resolves.toBeUndefined();
    // Two run calls (cut by the approval, then the rest), each model response streamed.
    const kinds = events.map((event) =>
      event.type === 'run_item_stream_event' ? `item:${event.name}` : event.type,
    );
    expect(kinds.filter((kind) => kind === 'raw_model_stream_event')).toHaveLength(2);
    expect(kinds).toContain('item:tool_approval_requested');
    expect(kinds).toContain('item:tool_output');
    expect(kinds.indexOf('item:tool_approval_requested')).toBeLessThan(
      kinds.indexOf('item:tool_output'),
    );
    expect(kinds.at(-1)).toBe('item:message_output_created');
    const saved = [...store.records.values()][0] as { status: string };
    expect(saved.status).toBe('ended');
  });

  it('a throw from onStreamEvent ends runWithX with it; the state saved last stays', async () => {
    const store = memoryStore();
    const { runner, failure } = await attempt({
      scripted: script(),
      refunds: [],
      store,
      answer: async () => 'granted',
      onStreamEvent: (event) => {
        if (event.type === 'run_item_stream_event' && event.name === 'tool_output') {
          throw new Error('the consumer failed');
        }
      },
    });
    await runner.finished;
    expect(failure()).toBeInstanceOf(Error);
    expect((failure() as Error).message).toBe('the consumer failed');
    // Saved when the approval was answered, before the call that failed.
    const saved = [...store.records.values()][0] as { status: string };
    expect(saved.status).toBe('answered');
  });

  it('refuses a bad key, naming it', async () => {
    const ctx = { signal: new AbortController().signal } as never;
    await expect(runWithX(new Agent({ name: 'a' }), 'hi', ctx, { key: '' })).rejects.toThrow(
      /key must be a string of 1 to 200 characters, got ""/,
    );
  });
});
