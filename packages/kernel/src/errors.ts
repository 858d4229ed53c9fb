import { brandClass } from './class-brand.js';
import { EX_AGENT_FAILED, EX_CONFIG } from './constants.js';

const KERNEL_ERROR = Symbol.for('x.kernel.error');

/** Stable error codes of `@x/kernel`. */
export const KERNEL_ERROR_CODES = {
  /** The agent module could not be found or imported. */
  AGENT_NOT_FOUND: 'X_KERNEL_AGENT_NOT_FOUND',
  /** The agent module loaded but does not export an agent. */
  AGENT_INVALID: 'X_KERNEL_AGENT_INVALID',
  /** The agent module threw while it was imported. */
  AGENT_IMPORT_FAILED: 'X_KERNEL_AGENT_IMPORT_FAILED',
  /** The supervisor's handshake was missing, late or of another protocol version. */
  HANDSHAKE_FAILED: 'X_KERNEL_HANDSHAKE_FAILED',
  /** Waiting for something (a turn's result) took longer than the caller allowed. */
  TIMEOUT: 'X_KERNEL_TIMEOUT',
  /** `TurnHandle.result({ timeoutMs })` gave up waiting; the turn itself goes on. */
  TURN_TIMEOUT: 'X_KERNEL_TURN_TIMEOUT',
  /** The turn was cancelled (by `cancel()`, `turn_cancel`, or a stop) before it produced output. */
  TURN_CANCELLED: 'X_KERNEL_TURN_CANCELLED',
  /** The agent's `turn` threw, or the turn could not be run (no `turn()`, queue full). */
  TURN_FAILED: 'X_KERNEL_TURN_FAILED',
  /** An in-process runner's `setup` threw, so `start()` rejected. */
  SETUP_FAILED: 'X_KERNEL_SETUP_FAILED',
  /** `ctx.checkpoint`: the state's JSON is larger than `checkpointMaxBytes`; nothing was sent. */
  CHECKPOINT_TOO_LARGE: 'X_CHECKPOINT_TOO_LARGE',
  /** `ctx.checkpoint`: the supervisor (or `onCheckpoint`) could not store the checkpoint. */
  CHECKPOINT_REFUSED: 'X_CHECKPOINT_REFUSED',
  /** `ctx.checkpoint`: the run ended, or its supervisor went away, before the checkpoint was stored. */
  CHECKPOINT_STOPPING: 'X_CHECKPOINT_STOPPING',
  /** `ctx.checkpoint`: this runner has nowhere to store checkpoints (`createRunner` without `onCheckpoint`). */
  CHECKPOINT_UNSUPPORTED: 'X_CHECKPOINT_UNSUPPORTED',
  /** `ctx.store`: the supervisor (or `onStore`) refused the request, or it could not be sent. */
  STORE_REFUSED: 'X_STORE_REFUSED',
  /** `ctx.store`: the run ended, or its supervisor went away, before the request was answered. */
  STORE_STOPPING: 'X_STORE_STOPPING',
  /** `ctx.store`: this runner keeps no records (an older supervisor, `createRunner` without `onStore`). */
  STORE_UNSUPPORTED: 'X_STORE_UNSUPPORTED',
} as const;

/** The `code` of {@link ConfigError}: `X_AGENT_CONFIG`. */
export const CONFIG_ERROR_CODE = 'X_AGENT_CONFIG';

export type KernelErrorCode = (typeof KERNEL_ERROR_CODES)[keyof typeof KERNEL_ERROR_CODES];

/** Base class of `@x/kernel` errors; `exitCode` is what `x runner --pipe` exits with. */
export class KernelError extends Error {
  readonly [KERNEL_ERROR] = true;
  constructor(
    readonly code: KernelErrorCode,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
KernelError.prototype.name = 'KernelError';

/**
 * A permanent configuration error (bad module path, no agent export): restarting cannot
 * fix it. `x runner --pipe` exits with 78 (EX_CONFIG, sysexits.h) and sends no frame.
 */
export class AgentConfigError extends KernelError {
  constructor(code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, EX_CONFIG, options);
  }
}
AgentConfigError.prototype.name = 'AgentConfigError';

/** True for any error created by `@x/kernel`. */
export function isKernelError(value: unknown): value is KernelError {
  return typeof value === 'object' && value !== null && KERNEL_ERROR in value;
}

/**
 * Something took longer than the caller allowed. `@x/kernel` rejects with subclasses of it
 * (see {@link TurnTimeoutError}), so `error instanceof TimeoutError` catches every timeout.
 */
export class TimeoutError extends Error {
  readonly code: KernelErrorCode;
  constructor(
    message: string,
    /** How long was waited, in ms. */
    readonly timeoutMs: number,
    options?: { cause?: unknown; code?: KernelErrorCode },
  ) {
    super(message, options);
    this.code = options?.code ?? KERNEL_ERROR_CODES.TIMEOUT;
  }
}
TimeoutError.prototype.name = 'TimeoutError';

/**
 * `TurnHandle.result({ timeoutMs })` waited `timeoutMs` without the turn finishing.
 * The turn is not cancelled by this; call `handle.cancel()` for that.
 */
export class TurnTimeoutError extends TimeoutError {
  constructor(
    readonly turnId: string,
    timeoutMs: number,
  ) {
    super(
      `@x/kernel: turn ${turnId} did not finish within ${timeoutMs} ms; it is still running (call cancel() to end it, or wait longer)`,
      timeoutMs,
      { code: KERNEL_ERROR_CODES.TURN_TIMEOUT },
    );
  }
}
TurnTimeoutError.prototype.name = 'TurnTimeoutError';

/** The turn was cancelled before it produced output: `reason` says by whom. */
export class TurnCancelledError extends Error {
  readonly code = KERNEL_ERROR_CODES.TURN_CANCELLED;
  constructor(
    readonly turnId: string,
    readonly reason: string,
  ) {
    super(`@x/kernel: turn ${turnId} was cancelled: ${reason}`);
  }
}
TurnCancelledError.prototype.name = 'TurnCancelledError';

/** The turn failed: the agent's `turn` threw (`cause`), or the turn could not be run. */
export class TurnFailedError extends Error {
  readonly code = KERNEL_ERROR_CODES.TURN_FAILED;
  constructor(
    readonly turnId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`@x/kernel: turn ${turnId} failed: ${message}`, options);
  }
}
TurnFailedError.prototype.name = 'TurnFailedError';

/**
 * An in-process runner's `setup` threw; `cause` is what it threw. `exitCode` is what the
 * pipe runner would exit with: 78 (EX_CONFIG) when the cause is a {@link ConfigError}, else 1.
 */
export class RunnerSetupError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    const cause: unknown = options?.cause;
    const config =
      typeof cause === 'object' &&
      cause !== null &&
      (cause as { code?: unknown }).code === CONFIG_ERROR_CODE;
    super(KERNEL_ERROR_CODES.SETUP_FAILED, message, config ? EX_CONFIG : EX_AGENT_FAILED, options);
  }
}
RunnerSetupError.prototype.name = 'RunnerSetupError';

/** The `code` of a {@link CheckpointError}. */
export type CheckpointErrorCode =
  | typeof KERNEL_ERROR_CODES.CHECKPOINT_TOO_LARGE
  | typeof KERNEL_ERROR_CODES.CHECKPOINT_REFUSED
  | typeof KERNEL_ERROR_CODES.CHECKPOINT_STOPPING
  | typeof KERNEL_ERROR_CODES.CHECKPOINT_UNSUPPORTED;

/**
 * `ctx.checkpoint(state)` did not store the state; `code` says why, and what to do:
 *
 * - `X_CHECKPOINT_TOO_LARGE`: the state's JSON text is larger than the run's
 *   `checkpointMaxBytes` (1 MiB unless the supervisor says otherwise); nothing was sent. Save
 *   less (an id or a cursor rather than the data), or keep the data elsewhere.
 * - `X_CHECKPOINT_REFUSED`: the supervisor answered that it could not store it (its reason is
 *   in the message, e.g. a full disk), or it could not be sent; the run goes on, and the last
 *   stored checkpoint is still the one a restart resumes from.
 * - `X_CHECKPOINT_STOPPING`: the run ended (or its stop grace ran out), or the supervisor went
 *   away, before the checkpoint was acknowledged: it may or may not have been stored.
 * - `X_CHECKPOINT_UNSUPPORTED`: the runner has no checkpoint store: an in-process runner made
 *   by `createRunner` without `onCheckpoint`.
 *
 * Not a {@link KernelError}: none of these ends the run unless the agent lets it propagate.
 */
export class CheckpointError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
CheckpointError.prototype.name = 'CheckpointError';

/** The `code` of a {@link StoreError}. */
export type StoreErrorCode =
  | typeof KERNEL_ERROR_CODES.STORE_REFUSED
  | typeof KERNEL_ERROR_CODES.STORE_STOPPING
  | typeof KERNEL_ERROR_CODES.STORE_UNSUPPORTED;

/**
 * A `ctx.store` request was not applied (none of its operations); `code` says why:
 *
 * - `X_STORE_REFUSED`: the supervisor refused it, its reason in the message (the run's records
 *   would pass its cap, `storeMaxBytes`; persistence is failing; a record over 4 MiB), or it
 *   could not be sent (a frame over the channel's limit).
 * - `X_STORE_STOPPING`: the run ended, or the supervisor went away, before the answer came: a
 *   write may or may not have been stored.
 * - `X_STORE_UNSUPPORTED`: the runner keeps no records: its supervisor does not offer them (no
 *   `init.storeMaxBytes`), or an in-process runner made by `createRunner` without `onStore`.
 *
 * Not a {@link KernelError}: none of these ends the run unless the agent lets it propagate.
 */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
StoreError.prototype.name = 'StoreError';

/**
 * Thrown by an agent to say "my configuration is wrong; restarting me will not help"
 * (a missing API key, invalid params). From `setup`, `step` or `turn` it ends the run with
 * reason `error`: `x runner --pipe` exits 78 (EX_CONFIG, sysexits.h) and a thread runner
 * ends its thread with 78, which the daemon classifies as `config_error` and never restarts,
 * whatever the restart policy. The runner reports it first: `setup_done` with
 * `error.config: true` (from setup), the iteration or turn as `error` with
 * `errorDetail.config: true` (from step or turn), a `log` line with the stack, a fatal
 * `error` frame with code `X_AGENT_CONFIG`, and the message on stderr. A turn that throws
 * it ends as `error`, then the run ends.
 *
 * Recognised by its `code`, not its class: any error with `code: 'X_AGENT_CONFIG'` counts,
 * so a plain JS agent without `@x/kernel`, or one that imports another copy of it, can say
 * the same with `Object.assign(new Error('…'), { code: 'X_AGENT_CONFIG' })`.
 *
 * ```js
 * import { ConfigError, defineAgent } from '@x/kernel';
 * export default defineAgent({
 *   setup() {
 *     if (!process.env.OPENAI_API_KEY) {
 *       throw new ConfigError('OPENAI_API_KEY is not set; export it before `x agent start`');
 *     }
 *   },
 *   step() {},
 * });
 * ```
 */
export class ConfigError extends Error {
  /** Always `X_AGENT_CONFIG`. */
  readonly code = CONFIG_ERROR_CODE;
  /** What the runner exits with: 78 (EX_CONFIG, sysexits.h). */
  readonly exitCode = EX_CONFIG;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
ConfigError.prototype.name = 'ConfigError';

// `instanceof` across copies of the kernel (the agent's import and the runner's bundle).
for (const [errorClass, name] of [
  [KernelError, 'KernelError'],
  [AgentConfigError, 'AgentConfigError'],
  [TimeoutError, 'TimeoutError'],
  [TurnTimeoutError, 'TurnTimeoutError'],
  [TurnCancelledError, 'TurnCancelledError'],
  [TurnFailedError, 'TurnFailedError'],
  [RunnerSetupError, 'RunnerSetupError'],
  [CheckpointError, 'CheckpointError'],
  [StoreError, 'StoreError'],
  [ConfigError, 'ConfigError'],
] as const) {
  brandClass(errorClass, name);
}
