import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
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

// Real child processes running `runPipe()` from the built kernel (test/fixtures/pipe-host.mjs),
// with the supervisor's side of the protocol spoken here on fd 3.

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
const types = (messages: RunnerMessage[]) => messages.map((message) => message.type);

describe.each(['jsonl', 'msgpack'] as CodecName[])('runPipe handshake and run over %s', (codec) => {
  it('answers a turn with exactly one turn_result (an error: step agents take no turns)', async () => {
    const runner = start({ codec });
    await runner.send(initFor(fixtures.counter, { codec, intervalMs: 5000 }));
    await runner.next('ready');
    await runner.send({ type: 'turn', turnId: 't-1', input: 'hello' });
    const result = await runner.next('turn_result');
    expect(result).toMatchObject({
      type: 'turn_result',
      turnId: 't-1',
      status: 'error',
      durationMs: 0,
    });
    expect(runner.messages.filter((m) => m.type === 'turn_result')).toHaveLength(1);
    await runner.send({ type: 'stop', graceMs: 1000 });
    await runner.closed;
  });

  it('answers init with ready echoing the protocol version, runs the agent and exits 0 after done', async () => {
    const runner = start({ codec });
    await runner.send(initFor(fixtures.counter, { codec, params: { doneAt: 3 } }));

    const ready = await runner.next('ready');
    expect(ready).toEqual({
      type: 'ready',
      protocolVersion: 1,
      codec,
      pid: runner.child.pid,
      capabilities: {
        steps: true,
        turns: false,
        setup: true,
        checkpoints: true,
        pause: true,
        usageAcks: true,
      },
    });

    const exit = await runner.next('exit');
    expect(exit).toEqual({ type: 'exit', reason: 'done', iterations: 3, summary: 'count=3' });
    const { code, signal } = await runner.closed;
    expect({ code, signal }).toEqual({ code: 0, signal: null });

    expect(runner.messages[0]?.type).toBe('ready');
    expect(runner.messages.at(-1)?.type).toBe('exit');
    const iterationFrames = runner.messages.filter(
      (message) => message.type === 'iteration_start' || message.type === 'iteration_done',
    );
    expect(iterationFrames.map((message) => `${message.type} ${message.iteration}`)).toEqual([
      'iteration_start 1',
      'iteration_done 1',
      'iteration_start 2',
      'iteration_done 2',
      'iteration_start 3',
      'iteration_done 3',
    ]);
    expect(
      runner.messages
        .filter((message) => message.type === 'iteration_done')
        .map((message) => message.summary),
    ).toEqual(['count=1', 'count=2', 'count=3']);
    expect(runner.messages).toContainEqual({ type: 'log', level: 'info', message: 'iteration 2' });
    expect(runner.channelErrors).toEqual([]);
  });
});

describe('runPipe keeps agent output off the protocol channel', () => {
  it('stdout noise with a fake {"type":"exit"} line never shows up as a frame; the run still completes', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.counter, { params: { doneAt: 4 } }));
    const { code } = await runner.closed;

    // The noise was really written, to stdout…
    expect(runner.stdout()).toContain('{"type":"exit"}');
    expect(runner.stdout()).toContain('stdout noise from iteration 4');
    // …and fd 3 carried exactly one exit frame, the real one, last.
    expect(types(runner.messages).filter((type) => type === 'exit')).toHaveLength(1);
    expect(runner.messages.at(-1)).toEqual({
      type: 'exit',
      reason: 'done',
      iterations: 4,
      summary: 'count=4',
    });
    expect(runner.channelErrors).toEqual([]);
    expect(code).toBe(0);
  });

  it('a chatty agent (fake frames, NUL bytes, stderr) still yields only valid frames', async () => {
    const runner = start();
    await runner.send(initFor(example('chatty.mjs'), { maxIterations: 3 }));
    const { code } = await runner.closed;

    expect(runner.stdout()).toContain('"iterations":999');
    expect(runner.stderr()).toContain('stderr line 3');
    expect(runner.messages.at(-1)).toEqual({
      type: 'exit',
      reason: 'max_iterations',
      iterations: 3,
      summary: 'chatted 3',
    });
    expect(types(runner.messages).filter((type) => type === 'iteration_done')).toHaveLength(3);
    expect(runner.channelErrors).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('runPipe stop and supervisor loss', () => {
  it('stop during the interval wait → exit frame reason stopped, exit 0, promptly, after teardown', async () => {
    const runner = start();
    await runner.send(
      initFor(example('slow-step.mjs'), { params: { stepMs: 10 }, intervalMs: 60_000 }),
    );
    await runner.next('iteration_done');
    const stopSentAt = performance.now();
    await runner.send({ type: 'stop', graceMs: 5_000, reason: 'test asked' });

    const exit = await runner.next('exit');
    expect(exit).toMatchObject({ type: 'exit', reason: 'stopped', iterations: 1 });
    const { code, signal, exitedAt } = await runner.closed;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // The interval is 60 s; without the stop being handled the process would still be running.
    expect(exitedAt - stopSentAt).toBeLessThan(5_000);
    expect(runner.stdout()).toContain('teardown ran');
  });

  it('stop during a step that honours ctx.signal → that iteration is reported ok, then exit stopped', async () => {
    const runner = start();
    await runner.send(initFor(example('slow-step.mjs'), { params: { stepMs: 30_000 } }));
    await runner.next('iteration_start');
    await runner.send({ type: 'stop', graceMs: 5_000 });

    const exit = await runner.next('exit');
    expect(exit).toMatchObject({
      reason: 'stopped',
      iterations: 1,
      summary: 'slept in iteration 1',
    });
    expect(runner.messages.find((message) => message.type === 'iteration_done')).toMatchObject({
      iteration: 1,
      status: 'ok',
    });
    expect((await runner.closed).code).toBe(0);
  });

  it('destroying fd 3 from the parent (supervisor gone) makes the runner exit within 3 s', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.counter, { intervalMs: 100 }));
    await runner.next('iteration_done');
    const destroyedAt = performance.now();
    runner.child.stdio[3]?.destroy();

    const { code, signal, exitedAt } = await runner.closed;
    expect(exitedAt - destroyedAt).toBeLessThan(3_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('fd 3 destroyed while the agent module is still importing (top-level await of 20 s) → exit 0 within 3 s', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.slowImport));
    // Let the runner take init and start the import.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const destroyedAt = performance.now();
    runner.child.stdio[3]?.destroy();

    const { code, signal, exitedAt } = await runner.closed;
    expect(exitedAt - destroyedAt).toBeLessThan(3_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(runner.messages).toEqual([]);
  });

  it('stop during a step that ignores ctx.signal → the step is abandoned, exit stopped, exit 0', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.neverSettles));
    await runner.next('log');
    await runner.send({ type: 'stop', graceMs: 800 });

    const exit = await runner.next('exit');
    expect(exit).toEqual({ type: 'exit', reason: 'stopped', iterations: 1 });
    const done = runner.messages.find((message) => message.type === 'iteration_done');
    expect(done).toMatchObject({ iteration: 1, status: 'error' });
    expect(done?.type === 'iteration_done' && done.error).toMatch(/^abandoned/);
    expect((await runner.closed).code).toBe(0);
  });

  // Regression (fixed; was: src/agent-loop.ts, stop()/run(); seen through src/pipe-entry.ts): a stop that
  // arrives during a step wakes no sleep; when the step ends, the loop starts a fresh
  // `intervalMs` sleep before it looks at the signal. Input: init intervalMs 20 000, a step
  // that honours ctx.signal, `stop` graceMs 1 000 during the step. Expected: `exit`
  // (reason stopped) within the grace. Actual: `exit` only after the full 20 s interval, so
  // a supervisor kills the runner when the grace is over.
  it('stop during a step is answered by exit within the grace even with a long intervalMs', async () => {
    const runner = start();
    await runner.send(
      initFor(example('slow-step.mjs'), { params: { stepMs: 30_000 }, intervalMs: 20_000 }),
    );
    await runner.next('iteration_start');
    await runner.send({ type: 'stop', graceMs: 1_000 });
    // Grace plus 2 s of slack for a loaded machine.
    expect(await runner.next('exit', 3_000)).toMatchObject({ reason: 'stopped' });
  });

  // Regression (fixed; was: src/agent-loop.ts stop() and src/pipe-entry.ts onClose): the grace deadline timer
  // and the orphan exit timer are both unref()ed. When the supervisor goes away while a step
  // awaits a promise that holds no handle, nothing keeps the event loop alive: Node exits at
  // once with 13 (unsettled top-level await in the host), teardown never runs. Expected: the
  // step is abandoned, teardown runs, exit 0 within ~1.25 s. Actual: exit code 13, no teardown.
  it('supervisor gone during a step that never settles → teardown runs and exit 0', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.neverSettles));
    await runner.next('log');
    runner.child.stdio[3]?.destroy();
    const { code } = await runner.closed;
    expect(code).toBe(0);
    expect(runner.stdout()).toContain('teardown ran');
  });

  it('supervisor gone during a step that never settles → the runner still exits within 3 s', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.neverSettles));
    await runner.next('log');
    const destroyedAt = performance.now();
    runner.child.stdio[3]?.destroy();
    const { signal, exitedAt } = await runner.closed;
    expect(signal).toBeNull();
    expect(exitedAt - destroyedAt).toBeLessThan(3_000);
  });

  it('sends heartbeats every heartbeatIntervalMs while it runs', async () => {
    const runner = start();
    await runner.send(
      initFor(example('slow-step.mjs'), { params: { stepMs: 30_000 }, heartbeatIntervalMs: 50 }),
    );
    await runner.next('ready');
    const deadline = Date.now() + 10_000;
    while (
      runner.messages.filter((message) => message.type === 'heartbeat').length < 2 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const heartbeats = runner.messages.filter((message) => message.type === 'heartbeat');
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(typeof heartbeats[0]?.at).toBe('number');
    await runner.send({ type: 'stop', graceMs: 5_000 });
    expect((await runner.next('exit')).reason).toBe('stopped');
  });
});

describe('runPipe failures', () => {
  it('a missing agent module → exit 78, stderr names the module, and no frame on fd 3', async () => {
    const missing = join(fixtures.examples, 'no-such-agent.mjs');
    const runner = start();
    await runner.send(initFor(missing));
    const { code } = await runner.closed;
    expect(code).toBe(78);
    expect(runner.stderr()).toContain(missing);
    expect(runner.stderr()).toContain('not found');
    expect(runner.messages).toEqual([]);
    expect(runner.rawBytes()).toBe(0);
  });

  it('a module without a default export → exit 78 naming the fix, and no frame on fd 3', async () => {
    const runner = start();
    await runner.send(initFor(example('no-default-export.mjs')));
    const { code } = await runner.closed;
    expect(code).toBe(78);
    expect(runner.stderr()).toContain('export default defineAgent');
    expect(runner.rawBytes()).toBe(0);
  });

  it('init without a module → exit 78, and no frame on fd 3', async () => {
    const runner = start();
    await runner.send(initFor(undefined));
    const { code } = await runner.closed;
    expect(code).toBe(78);
    expect(runner.stderr()).toContain('init carries no agent module');
    expect(runner.rawBytes()).toBe(0);
  });

  it('a module that exits 78 itself while importing → exit 78 with its own message', async () => {
    const runner = start();
    await runner.send(initFor(example('exit-78.mjs')));
    const { code } = await runner.closed;
    expect(code).toBe(78);
    expect(runner.stderr()).toContain('missing API key');
    expect(runner.rawBytes()).toBe(0);
  });

  it('protocolVersion 2 in init → exit 76, stderr naming both versions', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.counter, { protocolVersion: 2 }));
    const { code } = await runner.closed;
    expect(code).toBe(76);
    expect(runner.stderr()).toContain('protocol version 2');
    expect(runner.stderr()).toContain('version 1');
    expect(runner.rawBytes()).toBe(0);
  });

  it('an init naming msgpack over a jsonl channel → exit 76 naming both codecs', async () => {
    const runner = start();
    await runner.send(initFor(fixtures.counter, { codec: 'msgpack' }));
    const { code } = await runner.closed;
    expect(code).toBe(76);
    expect(runner.stderr()).toContain('msgpack');
    expect(runner.stderr()).toContain('jsonl');
  });

  it('a stop as the first message → exit 76 (expected init)', async () => {
    const runner = start();
    await runner.send({ type: 'stop', graceMs: 1_000 });
    const { code } = await runner.closed;
    expect(code).toBe(76);
    expect(runner.stderr()).toContain('first message was stop, expected init');
  });

  it('a malformed line before init is reported on stderr and skipped; the init after it works', async () => {
    const runner = start();
    (runner.child.stdio[3] as NodeJS.WritableStream).write('this is not json\n');
    await runner.send(initFor(fixtures.counter, { maxIterations: 1 }));
    expect((await runner.next('exit')).reason).toBe('max_iterations');
    expect((await runner.closed).code).toBe(0);
    expect(runner.stderr()).toMatch(/x runner: /);
  });

  it('no init within initTimeoutMs (300 ms) → exit 76', async () => {
    const runner = start({ host: fixtures.pipeHostShortInit });
    const { code, exitedAt } = await runner.closed;
    expect(code).toBe(76);
    expect(runner.stderr()).toContain('no init message on the IPC channel within 300 ms');
    expect(exitedAt - runner.spawnedAt).toBeGreaterThanOrEqual(300);
    // Far below the default 10 s timeout, even with a slow process start.
    expect(exitedAt - runner.spawnedAt).toBeLessThan(8_000);
    expect(runner.rawBytes()).toBe(0);
  });

  it('fd 3 closed by the parent before init → exit 76', async () => {
    const runner = start();
    runner.child.stdio[3]?.destroy();
    const { code } = await runner.closed;
    expect(code).toBe(76);
    expect(runner.stderr()).toContain('closed the IPC channel before sending init');
  });

  it('spawning the host without fd 3 → exit 64 naming the descriptor', async () => {
    const runner = start({ fd3: 'none' });
    const { code } = await runner.closed;
    expect(code).toBe(64);
    expect(runner.stderr()).toContain('file descriptor 3');
    expect(runner.stderr()).toContain('x daemon');
  });

  it('fd 3 open on a regular file instead of a socket → exit 64, the file left untouched', async () => {
    const dir = mkdtempSync('/tmp/x-kern-');
    const file = join(dir, 'not-a-socket');
    const fd = openSync(file, 'w+');
    try {
      const runner = start({ fd3: fd });
      const { code } = await runner.closed;
      expect(code).toBe(64);
      expect(runner.stderr()).toContain('file descriptor 3');
      expect(readFileSync(file, 'utf8')).toBe('');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown codec in X_IPC_CODEC → exit 64', async () => {
    const runner = start({ env: { X_IPC_CODEC: 'cbor' } });
    const { code } = await runner.closed;
    expect(code).toBe(64);
    expect(runner.stderr()).toContain('unknown codec "cbor"');
  });

  it('setup throwing → fatal error frame, exit frame reason error, exit code 1', async () => {
    const runner = start();
    await runner.send(initFor(example('setup-fails.mjs')));
    const { code } = await runner.closed;
    expect(code).toBe(1);
    expect(types(runner.messages)).toEqual(['ready', 'setup_done', 'log', 'error', 'exit']);
    expect(runner.messages[3]).toEqual({
      type: 'error',
      message: 'setup failed: Error: cannot reach the model endpoint',
      fatal: true,
    });
    expect(runner.messages[4]).toEqual({
      type: 'exit',
      reason: 'error',
      iterations: 0,
      summary: 'setup failed: Error: cannot reach the model endpoint',
    });
  });
});
