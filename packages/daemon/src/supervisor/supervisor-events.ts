import type { LogLevel } from '@x/ipc';
import type { IterationRecord, RunRecord } from '../persistence/run-store.js';

/**
 * What the supervisor publishes, always after the fact is persisted.
 * `run_state`: a run changed state (its record, with `exit` once exited).
 */
export type SupervisorEvent =
  | { type: 'run_state'; run: RunRecord }
  | { type: 'iteration_done'; runId: string; name: string; iteration: IterationRecord }
  | { type: 'log'; runId: string; name: string; level: LogLevel; message: string }
  | { type: 'notify'; runId: string; name: string; payload: unknown };
