import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRunner, type RunnerLogEntry } from './create-runner.js';
import { defineAgent } from './define-agent.js';
import { ConfigError, RunnerSetupError, TurnCancelledError } from './errors.js';
import type { IterationReport } from './agent-loop.js';
import type { TurnOutcome } from './turn.js';

describe('createRunner lifecycle', () => {
  it('start() resolves after setup; steps run; stop() resolves with the outcome after teardown', async () => {
    const lines: string[] = [];
    const runner = createRunner(
      defineAgent({
        async setup() {
          await sleep(30);
          lines.push('setup');
          return 1;
        },
        step(ctx) {
          lines.push(`step ${ctx.iteration}`);
          return { summary: `n=${ctx.iteration}` };
        },
        teardown() {
          lines.push('teardown');
        },
      }),
      { name: 'lifecycle', intervalMs: 10 },
    );
    expect(runner.state).toBe('idle');
    const started = runner.start();
    expect(runner.state).toBe('starting');
    expect(runner.start()).toBe(started);
    await started;
    expect(lines).toEqual(['setup']);
    expect(runner.state).toBe('running');
    while (!lines.includes('step 2')) {
      await sleep(5);
    }
    const outcome = await runner.stop({ graceMs: 2000 });
    expect(outcome.reason).toBe('stopped');
    expect(outcome.iterations).toBeGreaterThanOrEqual(2);
    expect(outcome.summary).toMatch(/^n=\d+$/);
    expect(lines.at(-1)).toBe('teardown');
    expect(runner.state).toBe('stopped');
    expect(await runner.finished).toBe(outcome);
    expect(await runner.stop()).toBe(outcome);
  });

  it('start() rejects with RunnerSetupError carrying the cause when setup throws; finished says error', async () => {
    const cause = new Error('no api key');
    const runner = createRunner({
      setup() {
        throw cause;
      },
      step: () => undefined,
    });
    const error = await runner.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunnerSetupError);
    expect(error).toMatchObject({ code: 'X_KERNEL_SETUP_FAILED', cause });
    expect((error as Error).message).toContain('no api key');
    expect(await runner.finished).toMatchObject({ reason: 'error', iterations: 0 });
    expect(runner.state).toBe('stopped');
  });

  it('stop() before start() ends the runner without setup; start() then rejects', async () => {
    let setups = 0;
    const runner = createRunner({ setup: () => void (setups += 1), turn: () => 'x' });
    expect(await runner.stop()).toEqual({ reason: 'stopped', iterations: 0 });
    await expect(runner.start()).rejects.toBeInstanceOf(RunnerSetupError);
    expect(setups).toBe(0);
  });

  it('ends by itself at maxIterations; finished resolves and state is stopped', async () => {
    const runner = createRunner(
      { step: () => ({ summary: 'ok' }) },
      { intervalMs: 0, maxIterations: 3 },
    );
    await runner.start();
    expect(await runner.finished).toEqual({
      reason: 'max_iterations',
      iterations: 3,
      summary: 'ok',
    });
    expect(runner.state).toBe('stopped');
  });

  it('uses the given name, runId and params, and generates a run id otherwise', async () => {
    let seen: unknown;
    const agent = defineAgent<{ city: string }>({
      turn: (_input, ctx) => {
        seen = { runId: ctx.runId, name: ctx.name, params: ctx.params };
      },
    });
    const runner = createRunner(agent, {
      name: 'weather',
      runId: 'run-42',
      params: { city: 'Oslo' },
    });
    await runner.start();
    await runner.submitTurn(undefined).result();
    expect(seen).toEqual({ runId: 'run-42', name: 'weather', params: { city: 'Oslo' } });
    await runner.stop();
    const other = createRunner(agent);
    expect(other.runId).toMatch(/^run-[0-9a-f-]{36}$/);
    expect(other.name).toBe('agent');
  });

  it('throws a TypeError for something that is not an agent', () => {
    expect(() => createRunner({})).toThrow(
      '@x/kernel: createRunner: expected a step(ctx) or a turn(input, ctx) function, got neither',
    );
  });
});

describe('createRunner events and turns', () => {
  it('delivers iteration starts, iterations, logs, notifications and turn results to subscribers until disposed', async () => {
    const runner = createRunner(
      {
        step(ctx) {
          ctx.log('info', `step ${ctx.iteration}`);
          ctx.notify({ at: ctx.iteration });
          return { done: ctx.iteration === 2 };
        },
        turn: (input: string) => input.toUpperCase(),
      },
      { intervalMs: 50 },
    );
    const starts: number[] = [];
    const reports: IterationReport[] = [];
    const logs: string[] = [];
    const notes: unknown[] = [];
    const results: TurnOutcome<string>[] = [];
    runner.onIterationStart(({ iteration }) => starts.push(iteration));
    const logSubscription = runner.onLog(({ level, message }) => logs.push(`${level} ${message}`));
    runner.onIteration((report) => {
      reports.push(report);
      logSubscription.dispose(); // after iteration 1: its log line is the only one seen
    });
    runner.onNotify((payload) => notes.push(payload));
    runner.onTurnResult((outcome) => results.push(outcome));
    const turn = runner.submitTurn('hi');
    await runner.start();
    expect(await turn.result()).toBe('HI');
    expect((await runner.finished).reason).toBe('done');
    expect(starts).toEqual([1, 2]);
    expect(reports.map((report) => report.status)).toEqual(['ok', 'ok']);
    expect(notes).toEqual([{ at: 1 }, { at: 2 }]);
    expect(logs).toEqual(['info step 1']);
    expect(results).toEqual([
      { turnId: 't-1', status: 'ok', output: 'HI', durationMs: expect.any(Number) as number },
    ]);
  });

  it('stop() cancels queued turns: their result() rejects with TurnCancelledError, never hangs', async () => {
    const runner = createRunner({
      turn: (_input: number, ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'))),
    });
    await runner.start();
    const first = runner.submitTurn(1);
    const queued = [runner.submitTurn(2), runner.submitTurn(3)];
    while (first.status !== 'running') {
      await sleep(5);
    }
    const results = queued.map((handle) => handle.result().catch((caught: unknown) => caught));
    await runner.stop({ graceMs: 2000, reason: 'closing' });
    for (const result of await Promise.all(results)) {
      expect(result).toBeInstanceOf(TurnCancelledError);
    }
    expect(await first.result()).toBe('stopped');
    expect(runner.submitTurn(4).status).toBe('cancelled');
  });
});

describe('createRunner permissions', () => {
  it('without onPermissionRequest every request is denied', async () => {
    const runner = createRunner({
      turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }),
    });
    await runner.start();
    expect(await runner.submitTurn(null).result()).toBe('denied');
    await runner.stop();
  });

  it('onPermissionRequest sees the request and decides, synchronously or not', async () => {
    const asked: unknown[] = [];
    const runner = createRunner(
      {
        turn: (tool: string, ctx) =>
          ctx.requestPermission({ tool, input: { path: '/tmp' }, rationale: 'clean up' }),
      },
      {
        async onPermissionRequest(request) {
          asked.push(request);
          await sleep(5);
          return request.tool === 'fs.read' ? 'granted' : 'denied';
        },
      },
    );
    await runner.start();
    expect(await runner.submitTurn('fs.read').result()).toBe('granted');
    expect(await runner.submitTurn('fs.delete').result()).toBe('denied');
    expect(asked).toEqual([
      { tool: 'fs.read', input: { path: '/tmp' }, rationale: 'clean up' },
      { tool: 'fs.delete', input: { path: '/tmp' }, rationale: 'clean up' },
    ]);
    await runner.stop();
  });

  it('a request pending at stop() resolves denied and the handler signal aborts', async () => {
    let handlerSignal: AbortSignal | undefined;
    const runner = createRunner(
      { turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }) },
      {
        onPermissionRequest(_request, signal) {
          handlerSignal = signal;
          return new Promise(() => undefined);
        },
      },
    );
    await runner.start();
    const turn = runner.submitTurn(null);
    while (handlerSignal === undefined) {
      await sleep(5);
    }
    const stopped = runner.stop({ graceMs: 2000 });
    // The turn's code got 'denied' and returned it, within the grace: the turn ends ok.
    expect(await turn.result()).toBe('denied');
    expect(handlerSignal.aborted).toBe(true);
    expect((await stopped).reason).toBe('stopped');
  });
});

describe('createRunner: what an embedder gets wrong is said, never guessed at', () => {
  // Regression (issue 16, item 13): true, 'allow' or 'GRANTED' denied the request silently.
  it.each([
    [true, 'true'],
    ['allow', '"allow"'],
    ['GRANTED', '"GRANTED"'],
    [{ decision: 'granted' }, 'object (an object; return its decision itself: "granted")'],
    [undefined, 'undefined'],
  ])(
    'onPermissionRequest returning %j denies the request, logs an error entry and emits a process warning naming the accepted values',
    async (answer, described) => {
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        const runner = createRunner(
          { turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }) },
          { onPermissionRequest: () => answer as never },
        );
        const entries: RunnerLogEntry[] = [];
        runner.onLog((entry) => entries.push(entry));
        await runner.start();
        expect(await runner.submitTurn(null).result()).toBe('denied');
        const message = `@x/kernel: onPermissionRequest must return 'granted' or 'denied' (or a promise of one), got ${described} for tool "shell"; the request was denied`;
        expect(entries).toEqual([{ level: 'error', message }]);
        await sleep(0); // process warnings are emitted on the next tick
        expect(warnings.map((warning) => [warning.name, warning.message])).toEqual([
          ['TypeError', message],
        ]);
        await runner.stop();
      } finally {
        process.off('warning', onWarning);
      }
    },
  );

  it('onPermissionRequest throwing denies the request and logs what it threw', async () => {
    const runner = createRunner(
      { turn: (_input, ctx) => ctx.requestPermission({ tool: 'shell' }) },
      {
        onPermissionRequest: () => {
          throw new RangeError('approval service unreachable');
        },
      },
    );
    const entries: RunnerLogEntry[] = [];
    runner.onLog((entry) => entries.push(entry));
    await runner.start();
    expect(await runner.submitTurn(null).result()).toBe('denied');
    expect(entries).toEqual([
      {
        level: 'error',
        message:
          'onPermissionRequest threw for tool "shell": RangeError: approval service unreachable; the request was denied',
      },
    ]);
    await runner.stop();
  });

  it('a ConfigError from setup rejects start() with a RunnerSetupError of exit code 78', async () => {
    const runner = createRunner({
      setup() {
        throw new ConfigError('OPENAI_API_KEY is not set');
      },
      step() {},
    });
    const error = await runner.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunnerSetupError);
    expect(error).toMatchObject({
      exitCode: 78,
      message: '@x/kernel: runner agent: setup failed: ConfigError: OPENAI_API_KEY is not set',
    });
    expect(await runner.finished).toMatchObject({
      reason: 'error',
      errorDetail: { name: 'ConfigError', code: 'X_AGENT_CONFIG', config: true },
    });
  });

  it('a teardown cut short by the stop grace: the outcome says so and after how long, and a warn entry is logged', async () => {
    const runner = createRunner(
      {
        step: () => ({ summary: 'stepped' }),
        teardown: () => new Promise<void>(() => undefined),
      },
      { intervalMs: 60_000 },
    );
    const entries: RunnerLogEntry[] = [];
    runner.onLog((entry) => entries.push(entry));
    const first = new Promise((resolve) => runner.onIteration(resolve));
    await runner.start();
    await first;
    const outcome = await runner.stop({ graceMs: 300 });
    expect(outcome).toMatchObject({ reason: 'stopped', iterations: 1 });
    expect(outcome.teardownAbandonedMs).toBeGreaterThanOrEqual(150);
    expect(outcome.summary).toBe(
      `teardown abandoned after ${outcome.teardownAbandonedMs} ms: the stop grace period ran out; stepped`,
    );
    expect(entries).toEqual([
      {
        level: 'warn',
        message: `teardown abandoned after ${outcome.teardownAbandonedMs} ms: the stop grace period ran out`,
      },
    ]);
  });
});
