import type { RunRecord } from './records.js';

/** The live fields of a run that `RunStore.updateRun` sets (those given). */
export type RunFields = Partial<
  Pick<
    RunRecord,
    | 'state'
    | 'pid'
    | 'pgid'
    | 'readyAt'
    | 'endedAt'
    | 'attempt'
    | 'restarts'
    | 'nextRestartAt'
    | 'lastReasons'
    | 'exit'
    | 'pause'
    | 'options'
  >
>;

/**
 * One update with the effect of `updateRun(older)` then `updateRun(newer)`: newer's fields win,
 * except those updateRun leaves alone (undefined, and an `exit` of null). What a run's updates
 * waiting in memory on a full disk become (PersistenceGuard.persist).
 */
export function mergeRunFields(older: RunFields, newer: RunFields): RunFields {
  const merged: Record<string, unknown> = { ...older };
  for (const [key, value] of Object.entries(newer)) {
    if (value !== undefined && !(key === 'exit' && value === null)) {
      merged[key] = value;
    }
  }
  return merged;
}
