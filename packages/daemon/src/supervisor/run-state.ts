/**
 * Lifecycle of one supervised run (made of attempts). `exited` and `failed` are terminal:
 * a terminal run never runs again.
 *
 * starting ──ready──▶ running ──stop──▶ stopping ──exit──▶ exited | failed
 *    │                 │    ▲
 *    │   pause (budget │    │ resume
 *    │   or operator)  ▼    │
 *    │                 paused ──stop──▶ stopping   (a paused run keeps its process)
 *    │                   │                     │ exit, after an operator's restart
 *    │                   │                     ▼
 *    │                   │                  backoff (0 ms) ──▶ starting
 *    │                   │ exit (policy: restart; it comes back paused)
 *    │                   ▼
 *    └──exit──────────▶ backoff ──delay──▶ starting
 *                          ├──stop──▶ exited
 *                          └──x's own failure (supervisor_error)──▶ failed
 * Any active state may end in `exited` (completed, stopped) or `failed` (given up, or an
 * exit the policy never restarts).
 */
export const RUN_STATES = [
  'starting',
  'running',
  'paused',
  'stopping',
  'backoff',
  'exited',
  'failed',
] as const;
export type RunState = (typeof RUN_STATES)[number];

const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  starting: ['running', 'paused', 'stopping', 'backoff', 'exited', 'failed'],
  running: ['paused', 'stopping', 'backoff', 'exited', 'failed'],
  paused: ['running', 'stopping', 'backoff', 'exited', 'failed'],
  // backoff: an operator's restart (`agent.restart`) stops the attempt, then starts the next.
  stopping: ['backoff', 'exited', 'failed'],
  backoff: ['starting', 'exited', 'failed'],
  exited: [],
  failed: [],
};

/** True when `from → to` is an allowed transition. */
export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True for the states in which the run is not over (a process may be alive, or a restart is due). */
export function isActiveState(state: RunState): boolean {
  return state !== 'exited' && state !== 'failed';
}
