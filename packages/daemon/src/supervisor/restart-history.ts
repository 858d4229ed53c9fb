import type { AttemptRecord } from '../persistence/records.js';
import type { RestartPolicy } from './restart-policy.js';

/** What a run's restart decisions remember between attempts (see `decideRestart`). */
export interface RestartHistory {
  /** Start times (ms since the epoch) of the attempts that were restarts, oldest first. */
  restartTimes: number[];
  /** Failures in a row at the end of the history, each up for less than `resetAfterMs`. */
  consecutiveFailures: number;
}

/** How many restart times are kept, here and by a running run (RunRestarts): 100. */
export const RESTART_TIMES_KEPT = 100;

/**
 * Rebuilds a run's restart history from its stored attempts, so that a daemon taking over a
 * run after a crash applies the same restart intensity and backoff as the daemon that died
 * (otherwise a run crash-looping across daemon crashes would get a fresh budget each time).
 * Pure. `attempts` in attempt order; attempts that have not ended (the one the dead daemon was
 * running) are not failures here: the caller decides about that one.
 */
export function restartHistory(
  attempts: readonly AttemptRecord[],
  policy: Pick<RestartPolicy, 'resetAfterMs'>,
): RestartHistory {
  const restartTimes = attempts
    .filter((attempt) => attempt.attempt > 1)
    .map((attempt) => attempt.startedAt)
    .slice(-RESTART_TIMES_KEPT);
  let consecutiveFailures = 0;
  for (let i = attempts.length - 1; i >= 0; i -= 1) {
    const { exit, readyAt, endedAt } = attempts[i];
    if (exit === null) {
      continue;
    }
    const failure = exit.reason !== 'completed' && exit.reason !== 'stopped';
    const uptimeMs = readyAt === null || endedAt === null ? 0 : endedAt - readyAt;
    if (!failure || uptimeMs >= policy.resetAfterMs) {
      break;
    }
    consecutiveFailures += 1;
  }
  return { restartTimes, consecutiveFailures };
}
