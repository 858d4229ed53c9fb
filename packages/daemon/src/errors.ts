import { RpcError } from '@x/ipc';

const DAEMON_ERROR = Symbol.for('x.daemon.error');

/**
 * Application error codes of the control socket's JSON-RPC API (`-32000..-32089`).
 * Clients match on these numbers; the messages are for humans.
 */
export const DAEMON_RPC_CODES = {
  /** No run with that id or name. `data: { ref }` */
  RUN_NOT_FOUND: -32001,
  /** An active run already has that name. `data: { name, runId }` */
  NAME_IN_USE: -32002,
  /** The run exited before it became ready. `data: { run }` (a RunRecord, with `exit`) */
  START_FAILED: -32003,
  /** The daemon is shutting down and accepts no new runs. */
  SHUTTING_DOWN: -32004,
} as const;

/** Stable string codes of `@x/daemon` errors. */
export const DAEMON_ERROR_CODES = {
  ALREADY_RUNNING: 'X_DAEMON_ALREADY_RUNNING',
  STATE_DIR: 'X_DAEMON_STATE_DIR',
  SOCKET_PATH_TOO_LONG: 'X_DAEMON_SOCKET_PATH_TOO_LONG',
  PERSISTENCE: 'X_DAEMON_PERSISTENCE',
} as const;

export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[keyof typeof DAEMON_ERROR_CODES];

/** Base class of `@x/daemon` errors, with a stable `code`. */
export class DaemonError extends Error {
  readonly [DAEMON_ERROR] = true;
  constructor(
    readonly code: DaemonErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
DaemonError.prototype.name = 'DaemonError';

/** True for errors created by `@x/daemon`. */
export function isDaemonError(value: unknown): value is DaemonError {
  return typeof value === 'object' && value !== null && DAEMON_ERROR in value;
}

export function runNotFound(ref: string): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.RUN_NOT_FOUND,
    `x: no agent run with id or name ${JSON.stringify(ref)}; see \`x agent list --all\``,
    { ref },
  );
}
