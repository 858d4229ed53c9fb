import type { Disposable } from '@x/ipc';
import type { Logger } from '../process/logger.js';
import {
  RepeatLimiter,
  TRANSITION_LINES_PER_WINDOW,
  TRANSITION_SETTLE_MS,
  type RepeatLimiterOptions,
} from '../process/repeat-limiter.js';

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
  /** Writes lost since the daemon started: each failed write's data is not in SQLite. */
  droppedWrites: number;
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
  /** The latest recovery, or null: when (ms since the epoch), after how long degraded (ms), writes lost meanwhile. */
  lastRecovery: { at: number; afterMs: number; droppedWrites: number } | null;
}

/** A change of {@link PersistenceGuard.health}: `degraded` (first failure) or `recovered` (first write that succeeded since). */
export interface PersistenceChange {
  state: 'degraded' | 'recovered';
  /** The operation that failed (`store events`), or the write that succeeded. */
  what: string;
  health: PersistenceHealth;
}

/** Options of {@link PersistenceGuard.write}. */
export interface GuardWriteOptions<T> {
  /**
   * Whether this successful write proves the store takes writes again (and so ends a degraded
   * spell). A write that changed nothing, such as a DELETE of no rows, wrote no page: on a full
   * disk it succeeds without proving anything. @default every success proves it
   */
  proves?: ((value: T) => boolean) | undefined;
}

/** Options of a {@link PersistenceGuard}. */
export interface PersistenceGuardOptions {
  /** Clock, ms since the epoch. @default Date.now */
  now?: (() => number) | undefined;
  /** How failure lines are rate-limited in the daemon log. @default one line per 60 s per distinct error */
  repeat?: RepeatLimiterOptions | undefined;
}

const healthy = (): PersistenceHealth => ({
  ok: true,
  state: 'ok',
  since: null,
  failures: 0,
  droppedWrites: 0,
  refusedWrites: 0,
  lastError: null,
  lastErrorAt: null,
  lastRefusal: null,
  lastRecovery: null,
});

/**
 * Runs store operations so that a failure (`SQLITE_FULL` on a full disk, `SQLITE_IOERR`, a
 * locked or corrupt file) is logged and surfaced in status but never takes the daemon down:
 * supervision goes on in memory.
 *
 * The first failure makes the guard `degraded` (logged in full); further failures are counted,
 * and logged at most once a minute per distinct error. Only a write that succeeds ends the
 * spell (`persistence recovered after N ms, M writes failed meanwhile`): a read that succeeds
 * proves nothing about a full disk. Transitions are logged as they happen, up to
 * TRANSITION_LINES_PER_WINDOW a minute, then summed up once the state holds for
 * TRANSITION_SETTLE_MS (or at the minute's end). Listeners of {@link onChange} hear
 * every transition.
 */
export class PersistenceGuard {
  #health: PersistenceHealth = healthy();
  /** Writes lost in the current spell. */
  #spellDropped = 0;
  readonly #now: () => number;
  /** Failure lines within a spell, keyed by cause. */
  readonly #failures: RepeatLimiter;
  /** Degraded and recovered lines. */
  readonly #transitions: RepeatLimiter;
  readonly #listeners = new Set<(change: PersistenceChange) => void>();

  constructor(
    private readonly logger: Logger,
    options: PersistenceGuardOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    const repeat = { now: this.#now, ...options.repeat };
    this.#failures = new RepeatLimiter((line) => this.logger.error(line), repeat);
    // Written when the state changes, or in the summary: the level is the state's.
    this.#transitions = new RepeatLimiter(
      (line) => (this.#health.ok ? this.logger.info(line) : this.logger.error(line)),
      { burst: TRANSITION_LINES_PER_WINDOW, settleMs: TRANSITION_SETTLE_MS, ...repeat },
    );
  }

  /** A copy of the current health. */
  get health(): PersistenceHealth {
    return { ...this.#health };
  }

  /** True while degraded (cheap: for a hot path that refuses work while writes are lost). */
  get degraded(): boolean {
    return !this.#health.ok;
  }

  /**
   * Runs a store write; on error records it (degrading the guard), counts the write as dropped
   * and returns `fallback`. A success ends a degraded spell (unless `options.proves` says the
   * write wrote nothing).
   */
  write<T>(what: string, fn: () => T, fallback: T, options: GuardWriteOptions<T> = {}): T {
    let value: T;
    try {
      value = fn();
    } catch (error) {
      this.#fail(what, error, true);
      return fallback;
    }
    if (!this.#health.ok && (options.proves?.(value) ?? true)) {
      this.#recover(what);
    }
    return value;
  }

  /**
   * Runs a store read; on error records it (degrading the guard) and returns `fallback`. A
   * success never ends a degraded spell.
   */
  read<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (error) {
      this.#fail(what, error, false);
      return fallback;
    }
  }

  /**
   * {@link write}, under its older name: a success recovers. Reads should move to
   * {@link read}.
   */
  run<T>(what: string, fn: () => T, fallback: T): T {
    return this.write(what, fn, fallback);
  }

  /**
   * Calls `listener` on each transition, after the health changed (a listener may write
   * through this guard). A listener that throws is logged. Returns the disposer.
   */
  onChange(listener: (change: PersistenceChange) => void): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => void this.#listeners.delete(listener) };
  }

  /** Writes the pending `repeated N more time(s)` lines (at shutdown). */
  flush(): void {
    this.#failures.flush();
    this.#transitions.flush();
  }

  #fail(what: string, error: unknown, isWrite: boolean): void {
    const now = this.#now();
    const cause = describeError(error);
    const message = `${what}: ${cause}`;
    if (isRefusal(error)) {
      this.#health = {
        ...this.#health,
        failures: this.#health.failures + 1,
        droppedWrites: this.#health.droppedWrites + (isWrite ? 1 : 0),
        refusedWrites: this.#health.refusedWrites + (isWrite ? 1 : 0),
        lastRefusal: message,
      };
      this.#failures.report(
        cause,
        `persistence refused a write for what it writes, not for want of disk: ${message}`,
        (count, latest, windowMs) =>
          `persistence refused ${count} more write(s) in ${seconds(windowMs)} s (${this.#health.refusedWrites} in all); the latest: ${latest}`,
      );
      return;
    }
    const wasOk = this.#health.ok;
    this.#spellDropped = (wasOk ? 0 : this.#spellDropped) + (isWrite ? 1 : 0);
    this.#health = {
      ...this.#health,
      ok: false,
      state: 'degraded',
      since: wasOk ? now : this.#health.since,
      failures: this.#health.failures + 1,
      droppedWrites: this.#health.droppedWrites + (isWrite ? 1 : 0),
      lastError: message,
      lastErrorAt: now,
    };
    // Keyed by the cause, not the operation: a full disk fails every kind of write alike.
    const failed = `persistence failed: ${message}`;
    const summary = (count: number, _latest: string, windowMs: number) =>
      `persistence failed ${count} more time(s) in ${seconds(windowMs)} s (${this.#describeState()}); the latest: ${this.#health.lastError ?? message}`;
    if (!wasOk) {
      this.#failures.report(cause, failed, summary);
      return;
    }
    // The degraded line says this failure: its repeats count from here.
    this.#failures.touch(cause, failed, summary);
    const recovered = this.#health.lastRecovery;
    this.#transitions.report(
      'transition',
      recovered === null
        ? `persistence degraded: ${message}; continuing in memory, writes that fail are lost until one succeeds`
        : `persistence degraded again, ${now - recovered.at} ms after it recovered: ${message}; ${this.#health.droppedWrites} write(s) lost in all`,
      this.#transitionSummary,
    );
    this.#fire({ state: 'degraded', what, health: this.health });
  }

  #recover(what: string): void {
    const now = this.#now();
    const afterMs = now - (this.#health.since ?? now);
    const droppedWrites = this.#spellDropped;
    this.#spellDropped = 0;
    this.#health = {
      ...this.#health,
      ok: true,
      state: 'ok',
      since: null,
      lastRecovery: { at: now, afterMs, droppedWrites },
    };
    this.#transitions.report(
      'transition',
      `persistence recovered after ${afterMs} ms, ${droppedWrites} write(s) failed meanwhile (${what} succeeded)`,
      this.#transitionSummary,
    );
    this.#fire({ state: 'recovered', what, health: this.health });
  }

  readonly #transitionSummary = (count: number, _latest: string, windowMs: number): string =>
    `persistence degraded or recovered ${count} more time(s) in ${seconds(windowMs)} s (some writes fit, others do not: a nearly full disk?); ${this.#describeState()}, ${this.#health.droppedWrites} write(s) lost in all`;

  /** `degraded for 42 s, since <ISO time>` or `ok now`. */
  #describeState(): string {
    const since = this.#health.since;
    return since === null
      ? 'ok now'
      : `degraded for ${seconds(this.#now() - since)} s, since ${new Date(since).toISOString()}`;
  }

  #fire(change: PersistenceChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`persistence: a health listener failed: ${describeError(error)}`);
      }
    }
  }
}

const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * SQLite result codes that refuse one statement for what it writes, the store being fine:
 * constraint (a foreign key to a row never stored, a NOT NULL), datatype mismatch, bind index
 * out of range, a value too big. Any other failure (FULL, IOERR, CANTOPEN, READONLY, BUSY,
 * CORRUPT, a JS error without a code…) degrades the store.
 */
const REFUSAL_CODES = /^SQLITE_(CONSTRAINT|MISMATCH|RANGE|TOOBIG)(_|$)/;

function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSAL_CODES.test(code);
}

/** `SQLITE_FULL: database or disk is full`: the driver's code (when it has one) and message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.startsWith(code)
    ? `${code}: ${error.message}`
    : error.message;
}
