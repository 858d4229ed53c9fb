import type { CheckpointReceipt } from './define-agent.js';
import { CheckpointError, KERNEL_ERROR_CODES } from './errors.js';
import { findJsonProblem } from './json-value.js';

/** Where a loop stores checkpoints: the supervisor (a `checkpoint` message) or `onCheckpoint`. */
export type CheckpointStore = (
  state: unknown,
  meta: { readonly iteration: number },
) => Promise<CheckpointReceipt>;

/**
 * The loop's side of `ctx.checkpoint(state)`: checks the state, hands it to the store, and
 * makes sure no call outlives the run. Every call is settled: by the store's answer, or, once
 * {@link CheckpointTaker.close} ran (the run ended, the supervisor went away), with
 * `X_CHECKPOINT_STOPPING`.
 */
export class CheckpointTaker {
  readonly #pending = new Set<(error: CheckpointError) => void>();
  #closed: string | undefined;

  /**
   * @param store undefined: this runner keeps no checkpoints (`X_CHECKPOINT_UNSUPPORTED`).
   * @param maxBytes largest state, as the UTF-8 bytes of its JSON text.
   */
  constructor(
    private readonly store: CheckpointStore | undefined,
    private readonly maxBytes: number,
  ) {}

  /** Checkpoints handed to the store and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Stores `state`, taken in `iteration` (0 outside steps).
   * @throws TypeError (synchronously) naming the first part of `state` that is not JSON.
   * @throws CheckpointError (rejection): see `AgentContext.checkpoint`.
   */
  take(state: unknown, iteration: number): Promise<CheckpointReceipt> {
    const problem = findJsonProblem(state, 'state');
    if (problem !== undefined) {
      throw new TypeError(`@x/kernel: ctx.checkpoint(state): ${problem}`);
    }
    if (this.#closed !== undefined) {
      return Promise.reject(checkpointStopping(this.#closed));
    }
    const store = this.store;
    if (store === undefined) {
      return Promise.reject(
        new CheckpointError(
          KERNEL_ERROR_CODES.CHECKPOINT_UNSUPPORTED,
          '@x/kernel: ctx.checkpoint: this runner has nowhere to store checkpoints (an in-process runner made by createRunner without onCheckpoint); pass createRunner(agent, { onCheckpoint: async (state, meta) => ({ seq, savedAt }) }), or run the agent under the x daemon, which stores them',
        ),
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
    if (bytes > this.maxBytes) {
      return Promise.reject(
        new CheckpointError(
          KERNEL_ERROR_CODES.CHECKPOINT_TOO_LARGE,
          `@x/kernel: ctx.checkpoint(state): the state is ${bytes} bytes of JSON, over the run's limit of ${this.maxBytes} bytes (checkpointMaxBytes); nothing was saved. Save less: ids or a cursor rather than the data itself`,
        ),
      );
    }
    return new Promise<CheckpointReceipt>((resolve, reject) => {
      const fail = (error: CheckpointError) => {
        this.#pending.delete(fail);
        reject(error);
      };
      this.#pending.add(fail);
      // Called now, not in a later tick: the checkpoint goes out before what the agent does next.
      let stored: Promise<CheckpointReceipt>;
      try {
        stored = store(state, { iteration });
      } catch (error) {
        fail(asCheckpointError(error));
        return;
      }
      stored.then(
        (receipt) => {
          if (this.#pending.delete(fail)) {
            resolve(receipt);
          }
        },
        (error: unknown) => {
          if (this.#pending.has(fail)) {
            fail(asCheckpointError(error));
          }
        },
      );
    });
  }

  /**
   * Rejects every pending checkpoint, and every later one, with `X_CHECKPOINT_STOPPING`.
   * @param why what ended: `the run ended (stopped)`, `the supervisor went away`.
   */
  close(why: string): void {
    this.#closed ??= why;
    for (const fail of [...this.#pending]) {
      fail(checkpointStopping(why));
    }
  }
}

/** `X_CHECKPOINT_STOPPING`: `why` (the run ended, the supervisor went away) came first. */
export function checkpointStopping(why: string): CheckpointError {
  return new CheckpointError(
    KERNEL_ERROR_CODES.CHECKPOINT_STOPPING,
    `@x/kernel: ctx.checkpoint: ${why} before the checkpoint was acknowledged; it may or may not have been stored (ctx.restored of the next attempt says which)`,
  );
}

/** A store's rejection as the agent sees it: a CheckpointError as is, anything else REFUSED. */
function asCheckpointError(error: unknown): CheckpointError {
  if (error instanceof CheckpointError) {
    return error;
  }
  const text = error instanceof Error ? error.message : String(error);
  return new CheckpointError(
    KERNEL_ERROR_CODES.CHECKPOINT_REFUSED,
    `@x/kernel: ctx.checkpoint: the checkpoint was not stored: ${text}`,
    { cause: error },
  );
}
