import { IPC_ERROR_CODES, isIpcError, type RunnerMessage } from '@x/ipc';

/** Shortest time between two reports of messages dropped for backpressure: 1000 ms. */
const DROP_REPORT_INTERVAL_MS = 1000;

/**
 * Reports a message that could not be sent. Drops for backpressure (an agent logging faster
 * than the supervisor reads) come in floods: they are counted and reported at most once per
 * DROP_REPORT_INTERVAL_MS, so that the report does not become a flood of its own.
 */
export function reportDrops(
  writeErr: (text: string) => void,
): (type: RunnerMessage['type'], error: Error) => void {
  let count = 0;
  let reportedAt = -Infinity;
  return (type, error) => {
    if (!isIpcError(error) || error.code !== IPC_ERROR_CODES.BACKPRESSURE) {
      writeErr(`x runner: could not send ${type}: ${error.message}\n`);
      return;
    }
    count += 1;
    const now = performance.now();
    if (now - reportedAt >= DROP_REPORT_INTERVAL_MS) {
      writeErr(
        `x runner: dropped ${count} message(s) (last: ${type}): the supervisor is not reading fast enough (X_IPC_BACKPRESSURE)\n`,
      );
      count = 0;
      reportedAt = now;
    }
  };
}
