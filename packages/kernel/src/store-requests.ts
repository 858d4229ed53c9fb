import {
  IPC_ERROR_CODES,
  isIpcError,
  type StoreMessage,
  type StoreOp,
  type StoreOpResult,
  type StoreResultMessage,
} from '@x/ipc';
import { KERNEL_ERROR_CODES, StoreError } from './errors.js';

interface Pending {
  resolve(results: StoreOpResult[]): void;
  reject(error: StoreError): void;
}

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
  readonly #pending = new Map<string, Pending>();
  #count = 0;
  #closed: string | undefined;

  /** @param send sends one frame; rejects with the channel's error when it cannot. */
  constructor(private readonly send: (message: StoreMessage) => Promise<void>) {}

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends `ops` (already checked) and waits for the answer. */
  request(ops: StoreOp[]): Promise<StoreOpResult[]> {
    if (this.#closed !== undefined) {
      return Promise.reject(storeStopping(this.#closed));
    }
    this.#count += 1;
    const requestId = `s-${this.#count}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.send({ type: 'store', requestId, ops }).catch((error: unknown) => {
        if (this.#pending.delete(requestId)) {
          reject(sendFailure(requestId, error));
        }
      });
    });
  }

  /** Delivers a `store_result`. Returns false when no such request is pending. */
  answer(result: StoreResultMessage): boolean {
    const pending = this.#pending.get(result.requestId);
    if (pending === undefined) {
      return false;
    }
    this.#pending.delete(result.requestId);
    if (result.ok) {
      pending.resolve(result.results ?? []);
    } else {
      pending.reject(
        new StoreError(
          KERNEL_ERROR_CODES.STORE_REFUSED,
          `@x/kernel: ctx.store: the supervisor did not apply request ${result.requestId}: ${result.error ?? 'it gave no reason'}`,
        ),
      );
    }
    return true;
  }

  /** Rejects every pending request, and every later one, with `X_STORE_STOPPING`. */
  closeAll(why: string): void {
    this.#closed ??= why;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      entry.reject(storeStopping(why));
    }
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
