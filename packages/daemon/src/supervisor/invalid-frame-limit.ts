/** The window invalid frames are counted in: 60 000 ms. */
const WINDOW_MS = 60_000;

/**
 * Counts a runner's invalid frames (malformed, failing the schema) in a sliding window of
 * 60 s: a runner that sends more than `perMinute` of them within it is broken, not unlucky.
 * Memory: at most `perMinute + 1` times kept.
 */
export class InvalidFrameLimit {
  readonly #times: number[] = [];

  /** @param perMinute invalid frames tolerated within any 60 s (an integer ≥ 0). */
  constructor(readonly perMinute: number) {}

  /**
   * Counts one invalid frame seen at `now` (ms, any monotonic-enough clock).
   * @returns true when more than `perMinute` were seen within the last 60 s.
   */
  exceeded(now: number): boolean {
    const times = this.#times;
    times.push(now);
    while (times.length > 0 && times[0] <= now - WINDOW_MS) {
      times.shift();
    }
    if (times.length > this.perMinute + 1) {
      times.shift();
    }
    return times.length > this.perMinute;
  }
}
