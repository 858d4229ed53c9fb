/**
 * The fallback for a supervisor that offers no usage acks (no `init.budgeted`, an older
 * daemon) but keeps records: knows whether it has handled the usage reports sent so far, so that
 * `ctx.whenResumed()` sees a pause the last report caused. A `usage` message is not answered;
 * a budget it reaches is answered by a `pause` message, so a model call made right after a
 * report could start before that pause arrives. `roundTrip` is any request on the same
 * channel whose answer comes after the supervisor handled what was sent before it (under the
 * daemon: a record-store read): once it is answered, the pause, if any, has arrived.
 * Without `roundTrip` (createRunner, whose `onUsage` is synchronous) reports are taken as
 * handled at once.
 */
export class UsageBarrier {
  #unseen = false;
  #inFlight: Promise<void> | undefined;

  constructor(private readonly roundTrip: (() => Promise<unknown>) | undefined) {}

  /** A usage report was sent. */
  sent(): void {
    this.#unseen = this.roundTrip !== undefined;
  }

  /**
   * Resolves once every report sent before the call has been handled: at once when none was
   * sent since the last round trip (or one is under way: then when it is answered). Never
   * rejects: a failed round trip (the supervisor went away) resolves too.
   */
  seen(): Promise<void> {
    if (!this.#unseen || this.roundTrip === undefined) {
      return this.#inFlight ?? Promise.resolve();
    }
    this.#unseen = false;
    const trip: Promise<void> = this.roundTrip().then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight = trip;
    void trip.then(() => {
      if (this.#inFlight === trip) {
        this.#inFlight = undefined;
      }
    });
    return trip;
  }
}
