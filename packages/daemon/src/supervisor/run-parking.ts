import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunRecord } from '../persistence/records.js';
import { mergeRunFields } from '../persistence/run-fields.js';
import type { RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';

/** What parking a run writes to and reports on. */
export interface ParkingDeps {
  store: Pick<RunStore, 'updateRun'>;
  persistence: Pick<PersistenceGuard, 'persist'>;
  logger: Pick<Logger, 'info'>;
}

/** The fields of a run stored as {@link storeBackoff} stores it. */
export interface BackoffFields {
  state: 'backoff';
  endedAt: null;
  nextRestartAt: null;
}

/**
 * Stores a finished run as `backoff` with no restart time: what a daemon restarts (the next
 * daemon's recovery, or a controller made for it now). `what` names the write in a
 * persistence failure. Returns the fields stored, to merge into the record in memory.
 */
export function storeBackoff(deps: ParkingDeps, what: string, runId: string): BackoffFields {
  const fields: BackoffFields = { state: 'backoff', endedAt: null, nextRestartAt: null };
  deps.persistence.persist(what, fields, (latest) => deps.store.updateRun(runId, latest), {
    key: `run:${runId}`,
    merge: mergeRunFields,
  });
  return fields;
}

/**
 * Parks a run the daemon's shutdown stopped (`x daemon stop --resume`, `x daemon restart`, a
 * SIGTERM), if its restart policy is not `no`: stored as {@link storeBackoff}, so that the
 * next daemon restarts it from its newest checkpoint. Returns the record as it now stands
 * (unchanged when not parked: policy `no`, or a run that had ended for another reason than
 * the stop).
 */
export function parkRun(deps: ParkingDeps, record: RunRecord): RunRecord {
  const mode = (record.options.restart ?? DEFAULT_RESTART_POLICY).mode;
  if (mode === 'no' || record.exit?.reason !== 'stopped') {
    return record;
  }
  const fields = storeBackoff(deps, 'park run', record.runId);
  deps.logger.info(
    `parked ${record.name} (${record.runId}): its restart policy (${mode}) brings it back when a daemon starts again`,
  );
  return { ...record, ...fields };
}
