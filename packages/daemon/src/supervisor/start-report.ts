import type { RunRecord } from '../persistence/records.js';

/**
 * How long `agent start` waits for a runner's `setup_done` after its `ready`: 60 000 ms. Past
 * it, the start is reported with the run running and its setup still going on.
 */
export const SETUP_REPORT_WAIT_MS = 60_000;

/**
 * What `agent start` reports about a run: the run's record at its first ready (once its setup
 * is done, or {@link SETUP_REPORT_WAIT_MS} later), backoff, or terminal state, whichever comes
 * first. Reported once; later reports are ignored.
 */
export class StartReport {
  /** Settles with the first report. */
  readonly settled: Promise<RunRecord>;
  #resolve!: (record: RunRecord) => void;

  constructor() {
    this.settled = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Reports `record` now (a no-op once reported). */
  settle(record: RunRecord): void {
    this.#resolve(record);
  }

  /**
   * An attempt became ready: reports `record()` now or, while its setup runs
   * (`awaitingSetup`), leaves the report to `setup_done` ({@link settle}) or to a timer that
   * fires after {@link SETUP_REPORT_WAIT_MS} (as systemd's start job waits for READY=1, within
   * TimeoutStartSec). The timer does not keep the process alive.
   */
  ready(awaitingSetup: boolean, record: () => RunRecord): void {
    if (!awaitingSetup) {
      this.settle(record());
      return;
    }
    const timer = setTimeout(() => this.settle(record()), SETUP_REPORT_WAIT_MS);
    timer.unref();
    void this.settled.then(() => clearTimeout(timer));
  }
}
