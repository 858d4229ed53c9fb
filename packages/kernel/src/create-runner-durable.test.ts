import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRunner, type PauseChange } from './create-runner.js';
import { defineAgent, type UsageReport } from './define-agent.js';

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await sleep(5);
  }
}

describe('createRunner checkpoints', () => {
  it('onCheckpoint gets a JSON copy of the state and the iteration; ctx.checkpoint resolves with its receipt', async () => {
    const stored: { state: unknown; iteration: number }[] = [];
    const receipts: unknown[] = [];
    const state = { items: ['a'], nested: { n: 1 } };
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          receipts.push(await ctx.checkpoint(state));
          state.items.push('b'); // the agent's object changes later: the stored copy must not
          return { done: true };
        },
      }),
      {
        intervalMs: 0,
        onCheckpoint: async (copy, meta) => {
          stored.push({ state: copy, iteration: meta.iteration });
          return { seq: stored.length, savedAt: 42 };
        },
      },
    );
    await runner.start();
    await runner.finished;
    expect(receipts).toEqual([{ seq: 1, savedAt: 42 }]);
    expect(stored).toEqual([{ state: { items: ['a'], nested: { n: 1 } }, iteration: 1 }]);
    expect(stored[0]?.state).not.toBe(state);
  });

  it('without onCheckpoint, ctx.checkpoint rejects X_CHECKPOINT_UNSUPPORTED saying how to enable it', async () => {
    let error: unknown;
    const runner = createRunner({
      async setup(ctx) {
        error = await ctx.checkpoint({}).catch((caught: unknown) => caught);
      },
      step: () => ({ done: true }),
    });
    await runner.start();
    await runner.finished;
    expect(error).toMatchObject({ name: 'CheckpointError', code: 'X_CHECKPOINT_UNSUPPORTED' });
    expect((error as Error).message).toContain('onCheckpoint');
  });

  it('an onCheckpoint that rejects, or resolves without seq and savedAt, rejects X_CHECKPOINT_REFUSED', async () => {
    const errors: unknown[] = [];
    const cause = new Error('bucket not writable');
    const answers: (() => Promise<never> | Promise<{ seq: number }>)[] = [
      () => Promise.reject(cause),
      () => Promise.resolve({ seq: 1 }),
    ];
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          errors.push(await ctx.checkpoint(1).catch((caught: unknown) => caught));
          errors.push(await ctx.checkpoint(2).catch((caught: unknown) => caught));
          return { done: true };
        },
      }),
      { intervalMs: 0, onCheckpoint: () => answers.shift()!() as never },
    );
    await runner.start();
    await runner.finished;
    expect(errors).toMatchObject([
      { code: 'X_CHECKPOINT_REFUSED', cause },
      { code: 'X_CHECKPOINT_REFUSED' },
    ]);
    expect((errors[1] as Error).message).toContain(
      'onCheckpoint must resolve with { seq: number, savedAt: number }',
    );
  });

  it('restored is ctx.restored in setup; checkpointMaxBytes bounds the state', async () => {
    let seen: unknown;
    let error: unknown;
    const restored = { seq: 2, state: { cursor: 9 }, attempt: 1, savedAt: 0 };
    const runner = createRunner(
      {
        async setup(ctx) {
          seen = ctx.restored;
          error = await ctx.checkpoint('0123456789').catch((caught: unknown) => caught);
        },
        step: () => ({ done: true }),
      },
      {
        restored,
        checkpointMaxBytes: 8,
        onCheckpoint: () => Promise.resolve({ seq: 1, savedAt: 1 }),
      },
    );
    await runner.start();
    await runner.finished;
    expect(seen).toEqual(restored);
    expect(error).toMatchObject({ code: 'X_CHECKPOINT_TOO_LARGE' });
  });

  it.each([
    [
      { restored: { seq: 0, state: null, attempt: 1, savedAt: 0 } },
      'restored.seq must be an integer >= 1, got 0',
    ],
    [{ restored: { seq: 1, attempt: 1, savedAt: 0 } }, 'restored.state is missing'],
    [{ restored: { seq: 1, state: new Map(), attempt: 1, savedAt: 0 } }, 'Map at restored.state'],
    [
      { restored: 'seq 1' },
      'restored must be an object { seq, state, attempt, savedAt }, got "seq 1"',
    ],
    [{ checkpointMaxBytes: 0 }, 'checkpointMaxBytes must be an integer >= 1 (bytes), got 0'],
    [{ onCheckpoint: 'store' }, 'onCheckpoint must be a function when given, got "store"'],
    [{ onUsage: {} }, 'onUsage must be a function when given, got object'],
  ])('refuses bad options with a TypeError: %j', (options, text) => {
    expect(() => createRunner({ step: () => undefined }, options as never)).toThrow(
      `@x/kernel: createRunner: ${text}`,
    );
  });
});

describe('createRunner usage', () => {
  it('onUsage is told of each ctx.reportUsage of setup and steps; turns keep theirs in their outcome', async () => {
    const told: UsageReport[] = [];
    const runner = createRunner(
      defineAgent({
        setup: (ctx) => ctx.reportUsage({ inputTokens: 1, model: 'm' }),
        step(ctx) {
          ctx.reportUsage({ outputTokens: 2 });
          return { done: ctx.iteration === 1 };
        },
        turn(_input, ctx) {
          ctx.reportUsage({ inputTokens: 3 });
          return 'ok';
        },
      }),
      { intervalMs: 60_000, onUsage: (usage) => told.push(usage) },
    );
    const turn = runner.submitTurn('x');
    await runner.start();
    expect((await turn.done()).usage).toEqual({ inputTokens: 3 });
    await runner.finished;
    expect(told).toEqual([{ inputTokens: 1, model: 'm' }, { outputTokens: 2 }]);
  });
});

describe('createRunner pause and resume', () => {
  it('pause() holds iterations and turns, resume() lets them go; onPauseChange tells each change', async () => {
    const iterations: number[] = [];
    const changes: PauseChange[] = [];
    const runner = createRunner(
      defineAgent({
        step: (ctx) => void iterations.push(ctx.iteration),
        turn: (input) => input,
      }),
      { intervalMs: 5 },
    );
    runner.onPauseChange((change) => changes.push(change));
    await runner.start();
    await until(() => iterations.length >= 1);
    expect(runner.pause('budget')).toBe(true);
    expect(runner.paused).toBe(true);
    const handle = runner.submitTurn('later');
    await sleep(100);
    const count = iterations.length;
    await sleep(200);
    expect(iterations.length).toBe(count);
    expect(handle.status).toBe('queued');
    expect(runner.resume()).toBe(true);
    expect(runner.resume()).toBe(false);
    expect(await handle.result({ timeoutMs: 5000 })).toBe('later');
    await until(() => iterations.length > count);
    expect(changes).toEqual([{ paused: true, reason: 'budget' }, { paused: false }]);
    await runner.stop();
    expect(runner.pause()).toBe(false);
  });

  it('stop() ends a paused runner promptly', async () => {
    const runner = createRunner({ step: () => undefined }, { intervalMs: 5 });
    await runner.start();
    runner.pause();
    const before = performance.now();
    const outcome = await runner.stop({ graceMs: 10_000 });
    expect(outcome.reason).toBe('stopped');
    expect(performance.now() - before).toBeLessThan(2000);
  });
});
