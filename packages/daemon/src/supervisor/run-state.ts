/**
 * Lifecycle of one supervised run. `exited` is terminal: an exited run never runs again
 * (a restart is a new attempt, decided by policy elsewhere).
 *
 * starting ──ready──▶ running ──stop──▶ stopping ──exit──▶ exited
 *    │                   │                                   ▲
 *    ├───────────────────┴─────────────exit──────────────────┘
 *    └──stop──▶ stopping
 */
export const RUN_STATES = ['starting', 'running', 'stopping', 'exited'] as const;
export type RunState = (typeof RUN_STATES)[number];

const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  starting: ['running', 'stopping', 'exited'],
  running: ['stopping', 'exited'],
  stopping: ['exited'],
  exited: [],
};

/** True when `from → to` is an allowed transition. */
export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True for states in which the runner process may be alive. */
export function isActiveState(state: RunState): boolean {
  return state !== 'exited';
}
