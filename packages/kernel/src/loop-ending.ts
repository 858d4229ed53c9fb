import type { ErrorDetail, ExitReason } from '@x/ipc';
import { describeThrown } from './error-detail.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';

/** How the loop ends: the reason, and for an error what ended it. */
export interface Ending {
  reason: ExitReason;
  summary?: string;
  errorDetail?: ErrorDetail;
}

/** The end of a run stopped by a ConfigError thrown in `where` (`iteration 3`, `turn t-1`). */
export function configEnding(where: string, error: unknown, errorDetail: ErrorDetail): Ending {
  return {
    reason: 'error',
    summary: boundText(
      `configuration error in ${where}: ${describeThrown(error)}; a restart will not fix it`,
      MAX_TEXT_LENGTH,
    ),
    errorDetail,
  };
}
