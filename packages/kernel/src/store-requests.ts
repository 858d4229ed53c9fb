import {
  IPC_ERROR_CODES,
  isIpcError,
  type StoreMessage,
  type StoreOp,
  type StoreOpResult,
  type StoreResultMessage,
} from '@x/ipc';
import { KERNEL_ERROR_CODES, StoreError } from './errors.js';
import { PendingRequests } from './pending-requests.js';

/**
 * The runner's side of the record store over the protocol: the table of `store` requests
 * waiting for their `store_result`. {@link StoreRequests.request} sends a `store` with a
 * fresh `requestId` (`s-1`, `s-2`, …) and settles on the answer with that id: `ok: true`
 * resolves with its results, `ok: false` rejects with `X_STORE_REFUSED` and the supervisor's
 * reason. A request that cannot be sent rejects at once (`X_STORE_STOPPING` when the channel
 * is closed, else `X_STORE_REFUSED`); one still pending at {@link StoreRequests.closeAll}
 * rejects with `X_STORE_STOPPING`, as does every later one. Nothing waits forever.
 */
export class StoreRequests {
  readonly #table = new PendingRequests<StoreOpResult[], StoreError>({
    prefix: 's',
    stopping: storeStopping,
    sendFailure,
  });

  /** @param send sends one frame; rejects with the channel's error when it cannot. */
  constructor(private readonly send: (message: StoreMessage) => Promise<void>) {}

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.#table.size;
  }

  /** Sends `ops` (already checked) and waits for the answer. */
  request(ops: StoreOp[]): Promise<StoreOpResult[]> {
    return this.#table.request((requestId) => this.send({ type: 'store', requestId, ops }));
  }

  /** Delivers a `store_result`. Returns false when no such request is pending. */
  answer(result: StoreResultMessage): boolean {
    return this.#table.settle(result.requestId, () => {
      if (!result.ok) {
        throw new StoreError(
          KERNEL_ERROR_CODES.STORE_REFUSED,
          `@x/kernel: ctx.store: the supervisor did not apply request ${result.requestId}: ${result.error ?? 'it gave no reason'}`,
        );
      }
      return result.results ?? [];
    });
  }

  /** Rejects every pending request, and every later one, with `X_STORE_STOPPING`. */
  closeAll(why: string): void {
    this.#table.closeAll(why);
  }
}

function storeStopping(why: string): StoreError {
  return new StoreError(
    KERNEL_ERROR_CODES.STORE_STOPPING,
    `@x/kernel: ctx.store: ${why} before the request was answered; its writes may or may not have been stored`,
  );
}

function sendFailure(requestId: string, error: unknown): StoreError {
  const text = error instanceof Error ? error.message : String(error);
  if (isIpcError(error) && error.code === IPC_ERROR_CODES.CHANNEL_CLOSED) {
    return storeStopping('the channel to the supervisor is closed');
  }
  return new StoreError(
    KERNEL_ERROR_CODES.STORE_REFUSED,
    `@x/kernel: ctx.store: request ${requestId} could not be sent to the supervisor: ${text}; send fewer or smaller records per request`,
    { cause: error },
  );
}
