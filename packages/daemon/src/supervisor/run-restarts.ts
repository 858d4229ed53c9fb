import type { ExitReason } from './classify-exit.js';
import { RESTART_TIMES_KEPT, type RestartHistory } from './restart-history.js';
import { decideRestart, type RestartDecision, type RestartPolicy } from './restart-policy.js';

/**
 * One run's restarts: its history (the restart times the intensity limit counts, the failures
 * in a row the backoff grows with), the policy's decision after each exit
 * ({@link decideRestart}, pure), and the one pending restart, which can be cancelled. The run
 * (RunController) owns the states and the record around it.
 */
export class RunRestarts {
  readonly #policy: RestartPolicy;
  readonly #random: () => number;
  #times: number[];
  #consecutiveFailures: number;
  #cancel: (() => void) | undefined;

  /** `random`: a number in [0, 1) for the jitter. @default Math.random */
  constructor(policy: RestartPolicy, history?: RestartHistory, random: () => number = Math.random) {
    this.#policy = policy;
    this.#random = random;
    this.#times = history?.restartTimes ?? [];
    this.#consecutiveFailures = history?.consecutiveFailures ?? 0;
  }

  /**
   * What follows an attempt's exit by `reason` after `uptimeMs` up (ready → exit, 0 when it
   * never became ready) at `now`; a restart carries on the failures in a row.
   */
  decide(reason: ExitReason, uptimeMs: number, now: number): RestartDecision {
    const decision = decideRestart({
      policy: this.#policy,
      reason,
      uptimeMs,
      consecutiveFailures: this.#consecutiveFailures,
      restartTimes: this.#times,
      now,
      random: this.#random(),
    });
    if (decision.action === 'restart') {
      this.#consecutiveFailures = decision.consecutiveFailures;
    }
    return decision;
  }

  /** An operator's restart: the failures in a row start over (the backoff with them). */
  resetFailures(): void {
    this.#consecutiveFailures = 0;
  }

  /** A policy restart is made at `now`: it counts toward the restart intensity. */
  counted(now: number): void {
    this.#times = [...this.#times, now].slice(-RESTART_TIMES_KEPT);
  }

  /**
   * Runs `restart` after `delayMs`, and for 0 at the next turn of the event loop
   * (`setImmediate`: Node waits at least 1 ms for a `setTimeout(0)`, a millisecond of every
   * zero-backoff restart). Replaces a pending one.
   */
  schedule(restart: () => void, delayMs: number): void {
    this.cancel();
    const run = () => {
      this.#cancel = undefined;
      restart();
    };
    if (delayMs <= 0) {
      const immediate = setImmediate(run);
      this.#cancel = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(run, delayMs);
      this.#cancel = () => clearTimeout(timer);
    }
  }

  /** Cancels the pending restart, if any. */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
