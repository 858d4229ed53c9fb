import type { WriteBehindLimits } from './write-behind.js';

/** `ok`, or `degraded`: a store operation failed and no write has succeeded since. */
export type PersistenceState = 'ok' | 'degraded';

/** Health of the persistence layer, shown by `x daemon status` and `x agent status`. */
export interface PersistenceHealth {
  /** False while degraded: the same as `state === 'degraded'`. */
  ok: boolean;
  state: PersistenceState;
  /** When the current degraded spell began (its first failure), ms since the Unix epoch; null while ok. */
  since: number | null;
  /** Failed store operations (writes and reads) since the daemon started. */
  failures: number;
  /**
   * Writes lost since the daemon started: their data is not in SQLite and never will be (a
   * failed write that could not wait in memory: the queue was full, the write must be
   * answered at once, or the daemon stopped before the disk had room).
   */
  droppedWrites: number;
  /**
   * Writes waiting in memory now, in order, for the store to take writes again (retried every
   * DEFERRED_RETRY_MS, and at once when another write succeeds): a run's state, attempts,
   * iterations, turns, permission requests, usage, events. Lost if the daemon is killed
   * before they are written.
   */
  deferredWrites: number;
  /** Their records' size, JSON bytes. */
  deferredBytes: number;
  /** The bounds of that queue: writes, and bytes of their records. */
  deferLimits: WriteBehindLimits;
  /** Writes that waited in memory and were then written, since the daemon started. */
  writtenLate: number;
  /**
   * Of `droppedWrites`, those the store refused for what they wrote (`SQLITE_CONSTRAINT`…: a
   * row whose run was never stored), not for want of disk: they do not degrade the store.
   */
  refusedWrites: number;
  /** The latest failure that degraded the store (`<what>: <code>: <message>`), or null. */
  lastError: string | null;
  /** ms since the Unix epoch. */
  lastErrorAt: number | null;
  /** The latest refused write (`<what>: <code>: <message>`), or null. */
  lastRefusal: string | null;
  /**
   * The latest recovery, or null: when (ms since the epoch), after how long degraded (ms),
   * writes lost meanwhile, and writes that waited in memory and were written then.
   */
  lastRecovery: { at: number; afterMs: number; droppedWrites: number; writtenLate: number } | null;
}

/** A change of {@link PersistenceGuard.health}: `degraded` (first failure) or `recovered` (first write that succeeded since). */
export interface PersistenceChange {
  state: 'degraded' | 'recovered';
  /** The operation that failed (`store events`), or the write that succeeded. */
  what: string;
  health: PersistenceHealth;
}

/** The health of a store that has not failed yet. */
export const healthy = (deferLimits: WriteBehindLimits): PersistenceHealth => ({
  ok: true,
  state: 'ok',
  since: null,
  failures: 0,
  droppedWrites: 0,
  deferredWrites: 0,
  deferredBytes: 0,
  deferLimits,
  writtenLate: 0,
  refusedWrites: 0,
  lastError: null,
  lastErrorAt: null,
  lastRefusal: null,
  lastRecovery: null,
});

/**
 * SQLite result codes that refuse one statement for what it writes, the store being fine:
 * constraint (a foreign key to a row never stored, a NOT NULL), datatype mismatch, bind index
 * out of range, a value too big. Any other failure (FULL, IOERR, CANTOPEN, READONLY, BUSY,
 * CORRUPT, a JS error without a code…) degrades the store.
 */
const REFUSAL_CODES = /^SQLITE_(CONSTRAINT|MISMATCH|RANGE|TOOBIG)(_|$)/;

export function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSAL_CODES.test(code);
}

/** `SQLITE_FULL: database or disk is full`: the driver's code (when it has one) and message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.startsWith(code)
    ? `${code}: ${error.message}`
    : error.message;
}
