import type { RunRecord } from '../persistence/records.js';

/** A service's status as a tagged union (the `service` field of `agent.status`). */
export type ServiceStatus =
  | { state: 'starting'; attempt: number }
  | { state: 'running'; pid: number | null; attempt: number }
  | { state: 'stopping'; pid: number | null }
  | { state: 'restarting'; attempt: number; lastError: string | null; nextRestartAt: number | null }
  | { state: 'failed'; attempts: number; lastError: string | null }
  | { state: 'stopped'; lastExit: string | null };

/** Derives the tagged status of a service from its run record. Pure. */
export function serviceStatus(run: RunRecord): ServiceStatus {
  const lastError = run.exit === null ? null : run.exit.explanation;
  switch (run.state) {
    case 'starting':
      return { state: 'starting', attempt: run.attempt };
    // A service has no budget; an operator's pause leaves its process running.
    case 'running':
    case 'paused':
      return { state: 'running', pid: run.pid, attempt: run.attempt };
    case 'stopping':
      return { state: 'stopping', pid: run.pid };
    case 'backoff':
      return {
        state: 'restarting',
        attempt: run.attempt + 1,
        lastError,
        nextRestartAt: run.nextRestartAt,
      };
    case 'failed':
      return { state: 'failed', attempts: run.attempt, lastError };
    case 'exited':
      return { state: 'stopped', lastExit: lastError };
  }
}
