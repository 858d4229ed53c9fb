/** Length of the window iterations/min is counted over: 60 000 ms. */
export const RATE_WINDOW_MS = 60_000;
/** Width of one bucket of the window: 1000 ms (so a window is 60 numbers, whatever the rate). */
const BUCKET_MS = 1000;
const BUCKETS = RATE_WINDOW_MS / BUCKET_MS;

/**
 * Events per minute over the last {@link RATE_WINDOW_MS}, counted in 60 one-second buckets:
 * bounded memory however fast a run iterates. Times are ms since the Unix epoch; events older
 * than the window are ignored.
 */
export class RateWindow {
  readonly #counts = new Array<number>(BUCKETS).fill(0);
  readonly #seconds = new Array<number>(BUCKETS).fill(-1);

  /** Counts one event at `at` (ms). */
  add(at: number): void {
    const second = Math.floor(at / BUCKET_MS);
    const slot = second % BUCKETS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] += 1;
  }

  /** Events in the window ending at `now` (ms). */
  count(now: number): number {
    const newest = Math.floor(now / BUCKET_MS);
    let total = 0;
    for (let slot = 0; slot < BUCKETS; slot += 1) {
      const second = this.#seconds[slot];
      if (second > newest - BUCKETS && second <= newest) {
        total += this.#counts[slot];
      }
    }
    return total;
  }

  /**
   * Events per minute at `now`, given that events are known since `watchedSince` (ms): over a
   * shorter watch the count is scaled up to a minute; null before 5 s of watching (too noisy).
   */
  perMinute(now: number, watchedSince: number): number | null {
    const watched = Math.min(RATE_WINDOW_MS, now - watchedSince);
    if (watched < 5000) {
      return null;
    }
    return (this.count(now) * RATE_WINDOW_MS) / watched;
  }
}
