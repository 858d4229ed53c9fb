/**
 * Thrown (as the rejection of the model call) by a model wrapped with `whenPaused: 'throw'`
 * when the run is paused: a budget was reached (`--max-cost`, `--max-tokens`, a daily
 * budget) or `x agent pause` was asked. Nothing was sent to the model. Code
 * `X_OPENAI_AGENTS_RUN_PAUSED`; `reason` is the supervisor's (e.g. `cost $1.02 reached the
 * budget of $1.00 (--max-cost)`).
 */
export class RunPausedError extends Error {
  override readonly name = 'RunPausedError';
  readonly code = 'X_OPENAI_AGENTS_RUN_PAUSED';

  constructor(
    /** Why the run is paused, as the supervisor said. */
    readonly reason: string,
    /** The model the call was for. */
    readonly model: string,
  ) {
    super(
      `@x/openai-agents: the run is paused (${reason}); the call to ${model} was not made. ` +
        `Resume the run (x agent resume <run>, with --add-cost to raise a cost budget), ` +
        `or use whenPaused: 'wait' to hold calls until then`,
    );
  }
}

/** The `code` of a {@link SessionStoreError}. */
export type SessionStoreErrorCode =
  | 'X_OPENAI_AGENTS_SESSION_OVER_CAP'
  | 'X_OPENAI_AGENTS_SESSION_ITEM_TOO_LARGE'
  | 'X_OPENAI_AGENTS_SESSION_STORE_FAILED';

/**
 * A session operation of `xSession` that the run's record store did not carry out; nothing
 * of a refused write is part of the session. `code`:
 *
 * - `X_OPENAI_AGENTS_SESSION_OVER_CAP`: the write would take the run's records past their
 *   cap (`capBytes`; 64 MiB unless the daemon was started with `--max-records-mb` or `recordsMaxBytes`);
 * - `X_OPENAI_AGENTS_SESSION_ITEM_TOO_LARGE`: one item's JSON does not fit a record (4 MiB);
 *   checked before anything is sent;
 * - `X_OPENAI_AGENTS_SESSION_STORE_FAILED`: the store refused or could not answer for another
 *   reason (`storeCode`, e.g. `X_STORE_STOPPING` when the run is ending: a write may or may
 *   not have been stored), or a session record is not of this format.
 *
 * `cause` is the store's error.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  /** The store error's code (`X_STORE_REFUSED`, `X_STORE_STOPPING`, …), if any. */
  readonly storeCode: string | undefined;
  /** The run's records cap, bytes, for `X_OPENAI_AGENTS_SESSION_OVER_CAP`. */
  readonly capBytes: number | undefined;

  constructor(
    readonly code: SessionStoreErrorCode,
    /** The session's id. */
    readonly sessionId: string,
    /** The Session method that failed. */
    readonly operation: 'getItems' | 'addItems' | 'popItem' | 'clearSession',
    message: string,
    options: {
      cause?: unknown;
      storeCode?: string | undefined;
      capBytes?: number | undefined;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.storeCode = options.storeCode;
    this.capBytes = options.capBytes;
  }
}
