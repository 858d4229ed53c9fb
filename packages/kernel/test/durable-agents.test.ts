import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunnerMessage } from '@x/ipc';
import { startRunner, type RunnerHarness, type RunnerMode } from './runner-harness.js';
import { initFor } from './spawn-runner.js';

// Checkpoints, pause/resume and usage (issue 10) through real runners from the built kernel:
// `x runner --pipe` processes (fd 3) and worker threads (a MessagePort), with the supervisor's
// side of the protocol spoken here.

const durable = fileURLToPath(new URL('./fixtures/durable.mjs', import.meta.url));
const retryTurns = fileURLToPath(new URL('./fixtures/retry-turns.mjs', import.meta.url));
const usageAcks = fileURLToPath(new URL('./fixtures/usage-acks.mjs', import.meta.url));

const running = new Set<RunnerHarness>();
afterEach(async () => {
  for (const runner of running) {
    await runner.dispose();
  }
  running.clear();
});

function start(mode: RunnerMode): RunnerHarness {
  const runner = startRunner(mode);
  running.add(runner);
  return runner;
}

type Notify = Extract<RunnerMessage, { type: 'notify' }>;

/** The first frame matching `predicate` (seen already or to come); fails after `timeoutMs`. */
async function waitFor<T extends RunnerMessage>(
  runner: RunnerHarness,
  predicate: (message: RunnerMessage) => message is T,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = runner.messages.find(predicate);
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no matching frame within ${timeoutMs} ms; got ${runner.messages.map((m) => m.type).join(', ')}; stderr: ${runner.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The notify whose payload has `key`. */
const notifyWith =
  (key: string) =>
  (message: RunnerMessage): message is Notify =>
    message.type === 'notify' &&
    typeof message.payload === 'object' &&
    message.payload !== null &&
    key in message.payload;

const count = (runner: RunnerHarness, type: RunnerMessage['type']) =>
  runner.messages.filter((message) => message.type === type).length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['subprocess', 'thread'] as RunnerMode[])('durable agents, %s runner', (mode) => {
  it('ready announces checkpoints and pause (and retryTurns only when the agent declares it)', async () => {
    const plain = start(mode);
    await plain.send(initFor(durable, { maxIterations: 1 }));
    expect((await plain.next('ready')).capabilities).toEqual({
      steps: true,
      turns: false,
      setup: true,
      checkpoints: true,
      pause: true,
      usageAcks: true,
    });
    const retrying = start(mode);
    await retrying.send(initFor(retryTurns));
    expect((await retrying.next('ready')).capabilities).toEqual({
      steps: false,
      turns: true,
      setup: true,
      checkpoints: true,
      pause: true,
      usageAcks: true,
      retryTurns: true,
    });
    await retrying.send({ type: 'stop', graceMs: 1000 });
    expect(await retrying.exitCode).toBe(0);
  });

  it('under a budget ctx.whenResumed() waits for the usage_ack (seeing the pause sent before it), not within the headroom', async () => {
    const runner = start(mode);
    await runner.send(initFor(usageAcks, { params: { reports: 3 }, budgeted: true }));
    const usage = (ack: number) =>
      waitFor(
        runner,
        (m): m is Extract<RunnerMessage, { type: 'usage' }> => m.type === 'usage' && m.ack === ack,
      );
    const report = (n: number) =>
      waitFor(
        runner,
        (m): m is Notify => m.type === 'notify' && (m.payload as { report?: number }).report === n,
      );
    await usage(1);
    await sleep(100);
    expect(count(runner, 'notify')).toBe(0); // waiting for ack 1
    await runner.send({ type: 'usage_ack', ack: 1, headroom: { costUsd: 0.75 } });
    expect((await report(1)).payload).toEqual({ report: 1, paused: null });
    // Report 2 ($0.50) stays within the $0.75 left: not awaited.
    expect((await report(2)).payload).toEqual({ report: 2, paused: null });
    await usage(3); // $1.00 since ack 1: over the headroom, awaited
    await sleep(100);
    expect(count(runner, 'notify')).toBe(2);
    await runner.send({ type: 'pause', reason: 'budget reached' });
    await runner.send({ type: 'usage_ack', ack: 3 });
    expect((await report(3)).payload).toEqual({ report: 3, paused: 'budget reached' });
    expect(await runner.exitCode).toBe(0); // the step returned done
  });

  it("a turn's usage goes out at once, naming the turn and asking acks; its turn_result says counted", async () => {
    const runner = start(mode);
    await runner.send(
      initFor(usageAcks, {
        params: { reports: 2, turns: true },
        budgeted: true,
        intervalMs: 60_000,
      }),
    );
    await runner.send({ type: 'turn', turnId: 't-1' });
    const first = await waitFor(
      runner,
      (m): m is Extract<RunnerMessage, { type: 'usage' }> => m.type === 'usage',
    );
    expect(first).toEqual({ type: 'usage', costUsd: 0.5, model: 'm-1', ack: 1, turnId: 't-1' });
    await runner.send({ type: 'usage_ack', ack: 1, headroom: {} }); // no limit left to reach
    const result = await runner.next('turn_result');
    expect(result.usage).toEqual({
      costUsd: 1,
      counted: true,
      models: [{ model: 'm-1', costUsd: 1 }],
    });
    expect(runner.messages.filter((m) => m.type === 'usage')).toHaveLength(2);
    await runner.send({ type: 'stop', graceMs: 1000 });
    expect(await runner.exitCode).toBe(0);
  });

  it('a supervisor that offers no acks but keeps records: after a report, a record read is the barrier', async () => {
    const runner = start(mode);
    await runner.send(initFor(usageAcks, { params: { reports: 1 }, storeMaxBytes: 1024 }));
    const read = await waitFor(
      runner,
      (m): m is Extract<RunnerMessage, { type: 'store' }> => m.type === 'store',
    );
    expect(read.ops).toEqual([{ op: 'get', ns: 'x.usage-barrier', key: 'barrier' }]);
    expect(runner.messages.find((m) => m.type === 'usage')).toEqual({
      type: 'usage',
      costUsd: 0.5,
      model: 'm-1',
    });
    await sleep(100);
    expect(count(runner, 'notify')).toBe(0); // waiting for the read
    await runner.send({ type: 'pause', reason: 'budget reached' });
    await runner.send({
      type: 'store_result',
      requestId: read.requestId,
      ok: true,
      results: [{ op: 'get', found: false }],
    });
    const notify = await waitFor(runner, notifyWith('report'));
    expect(notify.payload).toEqual({ report: 1, paused: 'budget reached' });
    expect(await runner.exitCode).toBe(0);
  });

  it('under no budget (init.budgeted false) usage asks no ack and ctx.whenResumed() waits for none', async () => {
    const runner = start(mode);
    await runner.send(
      initFor(usageAcks, { params: { reports: 2 }, budgeted: false, maxIterations: 1 }),
    );
    expect(await runner.exitCode).toBe(0);
    const usage = runner.messages.filter((m) => m.type === 'usage');
    expect(usage).toEqual([
      { type: 'usage', costUsd: 0.5, model: 'm-1' },
      { type: 'usage', costUsd: 0.5, model: 'm-1' },
    ]);
    expect(count(runner, 'notify')).toBe(2);
  });

  it('ctx.checkpoint sends checkpoint and resolves with the seq and savedAt of checkpoint_ack ok', async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { maxIterations: 1, params: { checkpoint: true } }));
    const checkpoint = await runner.next('checkpoint');
    expect(checkpoint).toEqual({
      type: 'checkpoint',
      requestId: 'c-1',
      state: { n: 1 },
      iteration: 1,
    });
    // Nothing resolves before the ack: the step is still waiting.
    await sleep(100);
    expect(runner.messages.some(notifyWith('receipt'))).toBe(false);
    await runner.send({
      type: 'checkpoint_ack',
      requestId: 'c-1',
      ok: true,
      seq: 5,
      savedAt: 1_700_000_000_000,
    });
    const answered = await waitFor(runner, notifyWith('receipt'));
    expect(answered.payload).toEqual({
      iteration: 1,
      receipt: { seq: 5, savedAt: 1_700_000_000_000 },
    });
    expect(await runner.next('exit')).toMatchObject({ reason: 'max_iterations', iterations: 1 });
    expect(await runner.exitCode).toBe(0);
    expect(runner.channelErrors).toEqual([]);
  });

  it("checkpoint_ack ok: false rejects ctx.checkpoint with X_CHECKPOINT_REFUSED and the supervisor's reason; an ack for another id does nothing", async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { maxIterations: 1, params: { checkpoint: true } }));
    await runner.next('checkpoint');
    await runner.send({ type: 'checkpoint_ack', requestId: 'c-9', ok: true, seq: 1, savedAt: 1 });
    await runner.send({
      type: 'checkpoint_ack',
      requestId: 'c-1',
      ok: false,
      error: 'SQLITE_FULL: database or disk is full',
    });
    const answered = await waitFor(runner, notifyWith('error'));
    expect(answered.payload).toMatchObject({
      iteration: 1,
      error: {
        name: 'CheckpointError',
        code: 'X_CHECKPOINT_REFUSED',
        message: expect.stringContaining('SQLITE_FULL: database or disk is full') as unknown,
      },
    });
    expect(runner.messages.some(notifyWith('receipt'))).toBe(false);
    expect(await runner.exitCode).toBe(0);
  });

  it('the channel closing before the ack rejects ctx.checkpoint with X_CHECKPOINT_STOPPING, and the runner exits 0', async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { params: { checkpoint: true } }));
    await runner.next('checkpoint');
    runner.closeChannel();
    expect(await runner.exitCode).toBe(0);
    expect(runner.stderr()).toMatch(/durable: .*"code":"X_CHECKPOINT_STOPPING"/);
    expect(runner.stderr()).toContain('the supervisor went away before the checkpoint');
  });

  it('a state over init.checkpointMaxBytes rejects X_CHECKPOINT_TOO_LARGE (instanceof the agent’s CheckpointError, another copy of the kernel) and is never sent', async () => {
    const runner = start(mode);
    await runner.send(
      initFor(durable, { maxIterations: 1, checkpointMaxBytes: 65, params: { checkpoint: 'big' } }),
    );
    const answered = await waitFor(runner, notifyWith('error'));
    expect(answered.payload).toMatchObject({
      error: {
        code: 'X_CHECKPOINT_TOO_LARGE',
        message: expect.stringContaining(
          "66 bytes of JSON, over the run's limit of 65 bytes",
        ) as unknown,
        isCheckpointError: true,
      },
    });
    expect(await runner.exitCode).toBe(0);
    expect(count(runner, 'checkpoint')).toBe(0);
  });

  it('init.restored is ctx.restored, already in setup', async () => {
    const restored = {
      seq: 3,
      state: { cursor: 'page-7', seen: [1, 2] },
      attempt: 2,
      savedAt: 1_700_000_000_000,
    };
    const runner = start(mode);
    await runner.send(initFor(durable, { maxIterations: 1, restored }));
    const setup = await waitFor(runner, notifyWith('setup'));
    expect(setup.payload).toEqual({ setup: { restored } });
    // Before setup_done: setup saw it.
    await runner.next('setup_done');
    expect(runner.messages.indexOf(setup)).toBeLessThan(
      runner.messages.findIndex((message) => message.type === 'setup_done'),
    );
    expect(await runner.exitCode).toBe(0);
  });

  it('without init.restored, ctx.restored is undefined', async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { maxIterations: 1 }));
    expect((await waitFor(runner, notifyWith('setup'))).payload).toEqual({
      setup: { restored: null },
    });
    expect(await runner.exitCode).toBe(0);
  });

  it('pause stops iterations while heartbeats go on; resume restarts them; a stop while paused ends the run', async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { intervalMs: 20, heartbeatIntervalMs: 50 }));
    await waitFor(
      runner,
      (message): message is RunnerMessage =>
        message.type === 'iteration_done' && message.iteration >= 2,
    );
    await runner.send({ type: 'pause', reason: 'budget reached' });
    await sleep(300); // the iteration in progress, if any, ends
    const iterations = count(runner, 'iteration_start');
    const heartbeats = count(runner, 'heartbeat');
    await sleep(800); // unpaused, ~40 iterations would start meanwhile
    expect(count(runner, 'iteration_start')).toBe(iterations);
    expect(count(runner, 'heartbeat') - heartbeats).toBeGreaterThanOrEqual(3);

    await runner.send({ type: 'resume' });
    await waitFor(
      runner,
      (message): message is RunnerMessage =>
        message.type === 'iteration_start' && message.iteration === iterations + 1,
    );
    await runner.send({ type: 'pause', reason: 'again' });
    await sleep(100);
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.next('exit', 3000)).toMatchObject({ reason: 'stopped' });
    expect(await runner.exitCode).toBe(0);
  });

  it('ctx.reportUsage in setup and steps sends usage frames, apart from the usage of iteration_done', async () => {
    const runner = start(mode);
    await runner.send(initFor(durable, { maxIterations: 2, params: { usage: true } }));
    await runner.next('exit');
    const usage = runner.messages.filter((message) => message.type === 'usage');
    expect(usage).toEqual([
      { type: 'usage', inputTokens: 3, model: 'setup-model' },
      { type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: 0.01, model: 'm-1' },
      { type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: 0.01, model: 'm-1' },
    ]);
    expect(
      runner.messages.flatMap((message) =>
        message.type === 'iteration_done' ? [message.usage] : [],
      ),
    ).toEqual([{ inputTokens: 1 }, { inputTokens: 1 }]);
    expect(runner.channelErrors).toEqual([]);
  });
});
