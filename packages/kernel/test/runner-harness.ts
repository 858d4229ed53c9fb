import { MessageChannel, Worker } from 'node:worker_threads';
import {
  getCodec,
  validateRunnerMessage,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createMessagePortChannel } from '@x/ipc/node';
import { spawnRunner } from './spawn-runner.js';

/** How a runner is started: `x runner --pipe` (a process) or the worker entry (a thread). */
export type RunnerMode = 'subprocess' | 'thread';

/** One runner under test, either mode, seen from the supervisor's side of its channel. */
export interface RunnerHarness {
  /** Every valid frame received, in order. */
  readonly messages: RunnerMessage[];
  /** Frames the supervisor's validator refused (what the daemon counts toward protocol_error). */
  readonly channelErrors: Error[];
  send(message: SupervisorMessage): Promise<void>;
  /** Closes the supervisor's side of the channel, as a supervisor that went away does. */
  closeChannel(): void;
  /** The first frame of `type` (seen already or to come); rejects after `timeoutMs`. */
  next<T extends RunnerMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<RunnerMessage, { type: T }>>;
  /** The process's or thread's exit code. */
  readonly exitCode: Promise<number | null>;
  stderr(): string;
  /** Ends the runner if it is still running. */
  dispose(): Promise<void>;
}

/** Starts a runner from the built kernel, as the daemon's launcher of `mode` does. */
export function startRunner(mode: RunnerMode): RunnerHarness {
  return mode === 'subprocess' ? startProcess() : startThread();
}

function startProcess(): RunnerHarness {
  const runner = spawnRunner();
  return {
    messages: runner.messages,
    channelErrors: runner.channelErrors,
    send: (message) => runner.send(message),
    closeChannel: () => runner.child.stdio[3]?.destroy(),
    next: (type, timeoutMs) => runner.next(type, timeoutMs),
    exitCode: runner.closed.then(({ code }) => code),
    stderr: runner.stderr,
    async dispose() {
      runner.kill();
      await runner.closed;
    },
  };
}

const WORKER_URL = new URL('../dist/worker-entry.js', import.meta.url);

function startThread(): RunnerHarness {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_URL, {
    workerData: { port: port2, codec: 'jsonl' },
    transferList: [port2],
    // Not vitest's execArgv: its `--conditions @x/source` would load @x/ipc's TypeScript source.
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  let stderr = '';
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  worker.stdout.resume();
  const channel = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
    port: port1,
    codec: getCodec('jsonl'),
    validate: validateRunnerMessage,
  });
  const messages: RunnerMessage[] = [];
  const channelErrors: Error[] = [];
  channel.onMessage((message) => messages.push(message));
  channel.onError((error) => channelErrors.push(error));
  let exited = false;
  const exitCode = new Promise<number>((resolve) =>
    worker.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  return {
    messages,
    channelErrors,
    send: (message) => channel.send(message),
    closeChannel: () => channel.close(),
    async next(type, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((message) => message.type === type);
        if (found !== undefined) {
          return found as Extract<RunnerMessage, { type: typeof type }>;
        }
        if (Date.now() > deadline || exited) {
          // A frame posted just before the exit may still be on its way: one last look.
          await new Promise((resolve) => setTimeout(resolve, exited ? 50 : 0));
          const late = messages.find((message) => message.type === type);
          if (late !== undefined) {
            return late as Extract<RunnerMessage, { type: typeof type }>;
          }
          throw new Error(
            `no ${type} within ${timeoutMs} ms; got ${messages.map((m) => m.type).join(', ')}; stderr: ${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    exitCode,
    stderr: () => stderr,
    async dispose() {
      await worker.terminate();
    },
  };
}
