import type { RunExit } from '../persistence/records.js';
import type { ExitReason } from './classify-exit.js';

/** A run's exit with no runner exit behind it: no code, no signal, no stderr. */
function withoutProcess(
  reason: ExitReason,
  explanation: string,
  evidence: Record<string, unknown>,
): RunExit {
  return {
    reason,
    stopPhase: null,
    explanation,
    exitCode: null,
    signal: null,
    stderrTail: '',
    evidence,
  };
}

/**
 * The exit of a run stopped while it waited to restart (`backoff`): `stopped`, no process was
 * running. `previous` is how its last attempt ended, kept as evidence.
 */
export function stoppedInBackoff(previous: ExitReason | null): RunExit {
  return withoutProcess(
    'stopped',
    'stopped while waiting to restart (backoff); no process was running',
    { previous },
  );
}

/**
 * The exit of a run ended by a fault of x's own code while no runner was alive to kill:
 * `supervisor_error`, explained by `what` x was doing and the first line of `trace` (a stack).
 */
export function supervisorFailure(what: string, trace: string): RunExit {
  return withoutProcess(
    'supervisor_error',
    `x failed while ${what}: ${trace.split('\n')[0]}; the stack is in the run log (a bug in x: please report it)`,
    {},
  );
}
