import type { ErrorDetail, TurnUsage } from '@x/ipc';
import type { UsageReport } from './define-agent.js';
import { toErrorDetail } from './error-detail.js';
import { TurnCancelledError, TurnFailedError, TurnTimeoutError } from './errors.js';
import { TurnUsageSum } from './turn-usage.js';

/**
 * Where a turn is: `queued` → `running` → `ok` | `error` | `cancelled`, or `queued` →
 * `cancelled` | `error` (refused). The last three are terminal.
 */
export type TurnStatus = 'queued' | 'running' | 'ok' | 'error' | 'cancelled';

/** How a turn ended; the in-process form of the `turn_result` message. */
export type TurnOutcome<O = unknown> =
  | {
      readonly turnId: string;
      readonly status: 'ok';
      /** What `turn` returned. */
      readonly output: O;
      /** Wall time of the turn, in ms. */
      readonly durationMs: number;
      /** What `ctx.reportUsage` added up, with its split by model (`models`). */
      readonly usage?: TurnUsage;
    }
  | {
      readonly turnId: string;
      readonly status: 'error' | 'cancelled';
      /**
       * The error (`error`: `${name}: ${message}` for an Error, JSON for a thrown non-Error),
       * or why the turn was cancelled (`cancelled`).
       */
      readonly error: string;
      /** What `turn` threw (`error` from the agent); undefined when the runner refused the turn. */
      readonly cause?: unknown;
      /** With status `error` from a throw: the cause's name, message, stack and code. */
      readonly errorDetail?: ErrorDetail;
      /** Wall time from the start of the turn, in ms; 0 when it never started. */
      readonly durationMs: number;
      readonly usage?: TurnUsage;
    };

/** Options of {@link TurnHandle.result}. */
export interface TurnResultOptions {
  /** Give up waiting after this many ms (the turn goes on). @default no limit */
  timeoutMs?: number;
}

/** A submitted turn: follow it, wait for it, or cancel it. */
export interface TurnHandle<O = unknown> {
  /** The turn's id, unique within the run. */
  readonly turnId: string;
  /** Where the turn is now. */
  readonly status: TurnStatus;
  /**
   * The signal the agent's `turn` sees as `ctx.signal`: aborted by {@link TurnHandle.cancel}
   * and by a stop of the run.
   */
  readonly signal: AbortSignal;
  /** Resolves with the outcome once the turn has ended. Never rejects. */
  done(): Promise<TurnOutcome<O>>;
  /**
   * Resolves with the turn's output.
   * @throws TurnFailedError (rejection) when `turn` threw (`cause`) or the turn was refused.
   * @throws TurnCancelledError (rejection) when it was cancelled: by `cancel()`, `turn_cancel`,
   *   or a stop of the run (every queued turn is cancelled then).
   * @throws TurnTimeoutError (rejection; also `instanceof TimeoutError`) when `timeoutMs`
   *   passed first. The turn is not cancelled by that.
   * @throws TypeError (rejection) when `timeoutMs` is given but is not a number >= 0.
   */
  result(options?: TurnResultOptions): Promise<O>;
  /**
   * Cancels the turn. A queued turn is removed from the queue; a running turn's signal is
   * aborted. Either way the turn ends at once with status `cancelled` and `reason`; the
   * runner still waits for a running `turn` function to return before it starts the next
   * turn. Returns false when the turn had already ended.
   */
  cancel(reason?: string): boolean;
}

/**
 * One turn inside the loop: its input, its state machine and its outcome. The loop owns it
 * and hands it out as a {@link TurnHandle}.
 */
export class Turn<I = unknown, O = unknown> implements TurnHandle<O> {
  readonly #controller = new AbortController();
  readonly #outcome: Promise<TurnOutcome<O>>;
  #resolve!: (outcome: TurnOutcome<O>) => void;
  #status: TurnStatus = 'queued';
  #startedAt = 0;
  readonly #usage = new TurnUsageSum();

  constructor(
    readonly turnId: string,
    readonly input: I,
    /** Told once, when the turn ends (to report it) or is cancelled while queued (to dequeue it). */
    private readonly onEnd: (turn: Turn<I, O>, outcome: TurnOutcome<O>) => void,
  ) {
    this.#outcome = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get status(): TurnStatus {
    return this.#status;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get ended(): boolean {
    return this.#status !== 'queued' && this.#status !== 'running';
  }

  done(): Promise<TurnOutcome<O>> {
    return this.#outcome;
  }

  result(options: TurnResultOptions = {}): Promise<O> {
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
      return Promise.reject(
        new TypeError(
          `@x/kernel: result({ timeoutMs }) expects a number of ms >= 0, got ${String(timeoutMs)}`,
        ),
      );
    }
    const value = this.#outcome.then((outcome) => {
      if (outcome.status === 'ok') {
        return outcome.output;
      }
      if (outcome.status === 'cancelled') {
        throw new TurnCancelledError(this.turnId, outcome.error);
      }
      throw new TurnFailedError(this.turnId, outcome.error, { cause: outcome.cause });
    });
    if (timeoutMs === undefined || timeoutMs === Infinity || this.ended) {
      return value;
    }
    return new Promise<O>((resolve, reject) => {
      // Not unref()ed: the caller is waiting for this answer, so it keeps the process alive.
      const timer = setTimeout(
        () => reject(new TurnTimeoutError(this.turnId, timeoutMs)),
        // Node fires at once for delays above 2^31 - 1 ms (about 24.8 days): clamp them.
        Math.min(timeoutMs, 0x7fff_ffff),
      );
      value.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  cancel(reason = 'cancelled by the caller'): boolean {
    if (this.ended) {
      return false;
    }
    const durationMs = this.#status === 'running' ? this.#elapsed() : 0;
    this.#controller.abort(new Error(reason));
    this.#end({ turnId: this.turnId, status: 'cancelled', error: reason, durationMs });
    return true;
  }

  /** `queued` → `running`. */
  start(): void {
    if (this.#status === 'queued') {
      this.#status = 'running';
      this.#startedAt = performance.now();
    }
  }

  /** Aborts the signal the agent sees, without ending the turn (a stop: the turn may still finish). */
  abort(reason: string): void {
    if (!this.#controller.signal.aborted) {
      this.#controller.abort(new Error(reason));
    }
  }

  /** Adds a checked report (its model included) to the usage reported with the outcome. */
  addUsage(usage: UsageReport): void {
    this.#usage.add(usage);
  }

  /** Ends the turn with its function's result. No-op when it already ended (cancelled). */
  succeed(output: O): void {
    this.#end({ turnId: this.turnId, status: 'ok', output, durationMs: this.#elapsed() });
  }

  /**
   * Ends the turn as `error` (or `cancelled`). No-op when it already ended. With a `cause`
   * and status `error`, the outcome carries its {@link ErrorDetail}.
   */
  fail(status: 'error' | 'cancelled', error: string, cause?: unknown): void {
    const outcome: TurnOutcome<O> =
      cause === undefined
        ? { turnId: this.turnId, status, error, durationMs: this.#elapsed() }
        : status === 'error'
          ? {
              turnId: this.turnId,
              status,
              error,
              cause,
              errorDetail: toErrorDetail(cause),
              durationMs: this.#elapsed(),
            }
          : { turnId: this.turnId, status, error, cause, durationMs: this.#elapsed() };
    this.#end(outcome);
  }

  #elapsed(): number {
    return this.#status === 'running' ? Math.round(performance.now() - this.#startedAt) : 0;
  }

  #end(outcome: TurnOutcome<O>): void {
    if (this.ended) {
      return;
    }
    this.#status = outcome.status;
    const usage = this.#usage.value;
    const final = usage === undefined ? outcome : { ...outcome, usage };
    this.#resolve(final);
    this.onEnd(this, final);
  }
}
