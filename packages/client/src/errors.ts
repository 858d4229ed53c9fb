import {
  CONTROL_MAX_FRAME_BYTES,
  IPC_ERROR_CODES,
  RPC_ERROR_CODES,
  RpcError,
  isIpcError,
  isRpcError,
} from '@x/ipc/node';

/**
 * The daemon's application error codes (`DAEMON_RPC_CODES` of `@x/daemon`, copied so that the
 * client does not load the daemon; a test checks that both agree). Match on these numbers, or
 * on the error classes below; messages are for humans.
 */
export const CONTROL_ERROR_CODES = {
  RUN_NOT_FOUND: -32001,
  NAME_IN_USE: -32002,
  START_FAILED: -32003,
  SHUTTING_DOWN: -32004,
  TURNS_NOT_ACCEPTED: -32020,
  TOO_MANY_TURNS: -32021,
  TURN_NOT_FOUND: -32022,
  PERMISSION_NOT_FOUND: -32023,
  PERMISSION_ALREADY_ANSWERED: -32024,
  RUN_NOT_PAUSABLE: -32025,
  CHECKPOINT_NOT_FOUND: -32026,
  RUN_ACTIVE: -32027,
  ALREADY_SUBSCRIBED: -32030,
} as const;

/**
 * An error answer of the daemon, or a client-side failure of a call (connection closed,
 * timeout, cancelled), with its JSON-RPC `code` and `data` as sent. Every error a call of
 * the client rejects with is one of its subclasses, chosen by `code`; an unknown code gives
 * a plain `ControlError`. It is an `RpcError` of `@x/ipc` (`isRpcError` holds).
 */
export class ControlError extends RpcError {
  /** The method that failed (`agent.status`, …). */
  readonly method: string;
  constructor(code: number, message: string, data: unknown, method: string, cause?: unknown) {
    super(code, message, data, cause === undefined ? undefined : { cause });
    this.method = method;
  }
}
ControlError.prototype.name = 'ControlError';

/** -32001: no run with that id or name. `data: { ref }` */
export class RunNotFoundError extends ControlError {}
/** -32002: an active run already has that name. `data: { name, runId }` */
export class NameInUseError extends ControlError {}
/** -32003: the run ended before it was ready. `data: { run }` (its RunRecord, with `exit`) */
export class StartFailedError extends ControlError {}
/** -32004: the daemon is shutting down and accepts no new runs. */
export class ShuttingDownError extends ControlError {}
/** -32020: the run takes no turns (not running, or its agent has no `turn`). */
export class TurnsNotAcceptedError extends ControlError {}
/** -32021: the run has 1000 turns in flight. `data: { runId, inFlight }` */
export class TooManyTurnsError extends ControlError {}
/** -32022: no turn with that id. `data: { runId, turnId }` */
export class TurnNotFoundError extends ControlError {}
/** -32023: no permission request with that id. `data: { runId, requestId }` */
export class PermissionNotFoundError extends ControlError {}
/** -32024: the permission request was already decided. `data: { request }` */
export class PermissionAlreadyAnsweredError extends ControlError {}
/** -32025: pause of a run that is not running, or resume of one that is not paused. */
export class RunNotPausableError extends ControlError {}
/** -32026: no such checkpoint (or none at all). `data: { runId, seq }` */
export class CheckpointNotFoundError extends ControlError {}
/** -32027: removing a run that is still active. `data: { runId, state }` */
export class RunActiveError extends ControlError {}
/** -32030: this connection already holds a subscription. `data: { subscriptionId }` */
export class AlreadySubscribedError extends ControlError {}
/** -32602: params the daemon refused; the message names the field (`data.field`, a JSON pointer). */
export class InvalidParamsError extends ControlError {}
/** -32601: a method this daemon does not have (an older daemon). */
export class MethodNotFoundError extends ControlError {}
/** -32099: the connection closed before the answer came (the daemon stopped or dropped it). */
export class ConnectionClosedError extends ControlError {}
/** -32098: no answer within the call's `timeoutMs`. */
export class RequestTimeoutError extends ControlError {}
/** -32097: the call was cancelled through its AbortSignal. */
export class RequestCancelledError extends ControlError {}

type ControlErrorClass = new (
  code: number,
  message: string,
  data: unknown,
  method: string,
  cause?: unknown,
) => ControlError;

const CLASSES = new Map<number, ControlErrorClass>([
  [CONTROL_ERROR_CODES.RUN_NOT_FOUND, RunNotFoundError],
  [CONTROL_ERROR_CODES.NAME_IN_USE, NameInUseError],
  [CONTROL_ERROR_CODES.START_FAILED, StartFailedError],
  [CONTROL_ERROR_CODES.SHUTTING_DOWN, ShuttingDownError],
  [CONTROL_ERROR_CODES.TURNS_NOT_ACCEPTED, TurnsNotAcceptedError],
  [CONTROL_ERROR_CODES.TOO_MANY_TURNS, TooManyTurnsError],
  [CONTROL_ERROR_CODES.TURN_NOT_FOUND, TurnNotFoundError],
  [CONTROL_ERROR_CODES.PERMISSION_NOT_FOUND, PermissionNotFoundError],
  [CONTROL_ERROR_CODES.PERMISSION_ALREADY_ANSWERED, PermissionAlreadyAnsweredError],
  [CONTROL_ERROR_CODES.RUN_NOT_PAUSABLE, RunNotPausableError],
  [CONTROL_ERROR_CODES.CHECKPOINT_NOT_FOUND, CheckpointNotFoundError],
  [CONTROL_ERROR_CODES.RUN_ACTIVE, RunActiveError],
  [CONTROL_ERROR_CODES.ALREADY_SUBSCRIBED, AlreadySubscribedError],
  [RPC_ERROR_CODES.INVALID_PARAMS, InvalidParamsError],
  [RPC_ERROR_CODES.METHOD_NOT_FOUND, MethodNotFoundError],
  [RPC_ERROR_CODES.CONNECTION_CLOSED, ConnectionClosedError],
  [RPC_ERROR_CODES.REQUEST_TIMEOUT, RequestTimeoutError],
  [RPC_ERROR_CODES.REQUEST_CANCELLED, RequestCancelledError],
]);

/** `error` (a rejection of a call of `method`) as the ControlError subclass of its code. */
export function toControlError(error: unknown, method: string): unknown {
  if (!isRpcError(error) || error instanceof ControlError) {
    return error;
  }
  const Class = CLASSES.get(error.code) ?? ControlError;
  return new Class(
    error.code,
    tooLargeMessage(error, method) ?? error.message,
    error.data,
    method,
    error,
  );
}

/**
 * What to say of a call refused before it was sent for its size (`X_IPC_FRAME_TOO_LARGE`:
 * over CONTROL_MAX_FRAME_BYTES, see openConnection), else undefined.
 */
function tooLargeMessage(error: RpcError, method: string): string | undefined {
  const cause = error.cause;
  if (!isIpcError(cause) || cause.code !== IPC_ERROR_CODES.FRAME_TOO_LARGE) {
    return undefined;
  }
  const bytes = /frame of (\d+) bytes/.exec(cause.message)?.[1];
  const size = bytes === undefined ? 'is' : `is ${bytes} bytes,`;
  return `@x/client: the ${method} request ${size} over the x daemon's limit of ${CONTROL_MAX_FRAME_BYTES} bytes for one request (CONTROL_MAX_FRAME_BYTES), so it was not sent; send less (a smaller input or params)`;
}

/** Stable string code of {@link DaemonUnavailableError}. */
export const DAEMON_UNAVAILABLE = 'X_CLIENT_DAEMON_UNAVAILABLE';

/**
 * `connect` found no daemon to talk to: no socket (`errno` `ENOENT`), nobody listening
 * (`ECONNREFUSED`), a socket this user may not use (`EACCES`, `EPERM`), or no connection
 * within `timeoutMs` (`ETIMEDOUT`). The original error is the `cause`.
 */
export class DaemonUnavailableError extends Error {
  readonly code = DAEMON_UNAVAILABLE;
  constructor(
    /** The socket connected to. */
    readonly socketPath: string,
    /** The errno code of the failed connect (`ENOENT`, `ECONNREFUSED`, `EACCES`, …). */
    readonly errno: string | undefined,
    cause: unknown,
  ) {
    super(
      `@x/client: cannot reach the x daemon at ${socketPath} (${errno === 'ENOENT' || errno === 'ECONNREFUSED' ? 'no daemon is running' : ((cause as Error | undefined)?.message ?? String(cause))}); start one with \`x daemon start\`, or pass the home (or socketPath) it serves`,
      { cause },
    );
  }
}
DaemonUnavailableError.prototype.name = 'DaemonUnavailableError';
