import {
  IPC_ERROR_CODES,
  isIpcError,
  type CheckpointAckMessage,
  type CheckpointMessage,
} from '@x/ipc';
import { checkpointStopping } from './checkpoint-taker.js';
import type { CheckpointReceipt } from './define-agent.js';
import { CheckpointError, KERNEL_ERROR_CODES } from './errors.js';
import { PendingRequests } from './pending-requests.js';

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
  readonly #table = new PendingRequests<CheckpointReceipt, CheckpointError>({
    prefix: 'c',
    stopping: checkpointStopping,
    sendFailure,
  });

  /** @param send sends one frame; rejects with the channel's error when it cannot. */
  constructor(private readonly send: (message: CheckpointMessage) => Promise<void>) {}

  /** Checkpoints sent and not answered yet. */
  get pending(): number {
    return this.#table.size;
  }

  /** Sends `state` (a JSON value, size already checked) and waits for its ack. */
  request(state: unknown, meta: { readonly iteration: number }): Promise<CheckpointReceipt> {
    return this.#table.request((requestId) =>
      this.send({ type: 'checkpoint', requestId, state, iteration: meta.iteration }),
    );
  }

  /** Delivers a `checkpoint_ack`. Returns false when no such checkpoint is pending. */
  answer(ack: CheckpointAckMessage): boolean {
    return this.#table.settle(ack.requestId, () => {
      if (!ack.ok) {
        throw new CheckpointError(
          KERNEL_ERROR_CODES.CHECKPOINT_REFUSED,
          `@x/kernel: ctx.checkpoint: the supervisor could not store checkpoint ${ack.requestId}: ${ack.error ?? 'it gave no reason'}`,
        );
      }
      // seq and savedAt always come with ok from a supervisor that follows the protocol.
      return { seq: ack.seq ?? 0, savedAt: ack.savedAt ?? Date.now() };
    });
  }

  /**
   * Rejects every pending checkpoint, and every later request, with `X_CHECKPOINT_STOPPING`.
   * @param why `the supervisor went away`, `the run ended (stopped)`.
   */
  closeAll(why: string): void {
    this.#table.closeAll(why);
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
