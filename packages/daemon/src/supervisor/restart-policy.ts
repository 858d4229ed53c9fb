import type { ExitReason } from './classify-exit.js';

/** When to restart (systemd `Restart=` meanings). */
export const RESTART_MODES = ['no', 'on-failure', 'always'] as const;
export type RestartMode = (typeof RESTART_MODES)[number];

/** How a run is restarted. Every duration is in ms. */
export interface RestartPolicy {
  /** `no`: never; `on-failure`: after any exit but `completed` and a user stop; `always`: also after `completed`. @default 'no' */
  mode: RestartMode;
  /** Delay before restart n (n = consecutive failures, from 0): `min(maxMs, initialMs * multiplier^n)`, ± `jitter`. */
  backoff: {
    /** @default 1000 */
    initialMs: number;
    /** @default 2 */
    multiplier: number;
    /** @default 60 000 */
    maxMs: number;
    /** Fraction of the delay added or removed at random, 0–1. @default 0.1 */
    jitter: number;
  };
  /** An attempt up at least this long resets the backoff to `initialMs`. @default 60 000 */
  resetAfterMs: number;
  /**
   * Restart intensity (Erlang/OTP supervisor): at most `maxRestarts` restarts within any
   * `periodMs`, counting every restart, quick or not; one more and the run is `failed`.
   * @default { maxRestarts: 5, periodMs: 60 000 }
   */
  intensity: { maxRestarts: number; periodMs: number };
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  mode: 'no',
  backoff: { initialMs: 1000, multiplier: 2, maxMs: 60_000, jitter: 0.1 },
  resetAfterMs: 60_000,
  intensity: { maxRestarts: 5, periodMs: 60_000 },
};

/** Exit reasons never restarted: a restart cannot fix them, or nobody wants one. */
const NEVER_RESTARTED: ReadonlySet<ExitReason> = new Set([
  'config_error',
  'spawn_failed',
  'stopped',
  // x's own failure: restarting would repeat it, and a loop of them would hide it.
  'supervisor_error',
]);

/** What the decision is made from. */
export interface RestartInput {
  policy: RestartPolicy;
  /** How the attempt that just ended exited. */
  reason: ExitReason;
  /** How long that attempt was up (ready → exit), 0 when it never became ready, ms. */
  uptimeMs: number;
  /** Failures in a row before this one (0 after a stable attempt). */
  consecutiveFailures: number;
  /** Times (ms since the epoch) of the restarts already made. */
  restartTimes: readonly number[];
  /** Now, ms since the epoch. */
  now: number;
  /** A number in [0, 1) for the jitter. */
  random: number;
}

/** The decision: restart after `delayMs`, or stop for good (`terminal`). */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; consecutiveFailures: number; explanation: string }
  | { action: 'terminal'; state: 'exited' | 'failed'; explanation: string };

/**
 * Decides what follows an attempt's exit. Pure: no clock, no randomness of its own.
 *
 * - A user stop, `config_error` (exit 78), `spawn_failed` and `supervisor_error` are never
 *   restarted.
 * - `no` restarts nothing; `on-failure` restarts every reason but `completed`; `always`
 *   restarts `completed` too.
 * - Restart intensity: if `maxRestarts` restarts already happened within `periodMs`, the
 *   run is `failed` instead: no endless loop, quick restarts or slow.
 * - Backoff grows with consecutive failures and resets after an attempt stayed up
 *   `resetAfterMs`; it is never below `initialMs × (1 − jitter)`, so a failure before ready
 *   (an import-time bug) cannot chain into immediate retries.
 * Terminal state: `failed` when the run ends on a failure (given up, or a reason never
 * restarted other than a stop); `exited` when it ends on `completed` or a stop.
 */
export function decideRestart(input: RestartInput): RestartDecision {
  const { policy, reason } = input;
  const failure = reason !== 'completed' && reason !== 'stopped';
  const terminal = (explanation: string): RestartDecision => ({
    action: 'terminal',
    state: failure ? 'failed' : 'exited',
    explanation,
  });
  if (NEVER_RESTARTED.has(reason)) {
    return terminal(
      reason === 'stopped'
        ? 'stopped on request'
        : `${reason} is never restarted: a restart cannot fix it`,
    );
  }
  if (policy.mode === 'no') {
    return terminal('restart policy is no');
  }
  if (policy.mode === 'on-failure' && !failure) {
    return terminal('completed; restart policy on-failure restarts only failures');
  }
  const { maxRestarts, periodMs } = policy.intensity;
  const recent = input.restartTimes.filter((time) => time > input.now - periodMs).length;
  if (recent >= maxRestarts) {
    return terminal(
      `restart intensity exceeded: ${recent} restart(s) within ${periodMs} ms (limit ${maxRestarts}); giving up`,
    );
  }
  const stable = input.uptimeMs >= policy.resetAfterMs;
  const failures = failure ? (stable ? 0 : input.consecutiveFailures) : 0;
  const { initialMs, multiplier, maxMs, jitter } = policy.backoff;
  // multiplier ** failures overflows to Infinity after enough failures, and 0 × Infinity is NaN.
  const growth = multiplier ** failures;
  const base =
    initialMs === 0 ? 0 : Number.isFinite(growth) ? Math.min(maxMs, initialMs * growth) : maxMs;
  const delayMs = Math.max(0, Math.round(base * (1 + jitter * (2 * input.random - 1))));
  return {
    action: 'restart',
    delayMs,
    consecutiveFailures: failure ? failures + 1 : 0,
    explanation: `restart ${recent + 1}/${maxRestarts} in this ${periodMs} ms window, after ${delayMs} ms (${reason})`,
  };
}
