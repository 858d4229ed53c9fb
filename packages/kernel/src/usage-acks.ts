/**
 * Whether the supervisor has counted the usage reports sent so far, so that
 * `ctx.whenResumed()` sees a pause the last report caused (a run then overshoots its budget
 * by at most one model call). For a supervisor that offers acks (`init.budgeted` present):
 * under a budget each report asks for a `usage_ack` (`usage.ack`, 1, 2, …), answered in order
 * after the `pause` it caused, if any; under none no report asks and nothing is awaited.
 * `budget_state` switches between the two. Holds one waiter per report awaited: bounded by
 * the agent's concurrent `whenResumed()` calls.
 */
export class UsageAcks {
  #budgeted: boolean;
  #asked = 0;
  #acked = 0;
  #closed = false;
  #waiters: { ack: number; promise: Promise<void>; resolve: () => void }[] = [];

  /** @param budgeted `init.budgeted`: whether a budget applies to the run at its start. */
  constructor(budgeted: boolean) {
    this.#budgeted = budgeted;
  }

  /** Whether a budget applies now (reports ask for an ack). */
  get budgeted(): boolean {
    return this.#budgeted;
  }

  /**
   * A `budget_state`: under no budget a report can pause nothing, so waits end at once; under
   * one, reports ask for acks from the next on.
   */
  setBudgeted(budgeted: boolean): void {
    this.#budgeted = budgeted;
    if (!budgeted) {
      this.answer(this.#asked);
    }
  }

  /** A report is about to be sent: its `ack` number, or undefined when it asks none. */
  ask(): number | undefined {
    if (!this.#budgeted || this.#closed) {
      return undefined;
    }
    this.#asked += 1;
    return this.#asked;
  }

  /**
   * The report numbered `ack` was counted (a `usage_ack`), and so every report before it (the
   * supervisor answers in order); also called when the report could not be sent.
   */
  answer(ack: number): void {
    if (ack <= this.#acked) {
      return;
    }
    this.#acked = Math.min(ack, this.#asked);
    const done = this.#waiters.filter((waiter) => waiter.ack <= this.#acked);
    this.#waiters = this.#waiters.filter((waiter) => waiter.ack > this.#acked);
    done.forEach((waiter) => waiter.resolve());
  }

  /**
   * Undefined when every report sent has been counted (the usual case, and always under no
   * budget); else a promise that resolves once the last one sent has been. Never rejects.
   */
  handled(): Promise<void> | undefined {
    if (this.#acked >= this.#asked) {
      return undefined;
    }
    const ack = this.#asked;
    const last = this.#waiters.at(-1);
    if (last?.ack === ack) {
      return last.promise;
    }
    let resolve!: () => void;
    const promise = new Promise<void>((settle) => (resolve = settle));
    this.#waiters.push({ ack, promise, resolve });
    return promise;
  }

  /** The supervisor went away or the run ended: nobody will answer; every wait ends now. */
  close(): void {
    this.#closed = true;
    this.answer(this.#asked);
  }
}
