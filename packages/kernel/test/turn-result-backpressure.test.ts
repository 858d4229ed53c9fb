import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getCodec,
  validateRunnerMessage,
  validateSupervisorMessage,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createMessagePortChannel } from '@x/ipc/node';
import { hostRunner } from '../src/host-runner.js';
import { fixtures, initFor } from './spawn-runner.js';

// hostRunner in this thread, over a real MessageChannel with acknowledged flow control; the
// supervisor's end is not read at first (nothing acknowledges), so the runner's queue fills.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) {
    cleanup();
  }
});

describe('hostRunner: a turn_result refused for backpressure', () => {
  it('is retried after the supervisor reads again, not dropped; dropped logs are reported once', async () => {
    const codec = getCodec('msgpack');
    const { port1: supervisorPort, port2: runnerPort } = new MessageChannel();
    const runnerChannel = createMessagePortChannel<SupervisorMessage, RunnerMessage>({
      port: runnerPort,
      codec,
      validate: validateSupervisorMessage,
      maxQueuedBytes: 2 * 1024 * 1024,
    });
    let stderr = '';
    let exitCode: number | undefined;
    const hosted = hostRunner(runnerChannel, {
      codec: 'msgpack',
      channelName: 'the test port',
      writeErr: (text) => (stderr += text),
      exit: (code) => {
        exitCode ??= code;
        return undefined as never;
      },
    });
    cleanups.push(() => runnerChannel.close());

    // Written straight to the port, without listening on it: nothing is acknowledged yet.
    for (const message of [
      initFor(fixtures.floodThenAnswer, { codec: 'msgpack' }),
      // 60 × 50 KB of logs (3 MB: more than the 2 MiB the runner may queue), then an
      // output of 500 KB that finds the queue full.
      { type: 'turn', turnId: 't-1', input: { logs: 60, logBytes: 50_000, outputBytes: 500_000 } },
    ] satisfies SupervisorMessage[]) {
      supervisorPort.postMessage(codec.encode(message));
    }
    // The retries run meanwhile (10 ms, doubling, up to 500 ms apart).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runnerChannel.closed).toBe(false);

    // The supervisor reads again.
    const supervisor = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
      port: supervisorPort,
      codec,
      validate: validateRunnerMessage,
    });
    const messages: RunnerMessage[] = [];
    const answered = new Promise<Extract<RunnerMessage, { type: 'turn_result' }>>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no turn_result; ${stderr}`)), 10_000);
        supervisor.onMessage((message) => {
          messages.push(message);
          if (message.type === 'turn_result') {
            clearTimeout(timer);
            resolve(message);
          }
        });
      },
    );
    const result = await answered;
    expect(result).toMatchObject({ turnId: 't-1', status: 'ok' });
    expect(result.output).toHaveLength(500_000);
    const logs = messages.filter((message) => message.type === 'log').length;
    expect(logs).toBeGreaterThan(0);
    expect(logs).toBeLessThan(60);
    // The drops are reported, once (they all happened within a second), and nothing else failed.
    expect(stderr).toMatch(/dropped 1 message\(s\) \(last: log\).*X_IPC_BACKPRESSURE/);
    expect(supervisor.closed).toBe(false);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);

    await supervisor.send({ type: 'stop', graceMs: 2000 });
    await hosted;
    expect(exitCode).toBe(0);
    for (let i = 0; i < 100 && messages.at(-1)?.type !== 'exit'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(messages.at(-1)).toMatchObject({ type: 'exit', reason: 'stopped' });
    supervisor.close();
  });
});
