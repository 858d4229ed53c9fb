import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AgentLoop, type AgentLoopOptions, type AgentLoopSink } from './agent-loop.js';
import type {
  AgentContext,
  AgentDefinition,
  CheckpointReceipt,
  RestoredCheckpoint,
  UsageReport,
} from './define-agent.js';

type Agent = AgentDefinition<Record<string, unknown>, unknown>;

const restored: RestoredCheckpoint = {
  seq: 3,
  state: { cursor: 'page-7' },
  attempt: 2,
  savedAt: 1_700_000_000_000,
};

/** A loop whose sink stores checkpoints in memory (seq 1, 2, …) and records usage reports. */
function makeLoop(
  agent: Agent,
  options: Partial<AgentLoopOptions> = {},
  store?: AgentLoopSink['checkpoint'],
) {
  const checkpoints: { state: unknown; iteration: number }[] = [];
  const usage: UsageReport[] = [];
  const sink: AgentLoopSink = {
    iterationStart: () => undefined,
    iterationDone: () => undefined,
    log: () => undefined,
    notify: () => undefined,
    checkpoint:
      store ??
      ((state, meta) => {
        checkpoints.push({ state, iteration: meta.iteration });
        return Promise.resolve({ seq: checkpoints.length, savedAt: 1000 + checkpoints.length });
      }),
    usage: (report) => usage.push(report),
  };
  const loop = new AgentLoop(
    agent,
    { runId: 'r', name: 'durable', params: {}, intervalMs: 0, ...options },
    sink,
  );
  return { loop, checkpoints, usage };
}

describe('ctx.restored', () => {
  it('is the restored checkpoint in setup, steps, turns and teardown (the same object)', async () => {
    const seen: Record<string, unknown> = {};
    const { loop } = makeLoop(
      {
        setup: (ctx) => void (seen.setup = ctx.restored),
        step: (ctx) => {
          seen.step = ctx.restored;
          return { done: true };
        },
        turn: (_input, ctx) => void (seen.turn = ctx.restored),
        teardown: (ctx) => void (seen.teardown = ctx.restored),
      },
      { restored },
    );
    const turn = loop.submitTurn('x'); // queued turns run before the first iteration
    await loop.run();
    expect((await turn.done()).status).toBe('ok');
    expect(seen).toEqual({ setup: restored, step: restored, turn: restored, teardown: restored });
    expect(seen.setup).toBe(restored);
  });

  it('is undefined on a fresh start', async () => {
    let seen: unknown = 'not called';
    const { loop } = makeLoop({
      setup: (ctx) => void (seen = ctx.restored),
      step: () => ({ done: true }),
    });
    await loop.run();
    expect(seen).toBeUndefined();
  });
});

describe('ctx.checkpoint in the loop', () => {
  it('stores from setup (iteration 0), steps (their iteration), turns (0) and teardown, resolving with seq and savedAt', async () => {
    const receipts: CheckpointReceipt[] = [];
    const { loop, checkpoints } = makeLoop({
      async setup(ctx) {
        receipts.push(await ctx.checkpoint({ phase: 'setup' }));
      },
      async step(ctx) {
        receipts.push(await ctx.checkpoint({ phase: 'step', n: ctx.iteration }));
        return { done: ctx.iteration === 2 };
      },
      async teardown(ctx) {
        receipts.push(await ctx.checkpoint({ phase: 'teardown' }));
      },
    });
    await loop.run();
    expect(checkpoints).toEqual([
      { state: { phase: 'setup' }, iteration: 0 },
      { state: { phase: 'step', n: 1 }, iteration: 1 },
      { state: { phase: 'step', n: 2 }, iteration: 2 },
      { state: { phase: 'teardown' }, iteration: 0 },
    ]);
    expect(receipts.map((receipt) => receipt.seq)).toEqual([1, 2, 3, 4]);
    expect(receipts[0]).toEqual({ seq: 1, savedAt: 1001 });
  });

  it('still stores while the run is stopping: a teardown after a stop can save the last state', async () => {
    const results: unknown[] = [];
    const { loop, checkpoints } = makeLoop(
      {
        step: () => undefined,
        async teardown(ctx) {
          results.push(await ctx.checkpoint({ last: true }).catch((error: unknown) => error));
        },
      },
      { intervalMs: 10 },
    );
    const run = loop.run();
    await sleep(30);
    loop.stop(2000);
    await run;
    expect(checkpoints.at(-1)).toEqual({ state: { last: true }, iteration: 0 });
    expect(results).toEqual([{ seq: checkpoints.length, savedAt: 1000 + checkpoints.length }]);
  });

  it('a checkpoint still unanswered when the run ends rejects X_CHECKPOINT_STOPPING; one asked after the end too', async () => {
    let late: AgentContext | undefined;
    let pending: Promise<unknown> | undefined;
    const { loop } = makeLoop(
      {
        step(ctx) {
          late = ctx;
          pending = ctx.checkpoint({ n: 1 }).catch((error: unknown) => error);
          return { done: true };
        },
      },
      {},
      () => new Promise<never>(() => undefined), // a store that never answers
    );
    await loop.run();
    expect(await pending).toMatchObject({ code: 'X_CHECKPOINT_STOPPING' });
    expect(await late?.checkpoint({ n: 2 }).catch((error: unknown) => error)).toMatchObject({
      code: 'X_CHECKPOINT_STOPPING',
      message: expect.stringContaining('the run ended (done)') as unknown,
    });
  });

  it('applies checkpointMaxBytes (default 1 MiB) before the store sees anything', async () => {
    const errors: unknown[] = [];
    const big = 'x'.repeat(1_048_576); // 1 048 578 bytes of JSON with its quotes
    const { loop, checkpoints } = makeLoop({
      async step(ctx) {
        errors.push(await ctx.checkpoint(big).catch((error: unknown) => error));
        return { done: true };
      },
    });
    await loop.run();
    expect(errors).toMatchObject([{ code: 'X_CHECKPOINT_TOO_LARGE' }]);
    expect((errors[0] as Error).message).toContain(
      "1048578 bytes of JSON, over the run's limit of 1048576 bytes",
    );
    expect(checkpoints).toEqual([]);

    const small = makeLoop(
      {
        async step(ctx) {
          errors.push(await ctx.checkpoint({ k: 'abcdef' }).catch((error: unknown) => error));
          return { done: true };
        },
      },
      { checkpointMaxBytes: 8 },
    );
    await small.loop.run();
    expect(errors[1]).toMatchObject({ code: 'X_CHECKPOINT_TOO_LARGE' });
  });

  it('a state that is not JSON throws a TypeError at the call, which fails the step like any throw', async () => {
    const reports: unknown[] = [];
    const loop = new AgentLoop(
      {
        step(ctx) {
          void ctx.checkpoint({ when: new Date(0) });
          return { done: true };
        },
      },
      { runId: 'r', name: 'n', params: {}, intervalMs: 0, maxIterations: 1 },
      {
        iterationStart: () => undefined,
        iterationDone: (report) => void reports.push(report),
        log: () => undefined,
        notify: () => undefined,
      },
    );
    await loop.run();
    expect(reports).toMatchObject([
      {
        status: 'error',
        error: expect.stringContaining(
          'TypeError: @x/kernel: ctx.checkpoint(state): Date at state.when',
        ) as unknown,
      },
    ]);
  });
});

describe('ctx.reportUsage in setup, steps and teardown', () => {
  it('sends each report (with its model) to the sink at once; an empty report sends nothing', async () => {
    const { loop, usage } = makeLoop({
      setup(ctx) {
        ctx.reportUsage({ inputTokens: 100, model: 'embedder' });
      },
      step(ctx) {
        ctx.reportUsage({ inputTokens: 10, outputTokens: 5, costUsd: 0.01, model: 'gpt-4o-mini' });
        ctx.reportUsage({});
        ctx.reportUsage({ outputTokens: 1 });
        return { done: true, usage: { inputTokens: 7 } };
      },
      teardown(ctx) {
        ctx.reportUsage({ costUsd: 0.5 });
      },
    });
    await loop.run();
    expect(usage).toEqual([
      { inputTokens: 100, model: 'embedder' },
      { inputTokens: 10, outputTokens: 5, costUsd: 0.01, model: 'gpt-4o-mini' },
      { outputTokens: 1 },
      { costUsd: 0.5 },
    ]);
  });

  it('throws a TypeError naming each bad field, and reports nothing of that call', async () => {
    const thrown: string[] = [];
    const { loop, usage } = makeLoop({
      step(ctx) {
        for (const bad of [
          { inputTokens: -1 },
          { model: 'm'.repeat(257) },
          { model: 42 },
          { costUsd: Number.POSITIVE_INFINITY, inputTokens: 1 },
          { tokens: 1 },
        ]) {
          try {
            ctx.reportUsage(bad as never);
          } catch (error) {
            thrown.push(`${(error as Error).name}: ${(error as Error).message}`);
          }
        }
        return { done: true };
      },
    });
    await loop.run();
    expect(usage).toEqual([]);
    expect(thrown).toEqual([
      'TypeError: @x/kernel: ctx.reportUsage: usage.inputTokens must be a non-negative integer, got -1',
      'TypeError: @x/kernel: ctx.reportUsage: usage.model must be a string of 1 to 256 characters, got a string of 257 characters',
      'TypeError: @x/kernel: ctx.reportUsage: usage.model must be a string of 1 to 256 characters, got 42',
      'TypeError: @x/kernel: ctx.reportUsage: usage.costUsd must be a finite number >= 0 (US dollars), got Infinity',
      'TypeError: @x/kernel: ctx.reportUsage: usage.tokens is not a usage field (inputTokens, outputTokens, costUsd, model)',
    ]);
  });
});
