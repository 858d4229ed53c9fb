import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import {
  getCodec,
  validateRunnerMessage,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import { silentLogger, type Logger } from '../process/logger.js';
import type { LaunchSpec, LaunchedRunner, RunnerExit, RunnerLauncher } from './runner-launcher.js';
import { spareKeyOf } from './spare-key.js';
import { SparePool, type SpareStatus } from './spare-pool.js';

/** Options of {@link createSubprocessLauncher}. */
export interface SubprocessLauncherOptions {
  /** Program to run, e.g. `process.execPath`. */
  command: string;
  /** Its arguments, e.g. `['/path/to/x/bin.js', 'runner', '--pipe']`. */
  args: readonly string[];
  /** Largest protocol frame accepted from a runner, in bytes. @default 8 MiB */
  maxFrameBytes?: number;
  /**
   * How many spare runners to keep started ahead of need (see {@link SparePool}): each is
   * `command args` waiting for `init`, and costs an idle runner's memory (~44 MiB RSS for
   * `x runner --pipe`). A launch that can use one skips the cold start. The first spares are
   * started for codec `jsonl` in `process.cwd()`; then for the last eligible launch's.
   * @default 0
   */
  spares?: number;
  /** Where the spare pool logs why it stopped pre-starting. @default silentLogger */
  logger?: Logger;
}

/** A subprocess launcher, with the state of its spare runners. */
export interface SubprocessLauncher extends RunnerLauncher {
  /** The spare pool's state and counters; undefined when `spares` is 0. */
  readonly spares: SpareStatus | undefined;
  /** Kills the idle spares and stops pre-starting. Runs are not touched. */
  close(): Promise<void>;
}

/** Environment variable telling the runner which codec is on fd 3. */
const IPC_CODEC_ENV = 'X_IPC_CODEC';
/**
 * Environment variable marking a spare (`1`): the runner waits for `init` without a time
 * limit, and removes the variable before the agent loads (@x/kernel's pipe entry reads it).
 */
export const RUNNER_SPARE_ENV = 'X_RUNNER_SPARE';

/**
 * Launches each runner as a child process with the protocol on fd 3 (a socketpair),
 * stdout and stderr piped, in a new session and process group (`detached`), so that a
 * stop can signal the whole group and the terminal's Ctrl-C never reaches runners.
 * The runner learns the codec from `X_IPC_CODEC` and the run from `init`. A spec with a
 * `command` runs that program instead of `options.command` (any language, same protocol).
 *
 * With `spares`, a launch whose fresh spawn would be the same process as a spare (the own
 * runner, same codec and cwd, no environment of its own: see {@link spareKeyOf}) gets the
 * spare: its pid, process group and start time are the spare's. Its stdout and stderr from
 * before the handover (normally none) wait in the pipes and reach the run log.
 */
export function createSubprocessLauncher(options: SubprocessLauncherOptions): SubprocessLauncher {
  const own = [options.command, ...options.args];
  const size = options.spares ?? 0;
  const pool =
    size > 0
      ? new SparePool({
          size,
          key: { codec: 'jsonl', cwd: process.cwd() },
          logger: options.logger ?? silentLogger,
          spawn: (key) =>
            spawnRunner(
              own,
              key.cwd,
              { [RUNNER_SPARE_ENV]: '1' },
              key.codec,
              options.maxFrameBytes,
              {
                holdOutput: true,
              },
            ),
        })
      : undefined;
  return {
    kind: 'subprocess',
    get spares() {
      return pool?.status;
    },
    launch(spec: LaunchSpec): LaunchedRunner {
      if (pool !== undefined) {
        const key = spareKeyOf(spec, process.env);
        if (!('reason' in key)) {
          const spare = pool.take(key);
          if (spare !== undefined) {
            return spare;
          }
        }
      }
      return spawnRunner(
        spec.command ?? own,
        spec.cwd,
        spec.env,
        spec.codec,
        options.maxFrameBytes,
      );
    },
    close: () => pool?.close() ?? Promise.resolve(),
  };
}

/**
 * Spawns `argv` as a runner in its own process group, with the protocol on fd 3. With
 * `holdOutput` (a spare), stdout and stderr go through a PassThrough that keeps what the runner
 * writes until a run attaches its log. The hold is bounded: once the PassThrough's buffer and
 * the OS pipe are full, the runner blocks on its write until it is handed over.
 *
 * `child_process.spawn` itself, not execa: the launcher needs nothing execa adds (no output
 * buffered, no promise, no rejection), and it is the supervisor's hot path. execa cost 1.3 ms
 * more of the daemon's event loop per spawn (2.8 against 1.5 ms, measured), and loading it at
 * the daemon's start-up (its signal tables are computed on import) made V8 optimise a
 * function, which keeps ~3 MiB more of the `node` binary resident in an idle daemon (issue 12).
 * Spawn errors (ENOENT, EACCES…) come as the child's `error` event with no pid; a launch
 * whose arguments Node refuses (a NUL byte) throws, as before.
 */
function spawnRunner(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
  codec: CodecName,
  maxFrameBytes: number | undefined,
  { holdOutput = false }: { holdOutput?: boolean } = {},
): LaunchedRunner {
  const [file, ...args] = argv;
  const child = spawn(file, args, {
    cwd,
    env: { ...process.env, ...env, [IPC_CODEC_ENV]: codec },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const ipc = child.stdio[3] as Duplex;
  const channel = createStreamChannel<RunnerMessage, SupervisorMessage>({
    readable: ipc,
    codec: getCodec(codec, maxFrameBytes === undefined ? undefined : { maxFrameBytes }),
    validate: validateRunnerMessage,
  });
  const pid = child.pid;

  const exited = new Promise<RunnerExit>((resolve) => {
    let settled = false;
    const settle = (exit: RunnerExit) => {
      if (!settled) {
        settled = true;
        resolve(exit);
      }
    };
    child.once('exit', (exitCode, signal) => settle({ exitCode, signal }));
    // A process that never started: `error` without a pid, and no `exit`. Other errors
    // (a failed kill) leave the exit to the `exit` event.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        channel.close();
        settle({
          exitCode: null,
          signal: null,
          spawnError: { code: error.code, message: clipText(error.message) },
        });
      }
    });
  });

  return {
    pid,
    pgid: pid,
    channel,
    stdout: holdOutput ? hold(child.stdout) : child.stdout,
    stderr: holdOutput ? hold(child.stderr) : child.stderr,
    exited,
    signal(signal) {
      if (pid === undefined) {
        return false;
      }
      try {
        // Negative pid: the whole process group the runner leads (detached: true).
        process.kill(-pid, signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Longest spawn error message kept: 2048 characters. */
const SPAWN_ERROR_MAX_CHARS = 2048;

function clipText(text: string): string {
  return text.length <= SPAWN_ERROR_MAX_CHARS
    ? text
    : `${text.slice(0, SPAWN_ERROR_MAX_CHARS)}… (${text.length - SPAWN_ERROR_MAX_CHARS} more characters)`;
}

/** `stream` through a PassThrough (paused until read), or null. */
function hold(stream: Readable | null): Readable | null {
  return stream === null ? null : stream.pipe(new PassThrough());
}
