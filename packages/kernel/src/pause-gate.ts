/**
 * Whether an agent loop may start new work: `open` → `paused` (with a reason) → `open`, as
 * often as asked. A paused loop finishes what it is running, then starts no iteration and no
 * turn until it is resumed; a stop still ends it. The gate only holds the state and tells its
 * listener of each change (the loop wakes its sleep on a resume); waiting is the loop's.
 */
export class PauseGate {
  #reason: string | undefined;
  /** Callers of {@link PauseGate.whenOpen} waiting for a resume (each leaves on its abort). */
  readonly #waiters = new Set<() => void>();

  constructor(private readonly onChange: (paused: boolean) => void = () => undefined) {}

  /** True between {@link PauseGate.pause} and {@link PauseGate.resume}. */
  get paused(): boolean {
    return this.#reason !== undefined;
  }

  /** Why the loop is paused; undefined when it is not. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /**
   * Closes the gate. Pausing a paused gate only replaces the reason. Returns true when the
   * gate was open.
   */
  pause(reason: string): boolean {
    const opened = this.#reason === undefined;
    this.#reason = reason;
    if (opened) {
      this.onChange(true);
    }
    return opened;
  }

  /** Opens the gate. Returns false when it was not paused (nothing changes then). */
  resume(): boolean {
    if (this.#reason === undefined) {
      return false;
    }
    this.#reason = undefined;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) {
      wake();
    }
    this.onChange(false);
    return true;
  }

  /**
   * Resolves when the gate is open: at once when it is, else at the next
   * {@link PauseGate.resume}. Rejects with `signal.reason` when `signal` aborts first (a
   * waiter never outlives its work, so the waiting set stays as small as the calls in flight).
   */
  whenOpen(signal: AbortSignal): Promise<void> {
    if (this.#reason === undefined) {
      return Promise.resolve();
    }
    if (signal.aborted) {
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal.reason as Error);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
