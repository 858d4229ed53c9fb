import { RpcError } from '@x/ipc';
import { runNotFound } from '../errors.js';
import { removeRunLogFiles } from '../logs/run-log-files.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunRecord } from '../persistence/records.js';
import type { RunRemoval } from '../persistence/run-removal.js';
import type { Logger } from '../process/logger.js';
import type { RemovedRun } from './supervisor-options.js';

/**
 * Forgets a finished run: its rows (RunRemoval, in one transaction), then its log files. A
 * log file that cannot be deleted is reported in `logError` (the run is forgotten all the
 * same).
 * @throws RpcError -32603 when the database write fails (nothing is removed then);
 *   RUN_NOT_FOUND (-32001) when the run's row is gone already.
 */
export function forgetRun(
  record: RunRecord,
  deps: { removal: RunRemoval; persistence: PersistenceGuard; logger: Logger },
): RemovedRun {
  const { persistence, logger } = deps;
  const rows = persistence.run('remove run', () => deps.removal.remove(record.runId), null);
  if (rows === null) {
    throw new RpcError(
      -32603,
      `x: could not remove run ${record.runId}: the database write failed (${persistence.health.lastError ?? 'unknown error'}); nothing was removed, try again once the disk has room`,
      { runId: record.runId },
    );
  }
  if (rows === undefined) {
    throw runNotFound(record.runId);
  }
  let logFiles: string[] = [];
  let logError: string | null = null;
  try {
    logFiles = record.logPath === null ? [] : removeRunLogFiles(record.logPath);
  } catch (error) {
    logError = (error as Error).message;
    logger.warn(`run ${record.runId} removed, but its log files were not: ${logError}`);
  }
  logger.info(`removed run ${record.runId} (${record.name}) and ${logFiles.length} log file(s)`);
  return { runId: record.runId, name: record.name, rows, logFiles, logError };
}
