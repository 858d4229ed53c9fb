import { isActiveState as isActive, type RunRecord, type RunState } from '@x/daemon';
import { formatDuration } from '../output.js';
import type { ShutdownRun, StopEscalation } from './escalate-stop.js';

/** isActiveState for a state reported as a plain string. */
const isActiveState = (state: string): boolean => isActive(state as RunState);

/** How one run ended when its daemon was stopped: an entry of the `x daemon stop` report. */
export interface RunOutcome {
  runId: string;
  name: string;
  /**
   * Its state once the daemon was gone: `exited` or `failed`; an active state when its end
   * was never recorded; null when nothing says (an older daemon, and no database to read).
   */
  state: string | null;
  exit: { reason: string; stopPhase: string | null; explanation: string } | null;
  /** From the shutdown request to the run's end, ms; null when not known. */
  stoppedAfterMs: number | null;
  /** x had to signal the daemon and this run's end was not recorded: it may have been cut short. */
  mayBeCutShort: boolean;
}

/** Where the outcomes come from: the daemon's answer, its database after it exited, or nowhere. */
export type OutcomeSource = 'daemon' | 'database' | null;

/**
 * The outcome of every run that was active before the stop (`before`), plus any other run the
 * daemon reported: from the `system.shutdown {wait: true}` answer when the daemon gave one,
 * else from `recorded` (the runs as the database holds them once the daemon has exited),
 * which also gives the time each run ended when the answer does not.
 */
export function runOutcomes(
  before: readonly RunRecord[],
  escalation: StopEscalation,
  requestedAt: number,
  recorded: ReadonlyMap<string, RunRecord> | null,
): { runs: RunOutcome[]; from: OutcomeSource } {
  const answered = escalation.answer.kind === 'answered' ? escalation.answer.reply.runs : undefined;
  const reported = new Map<string, ShutdownRun>((answered ?? []).map((run) => [run.runId, run]));
  const from: OutcomeSource =
    answered !== undefined ? 'daemon' : recorded !== null ? 'database' : null;
  const active = before.filter((run) => isActiveState(run.state));
  const ids = [...new Set([...active.map((run) => run.runId), ...reported.keys()])];
  const runs = ids.map((runId): RunOutcome => {
    const stored = recorded?.get(runId);
    const known = reported.get(runId) ?? stored;
    const name = known?.name ?? active.find((run) => run.runId === runId)?.name ?? runId;
    const state = known?.state ?? null;
    const endedAt = known?.endedAt ?? stored?.endedAt ?? null;
    const ended = state !== null && !isActiveState(state);
    return {
      runId,
      name,
      state,
      exit:
        known?.exit == null
          ? null
          : {
              reason: known.exit.reason,
              stopPhase: known.exit.stopPhase,
              explanation: known.exit.explanation,
            },
      stoppedAfterMs: endedAt === null ? null : Math.max(0, endedAt - requestedAt),
      mayBeCutShort: escalation.how !== 'rpc' && !ended,
    };
  });
  return { runs, from };
}

/** `watch (run r-1): stopped in the ipc phase after 12ms: exited on IPC stop (exit code 0)`. */
export function describeOutcome(run: RunOutcome): string {
  const who = `${run.name} (run ${run.runId})`;
  const parked = run.state === 'backoff' && run.exit?.reason === 'stopped';
  if (run.exit === null || run.state === null || (isActiveState(run.state) && !parked)) {
    return run.mayBeCutShort
      ? `${who}: may have been cut short: its end was not recorded before the daemon went (the next daemon records it as daemon_lost)`
      : `${who}: outcome not reported by this daemon; see \`x agent status ${run.runId}\` once a daemon runs again`;
  }
  const phase = run.exit.stopPhase === null ? '' : ` in the ${run.exit.stopPhase} phase`;
  const after = run.stoppedAfterMs === null ? '' : ` after ${formatDuration(run.stoppedAfterMs)}`;
  const resumes = parked
    ? '; parked: its restart policy resumes it when the daemon starts again'
    : '';
  return `${who}: ${run.exit.reason}${phase}${after}: ${run.exit.explanation}${resumes}`;
}
