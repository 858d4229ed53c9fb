/** What a {@link PendingRequests} table rejects with: a pending request's failure. */
export interface PendingRequestsOptions<E extends Error> {
  /** Ids are `<prefix>-1`, `<prefix>-2`, … unique within the process. */
  prefix: string;
  /** The error for a request still pending (or made) after `closeAll(why)`. */
  stopping(why: string): E;
  /** The error for a request whose frame could not be sent. */
  sendFailure(requestId: string, error: unknown): E;
}

/**
 * The runner's table of requests to the supervisor that wait for an answer by id (checkpoint
 * → `checkpoint_ack`, store → `store_result`). Every request settles: by its answer, by a
 * failure to send it, or at {@link closeAll} (the channel closed, the run ended), after which
 * every new request rejects at once. Nothing waits forever; the table holds only what is
 * pending.
 */
export class PendingRequests<T, E extends Error> {
  readonly #pending = new Map<string, { resolve(value: T): void; reject(error: E): void }>();
  #count = 0;
  #closed: string | undefined;

  constructor(private readonly options: PendingRequestsOptions<E>) {}

  /** Requests sent and not answered yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** Sends a request with a fresh id (`send` rejects when the frame cannot be sent) and waits. */
  request(send: (requestId: string) => Promise<void>): Promise<T> {
    if (this.#closed !== undefined) {
      return Promise.reject(this.options.stopping(this.#closed));
    }
    this.#count += 1;
    const requestId = `${this.options.prefix}-${this.#count}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      send(requestId).catch((error: unknown) => {
        if (this.#pending.delete(requestId)) {
          reject(this.options.sendFailure(requestId, error));
        }
      });
    });
  }

  /**
   * Settles the request `requestId` with `answer()`: its value, or the error it throws.
   * Returns false when no such request is pending.
   */
  settle(requestId: string, answer: () => T): boolean {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) {
      return false;
    }
    this.#pending.delete(requestId);
    try {
      pending.resolve(answer());
    } catch (error) {
      pending.reject(error as E);
    }
    return true;
  }

  /** Rejects every pending request, and every later one, with `stopping(why)`. */
  closeAll(why: string): void {
    this.#closed ??= why;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      entry.reject(this.options.stopping(why));
    }
  }
}
