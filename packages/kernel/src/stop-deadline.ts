/** What a race against the {@link StopDeadline} settles with when the work was abandoned. */
export const ABANDONED = Symbol('abandoned');

/**
 * The end of a stop's grace period: once it has passed, agent code still running is
 * abandoned. Armed by {@link StopDeadline.arm} (a stop), cleared by
 * {@link StopDeadline.clear} (the run ended).
 */
export class StopDeadline {
  /** Set once the grace has passed: work raced from then on is abandoned at once. */
  #passed = false;
  /** One entry per piece of work racing the deadline; each removes itself when its work settles. */
  readonly #onPassed = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Makes the deadline pass in `ms`. Called once per stop. */
  arm(ms: number): void {
    // Not unref()ed: while stopping, the grace period must keep the process alive even when
    // the step awaits something that holds no handle. Cleared when the run finishes.
    this.#timer = setTimeout(() => {
      this.#passed = true;
      for (const abandon of this.#onPassed) {
        abandon();
      }
      this.#onPassed.clear();
    }, ms);
  }

  /** Clears the timer, so that it holds no handle once the run is over. */
  clear(): void {
    clearTimeout(this.#timer);
  }

  /**
   * Settles as `work` does, or with ABANDONED `afterMs` after the deadline passed (teardown
   * may use part of the stop reserve), whichever comes first. Each call races a promise of
   * its own, forgotten when `work` settles: racing one long-lived deadline promise instead
   * adds a reaction to it per call that keeps every step's result alive until the run ends
   * (https://github.com/nodejs/node/issues/17469).
   */
  race<T>(work: Promise<T>, afterMs = 0): Promise<T | typeof ABANDONED> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let abandon!: () => void;
    const abandoned = new Promise<typeof ABANDONED>((resolve) => {
      abandon = () => {
        if (afterMs === 0) {
          resolve(ABANDONED);
        } else {
          timer = setTimeout(() => resolve(ABANDONED), afterMs);
        }
      };
    });
    if (this.#passed) {
      abandon();
    } else {
      this.#onPassed.add(abandon);
    }
    return Promise.race([work, abandoned]).finally(() => {
      this.#onPassed.delete(abandon);
      clearTimeout(timer);
    });
  }
}
