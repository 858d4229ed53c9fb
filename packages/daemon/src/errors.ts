// From @x/ipc/node, not @x/ipc: the main entry loads the protocol schemas (TypeBox), which
// `@x/daemon/light` (state-dir.ts) must not.
import { RpcError } from '@x/ipc/node';

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
  /** The run is not accepting turns (not running, or its agent has no `turn`). `data: { runId, state, turns }` */
  TURNS_NOT_ACCEPTED: -32020,
  /** The run has MAX_TURNS_IN_FLIGHT (1000) turns in flight. `data: { runId, inFlight }` */
  TOO_MANY_TURNS: -32021,
  /** No turn with that id in the run. `data: { runId, turnId }` */
  TURN_NOT_FOUND: -32022,
  /** No permission request with that id in the run. `data: { runId, requestId }` */
  PERMISSION_NOT_FOUND: -32023,
  /** The permission request was already decided. `data: { request }` (a PermissionRecord) */
  PERMISSION_ALREADY_ANSWERED: -32024,
  /** `agent.pause` of a run that is not running, or `agent.resume` of one that is not paused. `data: { runId, state }` */
  RUN_NOT_PAUSABLE: -32025,
  /**
   * No checkpoint with that sequence number (or none at all) in the run, or no thread
   * checkpoint with that id. `data: { runId, seq }` or `{ runId, checkpointId }`
   */
  CHECKPOINT_NOT_FOUND: -32026,
  /** `agent.remove` of a run that is still active (stop it first). `data: { runId, state }` */
  RUN_ACTIVE: -32027,
  /** This connection already holds a `monitor.subscribe` subscription. `data: { subscriptionId }` */
  ALREADY_SUBSCRIBED: -32030,
} as const;

/** Stable string codes of `@x/daemon` errors. */
export const DAEMON_ERROR_CODES = {
  ALREADY_RUNNING: 'X_DAEMON_ALREADY_RUNNING',
  STATE_DIR: 'X_DAEMON_STATE_DIR',
  SOCKET_PATH_TOO_LONG: 'X_DAEMON_SOCKET_PATH_TOO_LONG',
  PERSISTENCE: 'X_DAEMON_PERSISTENCE',
  /** A `hooks` entry is invalid (the message names the entry and the field). */
  HOOK_CONFIG: 'X_DAEMON_HOOK_CONFIG',
  /** The `modelPrices` of the config is invalid (the message names the model and the field). */
  PRICE_CONFIG: 'X_DAEMON_PRICE_CONFIG',
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

/** `agent.remove` of an active run: it must be stopped first. */
export function runActive(run: { runId: string; name: string; state: string }): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.RUN_ACTIVE,
    `x: agent ${run.name} (run ${run.runId}) is ${run.state}: only a finished run can be removed; stop it first with \`x agent stop ${run.name}\``,
    { runId: run.runId, state: run.state },
  );
}

/** A turn sent to a run that is not taking turns: not running, or its agent has no `turn`. */
export function turnsNotAccepted(
  run: { runId: string; name: string; state: string },
  turnsCapable: boolean,
): RpcError {
  const message =
    run.state === 'running' && !turnsCapable
      ? `x: agent ${run.name} (run ${run.runId}) does not accept turns: its runner did not announce capabilities.turns; give the agent a turn(input, ctx) function in defineAgent({...}) and start it again`
      : `x: agent ${run.name} (run ${run.runId}) is ${run.state}, not running: it takes turns only while running; see \`x agent status ${run.name}\`, or start it again with \`x agent start\``;
  return new RpcError(DAEMON_RPC_CODES.TURNS_NOT_ACCEPTED, message, {
    runId: run.runId,
    state: run.state,
    turns: turnsCapable,
  });
}

/** `agent.pause` of a run that is not running, or `agent.resume` of one that is not paused. */
export function runNotPaused(
  run: { runId: string; name: string; state: string },
  action: 'pause' | 'resume',
): RpcError {
  const message =
    action === 'pause'
      ? `x: agent ${run.name} (run ${run.runId}) is ${run.state}: only a running run can be paused`
      : `x: agent ${run.name} (run ${run.runId}) is ${run.state}, not paused: nothing to resume`;
  return new RpcError(DAEMON_RPC_CODES.RUN_NOT_PAUSABLE, message, {
    runId: run.runId,
    state: run.state,
  });
}

/** A checkpoint that is not stored (pruned: only the newest are kept), or a run with none. */
export function checkpointNotFound(runId: string, seq: number | undefined): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.CHECKPOINT_NOT_FOUND,
    seq === undefined
      ? `x: run ${runId} has no checkpoint; an agent saves one with ctx.checkpoint(state)`
      : `x: run ${runId} has no checkpoint ${seq} (only the newest are kept); list them with \`x agent checkpoints ${runId}\``,
    { runId, seq: seq ?? null },
  );
}

/** No thread checkpoint (record-store thread layout) with that id in the run. */
export function threadCheckpointNotFound(runId: string, checkpointId: string): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.CHECKPOINT_NOT_FOUND,
    `x: run ${runId} has no thread checkpoint ${JSON.stringify(checkpointId)}; list its checkpoints with \`x agent checkpoints ${runId}\` (a LangGraph checkpoint id, or a seq for ctx.checkpoint)`,
    { runId, checkpointId },
  );
}

/** A run with MAX_TURNS_IN_FLIGHT turns in flight. */
export function tooManyTurns(runId: string, inFlight: number): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.TOO_MANY_TURNS,
    `x: run ${runId} already has ${inFlight} turns in flight (the limit); wait for some to finish (\`x agent turns ${runId}\`) and send again`,
    { runId, inFlight },
  );
}

export function turnNotFound(runId: string, turnId: string): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.TURN_NOT_FOUND,
    `x: run ${runId} has no turn ${JSON.stringify(turnId)}; see \`x agent turns ${runId}\``,
    { runId, turnId },
  );
}

export function permissionNotFound(runId: string, requestId: string): RpcError {
  return new RpcError(
    DAEMON_RPC_CODES.PERMISSION_NOT_FOUND,
    `x: run ${runId} has no permission request ${JSON.stringify(requestId)}; pending requests are listed by \`x agent status ${runId}\``,
    { runId, requestId },
  );
}

export function permissionAlreadyAnswered(request: {
  runId: string;
  requestId: string;
  decision: string | null;
  decidedBy: string | null;
  reason: string | null;
}): RpcError {
  const why = request.reason === null ? '' : ` (${request.reason})`;
  return new RpcError(
    DAEMON_RPC_CODES.PERMISSION_ALREADY_ANSWERED,
    `x: permission request ${request.requestId} of run ${request.runId} was already answered: ${request.decision ?? '?'} by ${request.decidedBy ?? '?'}${why}; it cannot be answered again`,
    { request },
  );
}
