import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import {
  PROTOCOL_VERSION,
  getCodec,
  validateRunnerMessage,
  type Channel,
  type CodecName,
  type InitMessage,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';

/** Fixture paths. Kernel fixtures import '@x/kernel', which resolves to the built dist. */
export const fixtures = {
  pipeHost: fileURLToPath(new URL('./fixtures/pipe-host.mjs', import.meta.url)),
  pipeHostShortInit: fileURLToPath(new URL('./fixtures/pipe-host-short-init.mjs', import.meta.url)),
  counter: fileURLToPath(new URL('./fixtures/counter.mjs', import.meta.url)),
  neverSettles: fileURLToPath(new URL('./fixtures/never-settles.mjs', import.meta.url)),
  slowImport: fileURLToPath(new URL('./fixtures/slow-import.mjs', import.meta.url)),
  floodThenAnswer: fileURLToPath(new URL('./fixtures/flood-then-answer.mjs', import.meta.url)),
  examples: fileURLToPath(new URL('../../../examples/agents/fixtures', import.meta.url)),
};

/** One runner process, with the supervisor's side of fd 3 and everything it has said. */
export interface RunnerUnderTest {
  child: ChildProcess;
  /** Absent when the runner was spawned without a socket on fd 3. */
  channel: Channel<RunnerMessage, SupervisorMessage> | undefined;
  /** Every valid frame received on fd 3, in order. */
  readonly messages: RunnerMessage[];
  /** Frames that failed to decode or validate, and transport errors. */
  readonly channelErrors: Error[];
  /** Bytes received on fd 3, valid or not. */
  readonly rawBytes: () => number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** `performance.now()` when the process was spawned. */
  readonly spawnedAt: number;
  /** Resolves when the process has exited and its stdio is closed. */
  readonly closed: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    exitedAt: number;
  }>;
  /** Resolves with the first frame of `type` (seen already or to come), or rejects after `timeoutMs`. */
  next<T extends RunnerMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<RunnerMessage, { type: T }>>;
  send(message: SupervisorMessage): Promise<void>;
  /** Sends SIGKILL to the process if it is still running. */
  kill(): void;
}

export interface SpawnRunnerOptions {
  /** Host script to run. @default the pipe host */
  host?: string;
  /** Codec the supervisor side uses on fd 3, and X_IPC_CODEC for the child. @default 'jsonl' */
  codec?: CodecName;
  /** Extra environment for the child. A value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /**
   * What the child gets as fd 3: 'socket' (the supervisor's channel), 'none', or an open
   * file descriptor of this process to pass instead. @default 'socket'
   */
  fd3?: 'socket' | 'none' | number;
}

/** Spawns a runner host as the daemon does: stdin ignored, stdout/stderr piped, fd 3 a socket. */
export function spawnRunner(options: SpawnRunnerOptions = {}): RunnerUnderTest {
  const codec = options.codec ?? 'jsonl';
  const env: Record<string, string | undefined> = {
    ...process.env,
    X_IPC_CODEC: codec,
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) {
      delete env[key];
    }
  }
  const fd3Option = options.fd3 ?? 'socket';
  const withFd3 = fd3Option === 'socket';
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [options.host ?? fixtures.pipeHost], {
    stdio:
      fd3Option === 'socket'
        ? ['ignore', 'pipe', 'pipe', 'pipe']
        : fd3Option === 'none'
          ? ['ignore', 'pipe', 'pipe']
          : ['ignore', 'pipe', 'pipe', fd3Option],
    env,
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });

  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const messages: RunnerMessage[] = [];
  const channelErrors: Error[] = [];
  const waiters = new Set<() => void>();
  let rawBytes = 0;
  let channel: Channel<RunnerMessage, SupervisorMessage> | undefined;
  const fd3 = withFd3 ? (child.stdio[3] as Socket) : undefined;
  if (fd3 !== undefined) {
    fd3.on('data', (chunk: Buffer) => (rawBytes += chunk.length));
    channel = createStreamChannel<RunnerMessage, SupervisorMessage>({
      readable: fd3,
      codec: getCodec(codec),
      validate: validateRunnerMessage,
    });
    channel.onMessage((message) => {
      messages.push(message);
      for (const waiter of waiters) {
        waiter();
      }
    });
    channel.onError((error) => channelErrors.push(error));
  }

  let exitedAt = 0;
  child.on('exit', () => {
    exitedAt = performance.now();
  });
  const closed = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    exitedAt: number;
  }>((resolve) => {
    child.on('close', (code, signal) => {
      fd3?.destroy();
      for (const waiter of waiters) {
        waiter();
      }
      resolve({ code, signal, exitedAt });
    });
  });

  return {
    child,
    channel,
    messages,
    channelErrors,
    rawBytes: () => rawBytes,
    stdout: () => stdout,
    stderr: () => stderr,
    spawnedAt,
    closed,
    next(type, timeoutMs = 10_000) {
      type Wanted = Extract<RunnerMessage, { type: typeof type }>;
      const find = () => messages.find((message): message is Wanted => message.type === type);
      return new Promise<Wanted>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            // The process is gone and its fd 3 drained (close fired): the frame will not come.
            if (fd3 === undefined || fd3.destroyed) {
              finish();
              reject(new Error(`runner exited without sending ${type}; stderr: ${stderr}`));
            }
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no ${type} frame within ${timeoutMs} ms; got ${messages.map((m) => m.type).join(', ')}; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    send(message) {
      if (channel === undefined) {
        return Promise.reject(new Error('runner was spawned without fd 3'));
      }
      return channel.send(message);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    },
  };
}

/** An `init` for a module, with defaults a test can override. */
export function initFor(
  module: string | undefined,
  overrides: Partial<InitMessage> = {},
): InitMessage {
  const init: InitMessage = {
    type: 'init',
    protocolVersion: PROTOCOL_VERSION,
    codec: 'jsonl',
    runId: 'run-test-1',
    name: 'kernel-test',
    params: {},
    intervalMs: 0,
    ...overrides,
  };
  if (module !== undefined) {
    init.module = module;
  }
  return init;
}
