import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getCodec,
  validateRunnerMessage,
  type Channel,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createMessagePortChannel } from '@x/ipc/node';
import { fixtures, initFor } from './spawn-runner.js';

// Real worker threads running the built `@x/kernel/worker` entry, started the way the
// daemon's thread launcher does: workerData { port, codec }, the port transferred.

const WORKER_URL = new URL('../dist/worker-entry.js', import.meta.url);
const example = (name: string) => join(fixtures.examples, name);

interface WorkerUnderTest {
  worker: Worker;
  channel: Channel<RunnerMessage, SupervisorMessage>;
  messages: RunnerMessage[];
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number; at: number }>;
  next<T extends RunnerMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<RunnerMessage, { type: T }>>;
}

const started = new Set<Worker>();
afterEach(async () => {
  for (const worker of started) {
    await worker.terminate();
  }
  started.clear();
});

function startWorker(
  codec: CodecName = 'jsonl',
  workerData?: unknown,
  transferList: MessagePort[] = [],
): WorkerUnderTest {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_URL, {
    workerData: workerData ?? { port: port2, codec },
    transferList: workerData === undefined ? [port2] : transferList,
    // Not vitest's execArgv: it carries `--conditions @x/source`, which would make the
    // built worker entry import @x/ipc's TypeScript source.
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  started.add(worker);
  let stderr = '';
  let stdout = '';
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  worker.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const channel = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
    port: port1,
    codec: getCodec(codec),
    validate: validateRunnerMessage,
  });
  const messages: RunnerMessage[] = [];
  channel.onMessage((message) => messages.push(message));
  const exited = new Promise<{ code: number; at: number }>((resolve) =>
    worker.on('exit', (code) => resolve({ code, at: performance.now() })),
  );
  return {
    worker,
    channel,
    messages,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async next(type, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((message) => message.type === type);
        if (found !== undefined) {
          return found as Extract<RunnerMessage, { type: typeof type }>;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `no ${type} within ${timeoutMs} ms; got ${messages.map((m) => m.type).join(', ')}; stderr: ${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

describe.each(['jsonl', 'msgpack'] as CodecName[])(
  'worker entry over a MessagePort (%s)',
  (codec) => {
    it('handshakes (ready without pid, capabilities), answers turns and permissions, exits 0 on stop', async () => {
      const runner = startWorker(codec);
      await runner.channel.send(
        initFor(example('ask-permission.mjs'), { codec, heartbeatIntervalMs: 50 }),
      );
      expect(await runner.next('ready')).toEqual({
        type: 'ready',
        protocolVersion: 1,
        codec,
        capabilities: {
          steps: false,
          turns: true,
          setup: true,
          checkpoints: true,
          pause: true,
          usageAcks: true,
        },
      });
      await runner.next('heartbeat');
      await runner.channel.send({ type: 'turn', turnId: 'w-1', input: { tool: 'git' } });
      const request = await runner.next('permission_request');
      expect(request).toMatchObject({ requestId: 'p-1', tool: 'git' });
      await runner.channel.send({
        type: 'permission_response',
        requestId: 'p-1',
        decision: 'granted',
      });
      expect(await runner.next('turn_result')).toMatchObject({
        turnId: 'w-1',
        status: 'ok',
        output: { decision: 'granted' },
      });
      await runner.channel.send({ type: 'stop', graceMs: 2000 });
      expect(await runner.next('exit')).toEqual({ type: 'exit', reason: 'stopped', iterations: 0 });
      expect((await runner.exited).code).toBe(0);
    });

    it('runs a step agent to done and exits 0; the agent’s stdout goes to worker.stdout', async () => {
      const runner = startWorker(codec);
      await runner.channel.send(initFor(fixtures.counter, { codec, params: { doneAt: 2 } }));
      expect(await runner.next('exit')).toEqual({
        type: 'exit',
        reason: 'done',
        iterations: 2,
        summary: 'count=2',
      });
      expect((await runner.exited).code).toBe(0);
      expect(runner.stdout()).toContain('stdout noise from iteration 1');
    });
  },
);

describe('worker entry failures and supervisor loss', () => {
  it('closing the supervisor side of the port stops the agent and ends the thread with 0 within 3 s', async () => {
    const runner = startWorker();
    await runner.channel.send(initFor(example('turn-slow.mjs')));
    await runner.next('ready');
    await runner.channel.send({ type: 'turn', turnId: 'long', input: { ms: 60_000 } });
    await runner.next('log');
    const closedAt = performance.now();
    runner.channel.close();
    const { code, at } = await runner.exited;
    expect(code).toBe(0);
    expect(at - closedAt).toBeLessThan(3000);
  });

  it('exitFlag: set to 1 when the thread ends on its own, left 0 when it is terminated', async () => {
    const ownFlag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const own = startWorker('jsonl', { port: port2, codec: 'jsonl', exitFlag: ownFlag }, [port2]);
    const ownChannel = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
      port: port1,
      codec: getCodec('jsonl'),
    });
    await ownChannel.send(initFor(example('setup-fails.mjs')));
    expect((await own.exited).code).toBe(1);
    expect(Atomics.load(ownFlag, 0)).toBe(1);

    const killedFlag = new Int32Array(new SharedArrayBuffer(4));
    const channel = new MessageChannel();
    const killed = startWorker(
      'jsonl',
      { port: channel.port2, codec: 'jsonl', exitFlag: killedFlag },
      [channel.port2],
    );
    const killedChannel = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
      port: channel.port1,
      codec: getCodec('jsonl'),
      validate: validateRunnerMessage,
    });
    const ready = new Promise<void>((resolve) =>
      killedChannel.onMessage((message) => message.type === 'ready' && resolve()),
    );
    await killedChannel.send(initFor(fixtures.counter, { intervalMs: 50 }));
    await ready;
    await killed.worker.terminate();
    expect((await killed.exited).code).toBe(1);
    expect(Atomics.load(killedFlag, 0)).toBe(0);
  });

  it('setup that throws → error frame, exit reason error, thread exit code 1', async () => {
    const runner = startWorker();
    await runner.channel.send(initFor(example('setup-fails.mjs')));
    expect(await runner.next('exit')).toMatchObject({ reason: 'error' });
    expect((await runner.exited).code).toBe(1);
  });

  it('a missing agent module → thread exit code 78, no frame, a message on stderr', async () => {
    const runner = startWorker();
    await runner.channel.send(initFor('/nonexistent/agent.mjs'));
    expect((await runner.exited).code).toBe(78);
    expect(runner.messages).toEqual([]);
    expect(runner.stderr()).toContain('not found');
  });

  it('another protocol version → thread exit code 76', async () => {
    const runner = startWorker();
    await runner.channel.send(initFor(fixtures.counter, { protocolVersion: 2 }));
    expect((await runner.exited).code).toBe(76);
    expect(runner.stderr()).toContain('protocol version 2');
  });

  it('init naming another codec than the port is read with → exit code 76 naming the worker port', async () => {
    const runner = startWorker('jsonl');
    await runner.channel.send(initFor(fixtures.counter, { codec: 'msgpack' }));
    expect((await runner.exited).code).toBe(76);
    expect(runner.stderr()).toContain('the worker port is read as jsonl');
  });

  it('workerData without a port → exit code 64 (EX_USAGE) with a message naming workerData', async () => {
    const runner = startWorker('jsonl', { codec: 'jsonl' });
    expect((await runner.exited).code).toBe(64);
    expect(runner.stderr()).toContain('workerData { port: MessagePort');
  });

  it('loading the worker entry in the main thread starts nothing', async () => {
    const module = (await import('../src/worker-entry.js')) as { runWorker: unknown };
    expect(typeof module.runWorker).toBe('function');
  });
});
