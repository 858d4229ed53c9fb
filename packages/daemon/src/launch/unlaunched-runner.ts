import { IPC_ERROR_CODES, IpcError, type Event } from '@x/ipc';
import type { LaunchedRunner } from './runner-launcher.js';

const never: Event<never> = () => ({ dispose() {} });

/**
 * What a launch that threw becomes: a runner that never started, whose exit is a spawn error
 * (classified `spawn_failed`, never restarted). A launcher may throw synchronously (Node
 * refuses an argument with a NUL byte, a worker cannot be created); this turns that into an
 * ordinary exit of the attempt instead of an exception in a timer that would end the daemon.
 */
export function unlaunchedRunner(error: unknown): LaunchedRunner {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    pid: undefined,
    pgid: undefined,
    channel: {
      codec: 'jsonl',
      closed: true,
      send: () =>
        Promise.reject(
          new IpcError(IPC_ERROR_CODES.CHANNEL_CLOSED, 'x: the runner was never started'),
        ),
      onMessage: never,
      onError: never,
      onClose: never,
      close() {},
    },
    stdout: null,
    stderr: null,
    exited: Promise.resolve({
      exitCode: null,
      signal: null,
      spawnError: {
        code: typeof code === 'string' ? code : undefined,
        message: (typeof message === 'string' ? message : String(error)).slice(0, 2048),
      },
    }),
    signal: () => false,
  };
}
