import {
  IPC_ERROR_CODES,
  isIpcError,
  type CheckpointAckMessage,
  type CheckpointMessage,
} from '@x/ipc';
import { checkpointStopping } from './checkpoint-taker.js';
import type { CheckpointReceipt } from './define-agent.js';
import { CheckpointError, KERNEL_ERROR_CODES } from './errors.js';

interface Pending {
  resolve(receipt: CheckpointReceipt): void;
  reject(error: CheckpointError): void;
}

/**
 * The runner's side of checkpoints over the protocol: the table of checkpoints waiting for
 * their `checkpoint_ack`. {@link CheckpointAcks.request} sends a `checkpoint` with a fresh
 * `requestId` (`c-1`, `c-2`, … unique within the process) and settles on the ack with that
 * id: `ok: true` resolves with its `seq` and `savedAt`, `ok: false` rejects with
 * `X_CHECKPOINT_REFUSED` and the supervisor's reason. A checkpoint that cannot be sent
 * rejects at once (`X_CHECKPOINT_STOPPING` when the channel is closed, `X_CHECKPOINT_TOO_LARGE`
 * for a frame over the channel's limit, else `X_CHECKPOINT_REFUSED`); one still pending when
 * {@link CheckpointAcks.closeAll} runs (the channel closed, the run ended) rejects with
 * `X_CHECKPOINT_STOPPING`, as does every later request. Nothing waits forever.
 */
export class CheckpointAcks {
  readonly #pending = new Map<string, Pending>();
  #count = 0;
  #closed: string | undefined;

  /** @param send sends one frame; rejects with the channel's error when it cannot. */
  constructor(private readonly send: (message: CheckpointMessage) => Promise<void>) {}

  /** Checkpoints sent and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends `state` (a JSON value, size already checked) and waits for its ack. */
  request(state: unknown, meta: { readonly iteration: number }): Promise<CheckpointReceipt> {
    if (this.#closed !== undefined) {
      return Promise.reject(checkpointStopping(this.#closed));
    }
    this.#count += 1;
    const requestId = `c-${this.#count}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.send({ type: 'checkpoint', requestId, state, iteration: meta.iteration }).catch(
        (error: unknown) => {
          if (this.#pending.delete(requestId)) {
            reject(sendFailure(requestId, error));
          }
        },
      );
    });
  }

  /** Delivers a `checkpoint_ack`. Returns false when no such checkpoint is pending. */
  answer(ack: CheckpointAckMessage): boolean {
    const pending = this.#pending.get(ack.requestId);
    if (pending === undefined) {
      return false;
    }
    this.#pending.delete(ack.requestId);
    if (ack.ok) {
      // seq and savedAt always come with ok from a supervisor that follows the protocol.
      pending.resolve({ seq: ack.seq ?? 0, savedAt: ack.savedAt ?? Date.now() });
    } else {
      pending.reject(
        new CheckpointError(
          KERNEL_ERROR_CODES.CHECKPOINT_REFUSED,
          `@x/kernel: ctx.checkpoint: the supervisor could not store checkpoint ${ack.requestId}: ${ack.error ?? 'it gave no reason'}`,
        ),
      );
    }
    return true;
  }

  /**
   * Rejects every pending checkpoint, and every later request, with `X_CHECKPOINT_STOPPING`.
   * @param why `the supervisor went away`, `the run ended (stopped)`.
   */
  closeAll(why: string): void {
    this.#closed ??= why;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      entry.reject(checkpointStopping(why));
    }
  }
}

function sendFailure(requestId: string, error: unknown): CheckpointError {
  const text = error instanceof Error ? error.message : String(error);
  if (isIpcError(error) && error.code === IPC_ERROR_CODES.CHANNEL_CLOSED) {
    return checkpointStopping('the channel to the supervisor is closed');
  }
  const code =
    isIpcError(error) && error.code === IPC_ERROR_CODES.FRAME_TOO_LARGE
      ? KERNEL_ERROR_CODES.CHECKPOINT_TOO_LARGE
      : KERNEL_ERROR_CODES.CHECKPOINT_REFUSED;
  return new CheckpointError(
    code,
    `@x/kernel: ctx.checkpoint: checkpoint ${requestId} could not be sent to the supervisor: ${text}`,
    { cause: error },
  );
}
