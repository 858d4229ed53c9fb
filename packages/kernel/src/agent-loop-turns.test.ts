import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AgentLoop, type AgentLoopOptions, type AgentLoopSink } from './agent-loop.js';
import type { AgentDefinition, PermissionRequest, TurnContext } from './define-agent.js';
import { TimeoutError, TurnCancelledError, TurnFailedError, TurnTimeoutError } from './errors.js';
import type { TurnOutcome } from './turn.js';

type Agent = AgentDefinition<Record<string, unknown>, unknown>;

/** A sink recording a line per event, plus every turn outcome. */
function recordingSink(extra: Partial<AgentLoopSink> = {}) {
  const lines: string[] = [];
  const outcomes: TurnOutcome[] = [];
  const sink: AgentLoopSink = {
    iterationStart: (iteration) => lines.push(`iteration ${iteration}`),
    iterationDone: () => undefined,
    log: (_level, message) => lines.push(`log ${message}`),
    notify: () => undefined,
    turnStart: (turnId) => lines.push(`turn ${turnId}`),
    turnDone: (outcome) => {
      outcomes.push(outcome);
      lines.push(`turn_done ${outcome.turnId} ${outcome.status}`);
    },
    ...extra,
  };
  return { sink, lines, outcomes };
}

function makeLoop(
  agent: Agent,
  options: Partial<AgentLoopOptions> = {},
  extra: Partial<AgentLoopSink> = {},
) {
  const recorded = recordingSink(extra);
  const loop = new AgentLoop(
    agent,
    { runId: 'run-1', name: 'turns', params: {}, intervalMs: 0, ...options },
    recorded.sink,
  );
  return { loop, ...recorded };
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await sleep(5);
  }
}

/** A turn that waits `input.ms` or until its signal aborts, then throws the abort reason. */
const slowTurn = async (input: unknown, ctx: TurnContext) => {
  const ms = (input as { ms?: number } | undefined)?.ms ?? 60_000;
  await sleep(ms, undefined, { signal: ctx.signal });
  return { sleptMs: ms };
};

describe('AgentLoop turns: order and sharing the loop with steps', () => {
  it('runs turns one at a time, in submission order, each answered once', async () => {
    let running = 0;
    let overlap = false;
    const { loop, outcomes } = makeLoop({
      async turn(input) {
        running += 1;
        overlap ||= running > 1;
        await sleep(Number(input) % 3);
        running -= 1;
        return input;
      },
    });
    const run = loop.run();
    const handles = Array.from({ length: 8 }, (_, i) => loop.submitTurn(i));
    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(overlap).toBe(false);
    expect(outcomes.map((outcome) => outcome.turnId)).toEqual([
      't-1',
      't-2',
      't-3',
      't-4',
      't-5',
      't-6',
      't-7',
      't-8',
    ]);
    loop.stop(1000);
    expect(await run).toEqual({ reason: 'stopped', iterations: 0 });
  });

  it('an agent with only turn runs no iteration and idles until a turn arrives, then until stop', async () => {
    const { loop, lines } = makeLoop({ turn: (input) => ({ echo: input }) }, { maxIterations: 1 });
    const run = loop.run();
    await sleep(100);
    expect(lines).toEqual([]);
    const done = await loop.submitTurn('hi').done();
    expect(done).toMatchObject({ turnId: 't-1', status: 'ok', output: { echo: 'hi' } });
    await sleep(50);
    expect(loop.state).toBe('running'); // maxIterations does not end a turn-only agent
    loop.stop(1000);
    expect(await run).toEqual({ reason: 'stopped', iterations: 0 });
    expect(lines).toEqual(['turn t-1', 'turn_done t-1 ok']);
  });

  it('a turn submitted during the interval sleep runs at once, without moving the next iteration', async () => {
    const { loop, lines } = makeLoop(
      { step: () => undefined, turn: () => 'ok' },
      { intervalMs: 1500, maxIterations: 2 },
    );
    const started = performance.now();
    const run = loop.run();
    await until(() => lines.includes('iteration 1'));
    await sleep(50);
    const submittedAt = performance.now();
    await loop.submitTurn('x').result();
    expect(performance.now() - submittedAt).toBeLessThan(1000);
    const outcome = await run;
    const elapsed = performance.now() - started;
    expect(outcome.reason).toBe('max_iterations');
    expect(lines).toEqual(['iteration 1', 'turn t-1', 'turn_done t-1 ok', 'iteration 2']);
    // Iteration 2 stays due 1500 ms after iteration 1: the turn did not restart the pause.
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(5000);
  });

  it('a turn submitted during a step starts only after that step ended', async () => {
    const { loop, lines } = makeLoop(
      {
        async step(ctx) {
          lines.push(`step ${ctx.iteration} begins`);
          await sleep(150);
          lines.push(`step ${ctx.iteration} ends`);
        },
        turn: () => 'ok',
      },
      { intervalMs: 10_000, maxIterations: 2 },
    );
    const run = loop.run();
    await until(() => lines.includes('step 1 begins'));
    await loop.submitTurn('x').result();
    loop.stop(1000);
    await run;
    expect(lines.slice(0, 5)).toEqual([
      'iteration 1',
      'step 1 begins',
      'step 1 ends',
      'turn t-1',
      'turn_done t-1 ok',
    ]);
  });

  it('with intervalMs 0 queued turns run between back-to-back iterations', async () => {
    const { loop, lines } = makeLoop(
      { step: () => sleep(100), turn: () => 'ok' },
      { intervalMs: 0, maxIterations: 3 },
    );
    loop.submitTurn('before setup');
    const run = loop.run();
    await until(() => lines.includes('iteration 1'));
    loop.submitTurn('after iteration 1');
    await run;
    expect(lines.filter((line) => !line.startsWith('turn_done'))).toEqual([
      'turn t-1',
      'iteration 1',
      'turn t-2',
      'iteration 2',
      'iteration 3',
    ]);
  });

  it('turns see the run, setup state, iteration 0 and their own turn id', async () => {
    let seen: unknown;
    const { loop } = makeLoop(
      {
        setup: () => ({ db: 'open' }),
        turn(_input, ctx) {
          seen = {
            runId: ctx.runId,
            name: ctx.name,
            iteration: ctx.iteration,
            state: ctx.state,
            turnId: ctx.turnId,
          };
        },
      },
      { params: { p: 1 } },
    );
    const run = loop.run();
    expect(await loop.submitTurn(null, { turnId: 'custom-7' }).done()).toEqual({
      turnId: 'custom-7',
      status: 'ok',
      output: undefined,
      durationMs: expect.any(Number) as number,
    });
    expect(seen).toEqual({
      runId: 'run-1',
      name: 'turns',
      iteration: 0,
      state: { db: 'open' },
      turnId: 'custom-7',
    });
    loop.stop(1000);
    await run;
  });
});

describe('AgentLoop turns: failures, cancellation and stop', () => {
  it('a throwing turn fails only that turn: TurnFailedError with the cause, and the run goes on', async () => {
    const boom = new Error('boom');
    const { loop } = makeLoop({
      turn(input) {
        if (input === 'bad') {
          throw boom;
        }
        return 'fine';
      },
    });
    const run = loop.run();
    const bad = loop.submitTurn('bad');
    const good = loop.submitTurn('good');
    const outcome = await bad.done();
    expect(outcome).toMatchObject({
      status: 'error',
      error: 'Error: boom',
      cause: boom,
      errorDetail: { name: 'Error', message: 'boom', stack: boom.stack },
    });
    const error = await bad.result().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TurnFailedError);
    expect(error).toMatchObject({ code: 'X_KERNEL_TURN_FAILED', turnId: 't-1', cause: boom });
    expect((error as Error).message).toContain('boom');
    expect(await good.result()).toBe('fine');
    expect(bad.status).toBe('error');
    expect(loop.state).toBe('running');
    loop.stop(1000);
    expect((await run).reason).toBe('stopped');
  });

  it('cancel() of a queued turn removes it: it never runs, ends cancelled with durationMs 0', async () => {
    const ran: unknown[] = [];
    const { loop, outcomes } = makeLoop({
      async turn(input, ctx) {
        ran.push(input);
        await slowTurn({ ms: 200 }, ctx);
      },
    });
    const run = loop.run();
    const first = loop.submitTurn('first');
    const second = loop.submitTurn('second');
    const third = loop.submitTurn('third');
    expect(second.cancel('not needed')).toBe(true);
    expect(second.cancel('again')).toBe(false);
    expect(loop.queuedTurns).toBe(2); // first and third: setup has not finished yet
    const error = await second.result().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TurnCancelledError);
    expect(error).toMatchObject({ code: 'X_KERNEL_TURN_CANCELLED', reason: 'not needed' });
    await Promise.all([first.done(), third.done()]);
    expect(ran).toEqual(['first', 'third']);
    expect(outcomes.find((outcome) => outcome.turnId === second.turnId)).toEqual({
      turnId: 't-2',
      status: 'cancelled',
      error: 'not needed',
      durationMs: 0,
    });
    expect(outcomes).toHaveLength(3);
    loop.stop(1000);
    await run;
  });

  it('cancel() of a running turn aborts the signal it sees and ends it cancelled at once; the next turn waits for it to return', async () => {
    const lines: string[] = [];
    let sawAbort: unknown;
    const { loop } = makeLoop({
      async turn(input, ctx) {
        lines.push(`start ${String(input)}`);
        if (input === 'slow') {
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener('abort', () => {
              sawAbort = (ctx.signal.reason as Error).message;
              // Keeps going a little after the abort, as real cleanup does.
              setTimeout(resolve, 100);
            }),
          );
          lines.push('slow returned');
          return 'late output';
        }
        return 'next';
      },
    });
    const run = loop.run();
    const slow = loop.submitTurn('slow');
    const next = loop.submitTurn('next');
    await until(() => slow.status === 'running');
    expect(slow.cancel('user pressed escape')).toBe(true);
    expect(slow.signal.aborted).toBe(true);
    expect(await slow.done()).toMatchObject({ status: 'cancelled', error: 'user pressed escape' });
    expect(sawAbort).toBe('user pressed escape');
    expect(await next.result()).toBe('next');
    expect(lines).toEqual(['start slow', 'slow returned', 'start next']);
    expect(slow.status).toBe('cancelled'); // its late return does not change the outcome
    loop.stop(1000);
    await run;
  });

  it('loop.cancelTurn(id) cancels by id; unknown or finished ids return false', async () => {
    const { loop } = makeLoop({ turn: slowTurn });
    const run = loop.run();
    const handle = loop.submitTurn({ ms: 60_000 }, { turnId: 'abc' });
    expect(loop.cancelTurn('nope')).toBe(false);
    await until(() => handle.status === 'running');
    expect(loop.cancelTurn('abc', 'turn_cancel')).toBe(true);
    expect(loop.cancelTurn('abc')).toBe(false);
    expect((await handle.done()).status).toBe('cancelled');
    loop.stop(1000);
    await run;
  });

  it('stop() cancels every queued turn with TurnCancelledError and the running turn sees its signal abort', async () => {
    const { loop, outcomes } = makeLoop({ turn: slowTurn });
    const run = loop.run();
    const running = loop.submitTurn({ ms: 60_000 });
    const queued = [loop.submitTurn({ ms: 1 }), loop.submitTurn({ ms: 1 })];
    await until(() => running.status === 'running');
    const waiting = queued.map((handle) => handle.result().catch((caught: unknown) => caught));
    loop.stop(5000, 'shutting down');
    for (const error of await Promise.all(waiting)) {
      expect(error).toBeInstanceOf(TurnCancelledError);
      expect((error as TurnCancelledError).reason).toContain('shutting down');
    }
    expect(await running.done()).toMatchObject({ status: 'cancelled', error: 'shutting down' });
    expect(await run).toEqual({ reason: 'stopped', iterations: 0 });
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });

  it('a running turn that ignores its signal is abandoned at the grace deadline, as cancelled', async () => {
    const { loop } = makeLoop({ turn: () => new Promise(() => undefined) });
    const run = loop.run();
    const handle = loop.submitTurn('x');
    await until(() => handle.status === 'running');
    const stoppedAt = performance.now();
    loop.stop(600);
    expect(await handle.done()).toMatchObject({
      status: 'cancelled',
      error: 'abandoned: did not finish within the stop grace period',
    });
    expect((await run).reason).toBe('stopped');
    expect(performance.now() - stoppedAt).toBeLessThan(3000);
  });

  it('a turn that returns after the stop signal, within the grace, still ends ok', async () => {
    const { loop } = makeLoop({
      async turn(_input, ctx) {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return 'wrapped up';
      },
    });
    const run = loop.run();
    const handle = loop.submitTurn('x');
    await until(() => handle.status === 'running');
    loop.stop(2000);
    expect(await handle.result()).toBe('wrapped up');
    await run;
  });

  it('turns queued when a step ends the run with done are cancelled, not left hanging', async () => {
    let release!: () => void;
    const { loop } = makeLoop({
      async step() {
        await new Promise<void>((resolve) => (release = resolve));
        return { done: true };
      },
      turn: () => 'never',
    });
    const run = loop.run();
    await until(() => release !== undefined);
    const handle = loop.submitTurn('late');
    release();
    expect((await run).reason).toBe('done');
    const outcome = await handle.done();
    expect(outcome.status).toBe('cancelled');
    expect(outcome.status !== 'ok' && outcome.error).toContain('the run ended (done)');
  });

  it('turns submitted before run() are cancelled when setup fails', async () => {
    const { loop } = makeLoop({
      setup() {
        throw new Error('no database');
      },
      turn: () => 'never',
    });
    const handle = loop.submitTurn('early');
    expect((await loop.run()).reason).toBe('error');
    expect((await handle.done()).status).toBe('cancelled');
  });
});

describe('AgentLoop turns: refused submissions (each still answered once)', () => {
  it('a step-only agent answers a turn with error at once', async () => {
    const { loop, outcomes } = makeLoop({ step: () => undefined }, { intervalMs: 10_000 });
    const handle = loop.submitTurn('x');
    expect(await handle.done()).toEqual({
      turnId: 't-1',
      status: 'error',
      error: 'this agent does not accept turns (it has no turn(input, ctx) function)',
      durationMs: 0,
    });
    await expect(handle.result()).rejects.toBeInstanceOf(TurnFailedError);
    expect(outcomes).toHaveLength(1);
  });

  it('after stop() a new turn ends cancelled at once', async () => {
    const { loop } = makeLoop({ turn: () => 'x' });
    const run = loop.run();
    loop.stop(1000);
    const outcome = await loop.submitTurn('late').done();
    expect(outcome).toMatchObject({ status: 'cancelled', error: 'the run is stopping' });
    await run;
    expect(await loop.submitTurn('later').done()).toMatchObject({
      status: 'cancelled',
      error: 'the run is over',
    });
  });

  it('a full queue (maxQueuedTurns) refuses the next turn with error; the queued ones run', async () => {
    const { loop } = makeLoop({ turn: (input) => input }, { maxQueuedTurns: 2 });
    const handles = [loop.submitTurn(1), loop.submitTurn(2), loop.submitTurn(3)];
    expect(await handles[2]?.done()).toMatchObject({
      status: 'error',
      error: expect.stringContaining('the turn queue is full (2 turns waiting') as string,
    });
    const run = loop.run();
    expect(await handles[0]?.result()).toBe(1);
    expect(await handles[1]?.result()).toBe(2);
    loop.stop(1000);
    await run;
  });

  it('a turn id already queued is refused with error; the first keeps its place', async () => {
    const { loop } = makeLoop({ turn: (input) => input });
    const first = loop.submitTurn('a', { turnId: 'same' });
    const second = loop.submitTurn('b', { turnId: 'same' });
    expect(await second.done()).toMatchObject({
      status: 'error',
      error: 'turn id same is already queued or running; turn ids must be unique',
    });
    const run = loop.run();
    expect(await first.result()).toBe('a');
    loop.stop(1000);
    await run;
  });
});

describe('TurnHandle.result timeouts and usage', () => {
  it('result({ timeoutMs }) rejects with a TurnTimeoutError that is also a TimeoutError; the turn goes on', async () => {
    const { loop } = makeLoop({ turn: slowTurn });
    const run = loop.run();
    const handle = loop.submitTurn({ ms: 400 });
    const error = await handle.result({ timeoutMs: 50 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TurnTimeoutError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'TurnTimeoutError',
      code: 'X_KERNEL_TURN_TIMEOUT',
      turnId: 't-1',
      timeoutMs: 50,
    });
    expect(handle.status).toBe('running');
    expect(await handle.result({ timeoutMs: 10_000 })).toEqual({ sleptMs: 400 });
    loop.stop(1000);
    await run;
  });

  it('reportUsage sums into the outcome, split by model and by whether a cost was given; a value the protocol refuses throws a TypeError at the call and adds nothing', async () => {
    const thrown: unknown[] = [];
    const { loop } = makeLoop({
      turn(_input, ctx) {
        ctx.reportUsage({ inputTokens: 10, outputTokens: 2, costUsd: 0.5 });
        ctx.reportUsage({ inputTokens: 5, costUsd: 0.25 });
        ctx.reportUsage({ inputTokens: 1, model: 'gpt-4o-mini' });
        ctx.reportUsage({ inputTokens: 3, outputTokens: 1, costUsd: 0.5, model: 'gpt-4o-mini' });
        for (const bad of [
          { inputTokens: 5, outputTokens: 1.5 },
          { inputTokens: 10n },
          { costUsd: -1 },
          { tokens: 3 },
          { inputTokens: 7, model: '' },
        ]) {
          try {
            ctx.reportUsage(bad as never);
          } catch (error) {
            thrown.push(error);
          }
        }
        return 'ok';
      },
    });
    const run = loop.run();
    expect((await loop.submitTurn('x').done()).usage).toEqual({
      inputTokens: 19,
      outputTokens: 3,
      costUsd: 1.25,
      models: [
        { inputTokens: 15, outputTokens: 2, costUsd: 0.75 },
        { model: 'gpt-4o-mini', inputTokens: 1 },
        { model: 'gpt-4o-mini', inputTokens: 3, outputTokens: 1, costUsd: 0.5 },
      ],
    });
    expect(thrown.map((error) => [(error as Error).name, (error as Error).message])).toEqual([
      [
        'TypeError',
        '@x/kernel: ctx.reportUsage: usage.outputTokens must be a non-negative integer, got 1.5',
      ],
      [
        'TypeError',
        '@x/kernel: ctx.reportUsage: usage.inputTokens must be a non-negative integer, got 10n',
      ],
      [
        'TypeError',
        '@x/kernel: ctx.reportUsage: usage.costUsd must be a finite number >= 0 (US dollars), got -1',
      ],
      [
        'TypeError',
        '@x/kernel: ctx.reportUsage: usage.tokens is not a usage field (inputTokens, outputTokens, costUsd, model)',
      ],
      [
        'TypeError',
        '@x/kernel: ctx.reportUsage: usage.model must be a string of 1 to 256 characters, got a string of 0 characters',
      ],
    ]);
    loop.stop(1000);
    await run;
  });
});

describe('ctx.requestPermission', () => {
  it('round-trips through the sink from a turn and from a step', async () => {
    const asked: PermissionRequest[] = [];
    const { loop } = makeLoop(
      {
        async step(ctx) {
          const decision = await ctx.requestPermission({ tool: 'step-tool' });
          return { summary: decision, done: true };
        },
        async turn(input, ctx) {
          return ctx.requestPermission({
            tool: String(input),
            input: { cmd: 'ls' },
            rationale: 'list files',
          });
        },
      },
      {},
      {
        requestPermission(request) {
          asked.push(request);
          return request.tool === 'shell' ? 'granted' : 'denied';
        },
      },
    );
    const shell = loop.submitTurn('shell');
    const rm = loop.submitTurn('rm');
    const outcome = await loop.run();
    expect(await shell.result()).toBe('granted');
    expect(await rm.result()).toBe('denied');
    expect(outcome).toEqual({ reason: 'done', iterations: 1, summary: 'denied' });
    expect(asked).toEqual([
      { tool: 'shell', input: { cmd: 'ls' }, rationale: 'list files' },
      { tool: 'rm', input: { cmd: 'ls' }, rationale: 'list files' },
      { tool: 'step-tool' },
    ]);
  });

  it('without a sink handler every request is denied', async () => {
    const { loop } = makeLoop({ turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }) });
    const run = loop.run();
    expect(await loop.submitTurn('x').result()).toBe('denied');
    loop.stop(1000);
    await run;
  });

  it('a pending request resolves denied when the turn is cancelled, and the sink sees the abort', async () => {
    let sinkSignal: AbortSignal | undefined;
    let decisionInTurn: string | undefined;
    const { loop } = makeLoop(
      {
        async turn(_input, ctx) {
          decisionInTurn = await ctx.requestPermission({ tool: 'shell' });
          return decisionInTurn;
        },
      },
      {},
      {
        requestPermission(_request, signal) {
          sinkSignal = signal;
          return new Promise(() => undefined); // nobody ever answers
        },
      },
    );
    const run = loop.run();
    const handle = loop.submitTurn('x');
    await until(() => sinkSignal !== undefined);
    expect(sinkSignal?.aborted).toBe(false);
    handle.cancel('gave up');
    expect((await handle.done()).status).toBe('cancelled');
    expect(sinkSignal?.aborted).toBe(true);
    // The turn's own code is not left waiting: it got 'denied'.
    await until(() => decisionInTurn !== undefined);
    expect(decisionInTurn).toBe('denied');
    loop.stop(1000);
    await run;
  });

  it('a pending request from a step resolves denied on stop, and new ones are denied without asking', async () => {
    const decisions: string[] = [];
    let asks = 0;
    const { loop } = makeLoop(
      {
        async step(ctx) {
          decisions.push(await ctx.requestPermission({ tool: 'shell' }));
          decisions.push(await ctx.requestPermission({ tool: 'again' }));
          return { done: true };
        },
      },
      {},
      {
        requestPermission() {
          asks += 1;
          return new Promise(() => undefined);
        },
      },
    );
    const run = loop.run();
    await until(() => asks === 1);
    loop.stop(2000);
    expect((await run).reason).toBe('done');
    expect(decisions).toEqual(['denied', 'denied']);
    expect(asks).toBe(1);
  });

  it('a sink that throws or rejects counts as denied', async () => {
    const { loop } = makeLoop(
      { turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }) },
      {},
      {
        requestPermission() {
          throw new Error('broken host');
        },
      },
    );
    const run = loop.run();
    expect(await loop.submitTurn('x').result()).toBe('denied');
    loop.stop(1000);
    await run;
  });

  it.each([
    [
      'an empty tool',
      { tool: '' },
      'tool must be a string of 1 to 256 characters, got a string of 0',
    ],
    ['a numeric tool', { tool: 7 }, 'tool must be a string of 1 to 256 characters, got number'],
    ['a 257-character tool', { tool: 'x'.repeat(257) }, 'got a string of 257'],
    ['a numeric rationale', { tool: 'a', rationale: 1 }, 'rationale must be a string'],
  ])('throws a TypeError for %s', async (_label, request, message) => {
    const { loop } = makeLoop({
      turn: (_input, ctx) => ctx.requestPermission(request as unknown as PermissionRequest),
    });
    const run = loop.run();
    const error = await loop
      .submitTurn('x')
      .result()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TurnFailedError);
    expect((error as TurnFailedError).cause).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(message);
    loop.stop(1000);
    await run;
  });
});

// Regression (issue 16, item 14): a request that was not awaited stayed pending after its
// turn or iteration ended, until the supervisor's 30-minute timeout.
describe('ctx.requestPermission outliving the work that made it', () => {
  it('a request a turn did not await is withdrawn when the turn ends: the sink signal aborts, naming the turn', async () => {
    const signals: AbortSignal[] = [];
    let pending: Promise<string> | undefined;
    const { loop } = makeLoop(
      {
        turn(_input, ctx) {
          pending = ctx.requestPermission({ tool: 'shell' });
          return 'returned without waiting';
        },
      },
      {},
      {
        requestPermission(_request, signal) {
          signals.push(signal);
          return new Promise(() => undefined); // nobody answers
        },
      },
    );
    const run = loop.run();
    expect(await loop.submitTurn('x', { turnId: 't-9' }).result()).toBe('returned without waiting');
    await until(() => signals.length === 1 && signals[0].aborted);
    expect((signals[0].reason as Error).message).toBe(
      'turn t-9 ended before the request was answered',
    );
    expect(await pending).toBe('denied');
    loop.stop(1000);
    await run;
  });

  it('a request a step did not await is withdrawn when its iteration ends; one made later with that ctx is denied without asking', async () => {
    const signals: AbortSignal[] = [];
    let askWithFirstContext: (() => Promise<string>) | undefined;
    let lateDecision: string | undefined;
    const { loop } = makeLoop(
      {
        async step(ctx) {
          if (ctx.iteration === 1) {
            void ctx.requestPermission({ tool: 'shell' });
            askWithFirstContext = () => ctx.requestPermission({ tool: 'shell' });
            return {};
          }
          lateDecision = await askWithFirstContext!();
          return { done: true };
        },
      },
      {},
      {
        requestPermission(_request, signal) {
          signals.push(signal);
          return new Promise(() => undefined);
        },
      },
    );
    await loop.run();
    expect(signals).toHaveLength(1);
    expect((signals[0].reason as Error).message).toBe(
      'iteration 1 ended before the request was answered',
    );
    expect(lateDecision).toBe('denied');
  });
});

describe('AgentLoop stop timer', () => {
  it('the stop deadline timer is cleared when the run ends early, so it holds no handle', async () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const { loop } = makeLoop({ turn: () => 'x' });
    const run = loop.run();
    await sleep(20);
    const before = timers();
    loop.stop(60_000);
    await run;
    await sleep(20);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('TurnHandle.result argument checks', () => {
  it.each([
    ['a string', '5s'],
    ['a negative number', -1],
    ['NaN', Number.NaN],
  ])('rejects with a TypeError for timeoutMs %s', async (_label, timeoutMs) => {
    const { loop } = makeLoop({ turn: () => 'x' });
    const handle = loop.submitTurn('x');
    await expect(handle.result({ timeoutMs: timeoutMs as number })).rejects.toThrow(
      /result\(\{ timeoutMs \}\) expects a number of ms >= 0/,
    );
    loop.stop(0);
  });

  it('timeoutMs Infinity waits without a limit', async () => {
    const { loop } = makeLoop({ turn: () => 'x' });
    const run = loop.run();
    expect(await loop.submitTurn('x').result({ timeoutMs: Infinity })).toBe('x');
    loop.stop(1000);
    await run;
  });
});

describe('AgentLoop calls the agent as a method', () => {
  it('`this` in step and turn is the agent object, so agents may call their own helpers', async () => {
    const seen: string[] = [];
    const agent = {
      label: 'me',
      step(this: { label: string }) {
        seen.push(`step ${this.label}`);
        return { done: true };
      },
      turn(this: { label: string }) {
        seen.push(`turn ${this.label}`);
      },
    };
    const { loop } = makeLoop(agent);
    const turn = loop.submitTurn('x');
    await loop.run();
    await turn.done();
    expect(seen).toEqual(['turn me', 'step me']);
  });
});
