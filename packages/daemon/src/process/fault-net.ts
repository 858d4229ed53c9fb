import type { Logger } from './logger.js';

/** What escaped every run's boundary, as `system.info` shows it. */
export interface FaultCount {
  /** Uncaught exceptions and unhandled rejections since the daemon started. */
  count: number;
  /** The latest one's first line, or null. */
  last: string | null;
  /** When it happened, ms since the Unix epoch, or null. */
  lastAt: number | null;
}

/** Longest stack written to the daemon log per fault: 16 KiB. */
const FAULT_TRACE_MAX = 16 * 1024;

/**
 * The daemon's last net: an uncaught exception or unhandled rejection is written to the daemon
 * log with its stack and counted, and the daemon keeps serving. Every run's supervision has its
 * own boundary (a failure there ends that run as `supervisor_error`); what reaches this net is a
 * bug outside any run, so it is logged loudly rather than taking every runner down with it.
 * Returns the disposer that removes the handlers.
 */
export function installFaultNet(logger: Logger): { readonly faults: FaultCount; dispose(): void } {
  const faults: FaultCount = { count: 0, last: null, lastAt: null };
  const record = (kind: string, error: unknown) => {
    const trace =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    faults.count += 1;
    faults.last = `${kind}: ${trace.split('\n')[0]}`;
    faults.lastAt = Date.now();
    try {
      logger.error(
        `${kind} (fault ${faults.count}, the daemon keeps serving; a bug in x: please report it): ${trace.slice(0, FAULT_TRACE_MAX)}`,
      );
    } catch {
      // The log itself failed (full disk): the count above still says it happened.
    }
  };
  const onException = (error: Error) => record('uncaught exception', error);
  const onRejection = (reason: unknown) => record('unhandled rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    faults,
    dispose() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
