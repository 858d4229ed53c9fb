import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import {
  getCodec,
  validateRunnerMessage,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import type { LaunchSpec, LaunchedRunner, RunnerExit, RunnerLauncher } from './runner-launcher.js';

/** Options of {@link createSubprocessLauncher}. */
export interface SubprocessLauncherOptions {
  /** Program to run, e.g. `process.execPath`. */
  command: string;
  /** Its arguments, e.g. `['/path/to/x/bin.js', 'runner', '--pipe']`. */
  args: readonly string[];
  /** Largest protocol frame accepted from a runner, in bytes. @default 8 MiB */
  maxFrameBytes?: number;
}

/** Environment variable telling the runner which codec is on fd 3. */
const IPC_CODEC_ENV = 'X_IPC_CODEC';

/**
 * Launches each runner as a child process with the protocol on fd 3 (a socketpair),
 * stdout and stderr piped, in a new session and process group (`detached`), so that a
 * stop can signal the whole group and the terminal's Ctrl-C never reaches runners.
 * The runner learns the codec from `X_IPC_CODEC` and the run from `init`. A spec with a
 * `command` runs that program instead of `options.command` (any language, same protocol).
 */
export function createSubprocessLauncher(options: SubprocessLauncherOptions): RunnerLauncher {
  return {
    kind: 'subprocess',
    launch(spec: LaunchSpec): LaunchedRunner {
      const [file, ...args] = spec.command ?? [options.command, ...options.args];
      const child = execa(file, args, {
        cwd: spec.cwd,
        env: { ...spec.env, [IPC_CODEC_ENV]: spec.codec },
        extendEnv: true,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        buffer: false,
        reject: false,
        detached: true,
        cleanup: false,
        stripFinalNewline: false,
      });
      const ipc = child.stdio[3] as unknown as Duplex;
      const channel = createStreamChannel<RunnerMessage, SupervisorMessage>({
        readable: ipc,
        codec: getCodec(
          spec.codec,
          options.maxFrameBytes === undefined
            ? undefined
            : { maxFrameBytes: options.maxFrameBytes },
        ),
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
        // execa resolves (reject: false) once the process ended; spawn errors show up here.
        child.then(
          (result) => {
            if (result.failed && result.exitCode === undefined && result.signal === undefined) {
              const code = (result as { code?: string }).code;
              settle({
                exitCode: null,
                signal: null,
                spawnError: {
                  code,
                  message: result.shortMessage ?? result.message ?? 'spawn failed',
                },
              });
            }
          },
          (error: Error) =>
            settle({ exitCode: null, signal: null, spawnError: { message: error.message } }),
        );
      });

      return {
        pid,
        pgid: pid,
        channel,
        stdout: child.stdout,
        stderr: child.stderr,
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
    },
  };
}
