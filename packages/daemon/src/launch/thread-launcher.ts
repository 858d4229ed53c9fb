import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import {
  getCodec,
  validateRunnerMessage,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createMessagePortChannel } from '@x/ipc/node';
import type {
  LaunchSpec,
  LaunchedRunner,
  RunnerError,
  RunnerExit,
  RunnerLauncher,
} from './runner-launcher.js';

/** Options of {@link createThreadLauncher}. */
export interface ThreadLauncherOptions {
  /**
   * The kernel's worker entry (`import.meta.resolve('@x/kernel/worker')`): a module that reads
   * `workerData: { port, codec }` and speaks runner protocol v1 on `port`. A `file:` URL (as a
   * string or URL) or an absolute path.
   */
  workerUrl: string | URL;
  /** Largest protocol frame accepted from a runner, in bytes. @default 8 MiB */
  maxFrameBytes?: number;
  /**
   * Node options of the workers. Tests pass `[]` so that a test runner's `--conditions`
   * do not reach the worker. @default the daemon's `process.execArgv` (Node's default)
   */
  execArgv?: readonly string[];
}

/** What the worker entry receives as `workerData` (the contract with `@x/kernel/worker`). */
export interface ThreadRunnerData {
  /** The worker's end of the protocol channel (transferred). */
  port: MessagePort;
  /** Codec of the frames on `port`. */
  codec: CodecName;
  /**
   * One `Int32Array` element over a `SharedArrayBuffer`, 0 at the start. The worker entry
   * stores 1 in it when the thread ends on its own (its `process` `exit` event, which
   * `worker.terminate()` does not emit), so the launcher can tell, at once and without a
   * race, whether a thread it is about to terminate has already ended.
   */
  exitFlag: Int32Array;
  /**
   * One `Float64Array` element over a `SharedArrayBuffer`, -1 at the start: the worker entry
   * stores its isolate's `used_heap_size` (bytes) in it every second (an unref'd timer, so a
   * thread busy in synchronous code leaves the last value), which the daemon reads as the
   * thread's memory (`LaunchedRunner.usage`). An older worker entry leaves it at -1: unknown.
   */
  heapUsed?: Float64Array;
}

/** Environment variable telling the runner which codec is on its channel. */
const IPC_CODEC_ENV = 'X_IPC_CODEC';

/**
 * `node:worker_threads`, loaded on the first thread launch: a daemon that runs no thread
 * runner never loads it (about 1.5 MiB of RSS, measured in a bare Node 20 process).
 */
let workerThreads: typeof WorkerThreads | undefined;
const loadWorkerThreads = () =>
  (workerThreads ??= createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads);

/**
 * Launches each runner as a `worker_threads` worker inside the daemon, running the kernel's
 * worker entry: the same protocol messages through the same `Channel` API, over a
 * `MessagePort` instead of fd 3. The worker gets its own copy of the environment
 * (`process.env` + `spec.env`), stdout and stderr as streams, and, with `spec.maxMemoryMb`,
 * a V8 heap cap (`resourceLimits.maxOldGenerationSizeMb`): reaching it ends the worker with
 * `ERR_WORKER_OUT_OF_MEMORY`, classified `oom`, and the daemon survives.
 *
 * What a thread cannot have: its own working directory (`spec.cwd` is not applied, workers
 * share the daemon's and cannot chdir), a process group, signals (both `signal()` kinds map
 * to `worker.terminate()`), an RSS limit, or protection from a native crash or a
 * process-wide out-of-memory, which take the daemon down with it.
 * A `command` spec cannot run in a thread: it ends at once as a spawn failure.
 */
export function createThreadLauncher(options: ThreadLauncherOptions): RunnerLauncher {
  // `new Worker` takes a path or a URL object, not a URL string (ERR_WORKER_PATH).
  const entry =
    typeof options.workerUrl === 'string' && options.workerUrl.startsWith('file:')
      ? new URL(options.workerUrl)
      : options.workerUrl;
  return {
    kind: 'thread',
    launch(spec: LaunchSpec): LaunchedRunner {
      const codec = getCodec(
        spec.codec,
        options.maxFrameBytes === undefined ? undefined : { maxFrameBytes: options.maxFrameBytes },
      );
      const { MessageChannel, Worker } = loadWorkerThreads();
      const { port1: port, port2: workerPort } = new MessageChannel();
      const channel = createMessagePortChannel<RunnerMessage, SupervisorMessage>({
        port,
        codec,
        validate: validateRunnerMessage,
      });
      if (spec.command !== undefined) {
        return notStarted(channel, workerPort, {
          code: 'ERR_THREAD_COMMAND',
          message: `x: a command (${spec.command.join(' ')}) cannot run in a thread; command runs are subprocesses`,
        });
      }
      const exitFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      const heapUsed = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
      heapUsed[0] = -1;
      let worker: Worker;
      try {
        const workerData: ThreadRunnerData = {
          port: workerPort,
          codec: spec.codec,
          exitFlag,
          heapUsed,
        };
        worker = new Worker(entry, {
          workerData,
          transferList: [workerPort],
          env: { ...process.env, ...spec.env, [IPC_CODEC_ENV]: spec.codec },
          stdout: true,
          stderr: true,
          name: `x-runner-${spec.name}`,
          ...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] }),
          ...(spec.maxMemoryMb == null
            ? {}
            : { resourceLimits: { maxOldGenerationSizeMb: spec.maxMemoryMb } }),
        });
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        return notStarted(channel, workerPort, { code, message });
      }

      // Whether terminate() was called while the thread still ran. Not the same as "called
      // before the 'exit' event": a thread can end on its own and have its 'exit' event
      // still queued when signal() comes (then its exit code is its own, not terminate's).
      let terminated = false;
      let terminateCalled = false;
      let exitedAlready = false;
      let uncaught: RunnerError | undefined;
      worker.on('error', (error: unknown) => {
        // Only the first error ends the worker; later ones are from its teardown.
        uncaught ??= describeError(error);
      });
      const exited = new Promise<RunnerExit>((resolve) => {
        worker.once('exit', (exitCode) => {
          exitedAlready = true;
          resolve({
            exitCode,
            signal: null,
            ...(uncaught === undefined ? {} : { error: uncaught }),
            // terminate() of a running thread exits it with code 1 and no 'error' event;
            // anything else is the thread's own ending (also with an older worker entry that
            // leaves exitFlag alone).
            ...(terminated && exitCode === 1 && uncaught === undefined ? { terminated: true } : {}),
          });
        });
      });

      return {
        pid: undefined,
        pgid: undefined,
        threadId: worker.threadId,
        channel,
        stdout: worker.stdout,
        stderr: worker.stderr,
        exited,
        signal() {
          if (exitedAlready || terminateCalled) {
            return false;
          }
          terminateCalled = true;
          terminated = Atomics.load(exitFlag, 0) === 0;
          // terminate() interrupts running JavaScript (even a sync loop); its promise
          // settles with the exit code, which 'exit' reports too.
          worker.terminate().catch(() => undefined);
          return true;
        },
        usage() {
          const heap = heapUsed[0];
          return {
            activeMs: exitedAlready ? 0 : worker.performance.eventLoopUtilization().active,
            heapUsedBytes: heap >= 0 ? heap : null,
          };
        },
      };
    },
  };
}

/** A runner that never started: its channel is closed and it has already "exited". */
function notStarted(
  channel: LaunchedRunner['channel'],
  workerPort: MessagePort,
  spawnError: { code?: string | undefined; message: string },
): LaunchedRunner {
  workerPort.close();
  channel.close();
  return {
    pid: undefined,
    pgid: undefined,
    channel,
    stdout: null,
    stderr: null,
    exited: Promise.resolve({ exitCode: null, signal: null, spawnError }),
    signal: () => false,
  };
}

function describeError(error: unknown): RunnerError {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Node's own ERR_WORKER_* errors are made in the daemon: their stack is not the agent's.
    const own = typeof code === 'string' && code.startsWith('ERR_WORKER_');
    return {
      ...(typeof code === 'string' ? { code } : {}),
      name: error.name,
      message: error.message,
      ...(error.stack === undefined || own ? {} : { stack: error.stack }),
    };
  }
  return { message: `non-error value thrown: ${String(error)}` };
}
