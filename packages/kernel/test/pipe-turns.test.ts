import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodecName, RunnerMessage } from '@x/ipc';
import {
  fixtures,
  initFor,
  spawnRunner,
  type RunnerUnderTest,
  type SpawnRunnerOptions,
} from './spawn-runner.js';

// Turns, turn_cancel and permissions over a real fd 3, against `runPipe()` from the built
// kernel (test/fixtures/pipe-host.mjs) hosting the turn fixtures of examples/agents/fixtures.

const running = new Set<RunnerUnderTest>();

function start(options?: SpawnRunnerOptions): RunnerUnderTest {
  const runner = spawnRunner(options);
  running.add(runner);
  return runner;
}

afterEach(async () => {
  for (const runner of running) {
    runner.kill();
    await runner.closed;
  }
  running.clear();
});

const example = (name: string) => join(fixtures.examples, name);

/** Resolves with the first message matching `predicate`, polling; rejects after `timeoutMs`. */
async function waitFor<T extends RunnerMessage>(
  runner: RunnerUnderTest,
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

type TurnResult = Extract<RunnerMessage, { type: 'turn_result' }>;
const resultOf =
  (turnId: string) =>
  (message: RunnerMessage): message is TurnResult =>
    message.type === 'turn_result' && message.turnId === turnId;
const turnResults = (runner: RunnerUnderTest) =>
  runner.messages.filter((message): message is TurnResult => message.type === 'turn_result');

describe.each(['jsonl', 'msgpack'] as CodecName[])('runPipe turns over %s', (codec) => {
  it('a turn-only agent says capabilities { steps: false, turns: true } and answers each turn in order', async () => {
    const runner = start({ codec });
    await runner.send(initFor(example('turn-echo.mjs'), { codec }));
    expect(await runner.next('ready')).toMatchObject({
      capabilities: { steps: false, turns: true },
    });
    for (const [turnId, input] of [
      ['a', 'hello'],
      ['b', { nested: [1, 2] }],
      ['c', null],
    ] as const) {
      await runner.send({ type: 'turn', turnId, input });
    }
    await waitFor(runner, resultOf('c'));
    expect(
      turnResults(runner).map(({ turnId, status, output }) => ({ turnId, status, output })),
    ).toEqual([
      { turnId: 'a', status: 'ok', output: { echo: 'hello' } },
      { turnId: 'b', status: 'ok', output: { echo: { nested: [1, 2] } } },
      { turnId: 'c', status: 'ok', output: { echo: null } },
    ]);
    expect(runner.messages.filter((m) => m.type === 'iteration_start')).toHaveLength(0);
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect(await runner.next('exit')).toEqual({ type: 'exit', reason: 'stopped', iterations: 0 });
    expect((await runner.closed).code).toBe(0);
  });

  it('a throwing turn gets turn_result error with its message; the runner goes on', async () => {
    const runner = start({ codec });
    await runner.send(initFor(example('turn-throws.mjs'), { codec }));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 'bad', input: 'nope' });
    await runner.send({ type: 'turn', turnId: 'good', input: 'ok' });
    expect(await waitFor(runner, resultOf('bad'))).toMatchObject({
      status: 'error',
      error: 'Error: turn failed on purpose: "nope"',
      errorDetail: {
        name: 'Error',
        message: 'turn failed on purpose: "nope"',
        stack: expect.stringContaining('turn-throws.mjs') as unknown,
      },
    });
    expect(await waitFor(runner, resultOf('good'))).toMatchObject({ status: 'ok', output: 'fine' });
    expect(runner.child.exitCode).toBeNull();
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect((await runner.closed).code).toBe(0);
  });

  it('turn_cancel of a running turn → turn_result cancelled with the reason; of a queued one → cancelled, durationMs 0', async () => {
    const runner = start({ codec });
    await runner.send(initFor(example('turn-slow.mjs'), { codec }));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 'slow', input: { ms: 60_000 } });
    await runner.send({ type: 'turn', turnId: 'queued', input: { ms: 60_000 } });
    await runner.send({ type: 'turn', turnId: 'quick', input: { ms: 1 } });
    await runner.next('log'); // the slow turn has started
    await runner.send({ type: 'turn_cancel', turnId: 'queued', reason: 'not needed' });
    await runner.send({ type: 'turn_cancel', turnId: 'slow', reason: 'user hit escape' });
    expect(await waitFor(runner, resultOf('queued'))).toEqual({
      type: 'turn_result',
      turnId: 'queued',
      status: 'cancelled',
      error: 'not needed',
      durationMs: 0,
    });
    expect(await waitFor(runner, resultOf('slow'))).toMatchObject({
      status: 'cancelled',
      error: 'user hit escape',
    });
    expect(await waitFor(runner, resultOf('quick'))).toMatchObject({
      status: 'ok',
      output: { sleptMs: 1 },
    });
    // A cancel for a finished or unknown turn is ignored: still one result per turn.
    await runner.send({ type: 'turn_cancel', turnId: 'slow' });
    await runner.send({ type: 'turn_cancel', turnId: 'never-sent' });
    await runner.send({ type: 'stop', graceMs: 2000 });
    await runner.next('exit');
    expect(
      turnResults(runner)
        .map((result) => result.turnId)
        .sort(),
    ).toEqual(['queued', 'quick', 'slow']);
  });

  it('stop cancels the running and every queued turn, each with one turn_result, before exit', async () => {
    const runner = start({ codec });
    await runner.send(initFor(example('turn-slow.mjs'), { codec }));
    await runner.next('ready');
    for (const turnId of ['t1', 't2', 't3']) {
      await runner.send({ type: 'turn', turnId, input: { ms: 60_000 } });
    }
    await runner.next('log');
    await runner.send({ type: 'stop', graceMs: 3000, reason: 'maintenance' });
    await runner.next('exit');
    const results = turnResults(runner);
    expect(results.map((result) => [result.turnId, result.status]).sort()).toEqual([
      ['t1', 'cancelled'],
      ['t2', 'cancelled'],
      ['t3', 'cancelled'],
    ]);
    const exitIndex = runner.messages.findIndex((message) => message.type === 'exit');
    expect(runner.messages.findIndex(resultOf('t1'))).toBeLessThan(exitIndex);
    expect((await runner.closed).code).toBe(0);
  });

  it('permission_request / permission_response round-trip with ids p-1, p-2', async () => {
    const runner = start({ codec });
    await runner.send(initFor(example('ask-permission.mjs'), { codec }));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 'one', input: { tool: 'rm' } });
    const first = await runner.next('permission_request');
    expect(first).toEqual({
      type: 'permission_request',
      requestId: 'p-1',
      tool: 'rm',
      input: { cmd: 'ls' },
      rationale: 'list files',
    });
    await runner.send({ type: 'permission_response', requestId: 'p-1', decision: 'denied' });
    expect(await waitFor(runner, resultOf('one'))).toMatchObject({
      status: 'ok',
      output: { decision: 'denied' },
    });
    await runner.send({ type: 'turn', turnId: 'two', input: {} });
    const second = await waitFor(
      runner,
      (m): m is Extract<RunnerMessage, { type: 'permission_request' }> =>
        m.type === 'permission_request' && m.requestId === 'p-2',
    );
    expect(second.tool).toBe('shell');
    // A response to an unknown request is ignored.
    await runner.send({ type: 'permission_response', requestId: 'p-99', decision: 'granted' });
    await runner.send({
      type: 'permission_response',
      requestId: 'p-2',
      decision: 'granted',
      reason: 'ok by test',
    });
    expect(await waitFor(runner, resultOf('two'))).toMatchObject({
      status: 'ok',
      output: { decision: 'granted' },
    });
    await runner.send({ type: 'stop', graceMs: 2000 });
    expect((await runner.closed).code).toBe(0);
  });
});

describe('runPipe permissions and capabilities', () => {
  it('a step agent asking permission: stop while pending resolves it denied', async () => {
    const runner = start();
    await runner.send(initFor(example('ask-permission-step.mjs')));
    expect(await runner.next('ready')).toMatchObject({
      capabilities: { steps: true, turns: false },
    });
    expect(await runner.next('permission_request')).toMatchObject({
      requestId: 'p-1',
      tool: 'shell',
    });
    await runner.send({ type: 'stop', graceMs: 3000 });
    const done = await runner.next('iteration_done');
    expect(done).toMatchObject({ status: 'ok', summary: 'decision=denied' });
    expect(await runner.next('exit')).toMatchObject({ reason: 'done' });
  });

  it('a turn cancelled while its permission request is pending withdraws it: permission_cancel with the reason', async () => {
    const runner = start();
    await runner.send(initFor(example('ask-permission.mjs')));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 't-1', input: { tool: 'git' } });
    expect(await runner.next('permission_request')).toMatchObject({ requestId: 'p-1' });
    await runner.send({ type: 'turn_cancel', turnId: 't-1', reason: 'changed my mind' });
    expect(await runner.next('permission_cancel')).toEqual({
      type: 'permission_cancel',
      requestId: 'p-1',
      reason: 'changed my mind',
    });
    expect(await waitFor(runner, resultOf('t-1'))).toMatchObject({ status: 'cancelled' });
    // A late answer to the withdrawn request is ignored; the runner goes on.
    await runner.send({ type: 'permission_response', requestId: 'p-1', decision: 'granted' });
    await runner.send({ type: 'turn', turnId: 't-2', input: {} });
    expect(await runner.next('permission_request')).toBeDefined();
    await waitFor(
      runner,
      (m): m is Extract<RunnerMessage, { type: 'permission_request' }> =>
        m.type === 'permission_request' && m.requestId === 'p-2',
    );
    // A stop withdraws the pending one too, before the exit frame.
    await runner.send({ type: 'stop', graceMs: 2000 });
    await runner.next('exit');
    const cancels = runner.messages.filter((m) => m.type === 'permission_cancel');
    expect(cancels).toEqual([
      { type: 'permission_cancel', requestId: 'p-1', reason: 'changed my mind' },
      { type: 'permission_cancel', requestId: 'p-2', reason: 'the run is stopping' },
    ]);
    const order = runner.messages.map((m) => m.type);
    expect(order.lastIndexOf('permission_cancel')).toBeLessThan(order.indexOf('exit'));
  });

  it('a step agent asking permission gets the granted decision', async () => {
    const runner = start({ codec: 'msgpack' });
    await runner.send(initFor(example('ask-permission-step.mjs'), { codec: 'msgpack' }));
    const request = await runner.next('permission_request');
    await runner.send({
      type: 'permission_response',
      requestId: request.requestId,
      decision: 'granted',
    });
    expect(await runner.next('exit')).toEqual({
      type: 'exit',
      reason: 'done',
      iterations: 1,
      summary: 'decision=granted',
    });
  });

  it('supervisor gone while a permission request is pending → the runner still exits 0 within 3 s', async () => {
    const runner = start();
    await runner.send(initFor(example('ask-permission.mjs')));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 'x', input: {} });
    await runner.next('permission_request');
    const destroyedAt = performance.now();
    runner.child.stdio[3]?.destroy();
    const { code, exitedAt } = await runner.closed;
    expect(code).toBe(0);
    expect(exitedAt - destroyedAt).toBeLessThan(3_000);
  });

  it('a turn and a stop sent in the same write as init are not lost', async () => {
    const runner = start();
    const init = initFor(example('turn-echo.mjs'));
    // One write of three frames: they are decoded in one chunk, before the agent is loaded.
    const socket = runner.child.stdio[3] as NodeJS.WritableStream;
    socket.write(
      [init, { type: 'turn', turnId: 'early', input: 1 }, { type: 'stop', graceMs: 2000 }]
        .map((message) => JSON.stringify(message))
        .join('\n') + '\n',
    );
    expect(await runner.next('exit')).toMatchObject({ reason: 'stopped' });
    // The turn arrived before the stop: it is answered (cancelled by the stop, or run).
    expect(turnResults(runner).map((result) => result.turnId)).toEqual(['early']);
    expect((await runner.closed).code).toBe(0);
  });
});
