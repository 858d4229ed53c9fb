/**
 * Judges a runner's heartbeat silence on a monotonic clock (`performance.now()`), so that a
 * wall-clock step, a laptop suspend or a stall of the daemon itself (SIGSTOP, swap, a long
 * synchronous SQLite wait) is never blamed on the runner:
 *
 * - the silence is measured from the last heartbeat the daemon has *read*;
 * - a check that runs late (its timer fired more than `maxStepMs` after the previous check)
 *   counts only `maxStepMs` of that gap: the rest is time the daemon was not running, during
 *   which the runner's heartbeats waited unread in the pipe.
 *
 * The caller runs {@link LivenessMonitor.check} after pending input has been read (from a
 * `setImmediate` scheduled by its timer: libuv runs timers, then I/O, then immediates), so
 * heartbeats that arrived during a stall are counted first.
 */
export class LivenessMonitor {
  readonly #timeoutMs: number;
  readonly #maxStepMs: number;
  readonly #now: () => number;
  #lastBeat: number;
  #lastCheck: number;
  /** Time lost to the daemon's own stalls since the last heartbeat, ms. */
  #stalledMs = 0;

  /**
   * @param timeoutMs silence after which the runner is hung, ms.
   * @param maxStepMs the longest gap between two checks counted in full, ms (a gap beyond it
   *   is the daemon's stall, not the runner's silence); about twice the check period.
   * @param now monotonic clock, ms. @default performance.now
   */
  constructor(timeoutMs: number, maxStepMs: number, now: () => number = () => performance.now()) {
    this.#timeoutMs = timeoutMs;
    this.#maxStepMs = maxStepMs;
    this.#now = now;
    this.#lastBeat = now();
    this.#lastCheck = this.#lastBeat;
  }

  /** A heartbeat was read. */
  beat(): void {
    this.#lastBeat = this.#now();
    this.#stalledMs = 0;
  }

  /**
   * Called periodically; returns the silence counted against the runner (ms) and whether it
   * exceeds the timeout.
   */
  check(): { silenceMs: number; hung: boolean } {
    const now = this.#now();
    const gap = now - this.#lastCheck;
    this.#lastCheck = now;
    if (gap > this.#maxStepMs) {
      this.#stalledMs += gap - this.#maxStepMs;
    }
    const silenceMs = Math.max(0, Math.round(now - this.#lastBeat - this.#stalledMs));
    return { silenceMs, hung: silenceMs > this.#timeoutMs };
  }
}
