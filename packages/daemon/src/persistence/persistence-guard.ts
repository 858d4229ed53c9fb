import type { Disposable } from '@x/ipc';
import type { Logger } from '../process/logger.js';
import {
  RepeatLimiter,
  TRANSITION_LINES_PER_WINDOW,
  TRANSITION_SETTLE_MS,
  type RepeatLimiterOptions,
} from '../process/repeat-limiter.js';
import {
  WriteBehindQueue,
  type DeferOptions,
  type DeferredWrite,
  type WriteBehindLimits,
} from './write-behind.js';
import {
  describeError,
  healthy,
  isRefusal,
  type PersistenceChange,
  type PersistenceHealth,
} from './persistence-health.js';

export type {
  PersistenceChange,
  PersistenceHealth,
  PersistenceState,
} from './persistence-health.js';

/** How often writes waiting in memory are tried again while the store fails: every 2000 ms. */
export const DEFERRED_RETRY_MS = 2_000;
/** Waiting writes written per transaction when they are replayed: at most 500… */
const REPLAY_BATCH = 500;
/** …holding at most 1 MiB of records: a disk with a little room takes the oldest first. */
const REPLAY_BATCH_BYTES = 1024 * 1024;

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
  /** Bounds of the writes kept in memory while the store fails. @default 10 000 writes, 16 MiB */
  deferLimits?: Partial<WriteBehindLimits> | undefined;
  /**
   * Runs `fn` in one transaction of the database, a nested call in a savepoint (better-sqlite3's
   * `db.transaction`): waiting writes are then replayed 500 per commit, and one refused write
   * (a constraint) is skipped without undoing the others. @default none: replayed one by one
   */
  transaction?: ((fn: () => void) => void) | undefined;
  /** Runs `fn` after `ms`; returns its canceller. @default an unref'd setTimeout */
  schedule?: ((fn: () => void, ms: number) => () => void) | undefined;
  /** How often waiting writes are retried while the store fails, ms. @default DEFERRED_RETRY_MS (2000) */
  retryMs?: number | undefined;
}

/**
 * Runs store operations so that a failure (`SQLITE_FULL` on a full disk, `SQLITE_IOERR`, a
 * locked or corrupt file) is logged and surfaced in status but never takes the daemon down:
 * supervision goes on in memory.
 *
 * The first failure makes the guard `degraded` (logged in full); further failures are counted,
 * and logged at most once a minute per distinct error. A write made with {@link persist} that
 * fails waits in memory (bounded: DEFAULT_MAX_DEFERRED_WRITES, DEFAULT_MAX_DEFERRED_BYTES), and
 * so does every such write after it while any waits, so that they reach SQLite in the order
 * they were made; they are retried every DEFERRED_RETRY_MS and at once when another write
 * succeeds. Only writes that succeed end the spell, once nothing waits any more (`persistence
 * recovered after N ms: K write(s) kept in memory were written, M lost`): a read that succeeds
 * proves nothing about a full disk. Transitions are logged as they happen, up to
 * TRANSITION_LINES_PER_WINDOW a minute, then summed up once the state holds for
 * TRANSITION_SETTLE_MS (or at the minute's end). Listeners of {@link onChange} hear
 * every transition.
 */
export class PersistenceGuard {
  #health: PersistenceHealth;
  /** Writes lost in the current spell. */
  #spellDropped = 0;
  /** Waiting writes written in the current spell. */
  #spellWrittenLate = 0;
  readonly #queue: WriteBehindQueue;
  readonly #transaction: ((fn: () => void) => void) | undefined;
  readonly #schedule: (fn: () => void, ms: number) => () => void;
  readonly #retryMs: number;
  #cancelRetry: (() => void) | undefined;
  #closed = false;
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
    this.#queue = new WriteBehindQueue(options.deferLimits);
    this.#health = healthy(this.#queue.limits);
    this.#transaction = options.transaction;
    this.#schedule = options.schedule ?? unrefTimeout;
    this.#retryMs = options.retryMs ?? DEFERRED_RETRY_MS;
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
    return {
      ...this.#health,
      deferredWrites: this.#queue.size,
      deferredBytes: this.#queue.bytes,
      deferLimits: { ...this.#queue.limits },
    };
  }

  /** Writes waiting in memory now (see {@link persist}). */
  get waiting(): number {
    return this.#queue.size;
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
      this.#replayThenRecover(what);
    }
    return value;
  }

  /**
   * Writes `payload` with `apply`, or, when that fails for want of disk (or writes already
   * wait), keeps it in memory and writes it later, in order: see the class. Returns what
   * `apply` returned, or undefined when the write waits, was refused for what it writes
   * (`SQLITE_CONSTRAINT`…: counted in `refusedWrites`), or was lost (the queue was full:
   * counted in `droppedWrites`). `payload` must be plain data (its JSON size is what the
   * queue's byte bound counts) and must not change afterwards.
   */
  persist<P, T>(
    what: string,
    payload: P,
    apply: (payload: P) => T,
    options: DeferOptions<P> = {},
  ): T | undefined {
    if (this.#queue.size === 0) {
      let value: T;
      try {
        value = apply(payload);
      } catch (error) {
        if (isRefusal(error)) {
          this.#fail(what, error, true);
          return undefined;
        }
        this.#fail(what, error, false);
        this.#defer(what, payload, apply, options);
        return undefined;
      }
      if (!this.#health.ok) {
        this.#recover(what);
      }
      return value;
    }
    this.#defer(what, payload, apply, options);
    return undefined;
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

  /**
   * Before the database closes (at shutdown): tries once more to write what waits in memory,
   * then gives up on the rest (counted in `droppedWrites`, and logged), and retries no more.
   */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    if (this.#queue.size > 0) {
      this.#replayThenRecover('replay at shutdown');
    }
    this.#closed = true;
    const lost = this.#queue.clear();
    if (lost > 0) {
      this.#health = { ...this.#health, droppedWrites: this.#health.droppedWrites + lost };
      this.logger.error(
        `persistence: ${lost} write(s) kept in memory were lost at shutdown: the database still refused them (${this.#health.lastError ?? 'unknown error'})`,
      );
    }
  }

  /** Queues a write that could not be made now, and makes sure a retry is scheduled. */
  #defer<P, T>(what: string, payload: P, apply: (payload: P) => T, options: DeferOptions<P>): void {
    if (this.#closed) {
      this.#countDropped(1);
      return;
    }
    // A copy: the caller may change its record after this (the queue keeps what was meant).
    if (this.#queue.offer(what, copyOf(payload), apply, options) === 'full') {
      this.#countDropped(1);
      const { maxWrites, maxBytes } = this.#queue.limits;
      this.#failures.report(
        'write-behind full',
        `persistence: ${what} lost: ${this.#queue.size} write(s) (${this.#queue.bytes} bytes) already wait in memory, the bound is ${maxWrites} writes or ${maxBytes} bytes`,
        (count, latest, windowMs) =>
          `persistence lost ${count} more write(s) in ${seconds(windowMs)} s for want of room in memory (${this.#health.droppedWrites} in all); the latest: ${latest}`,
      );
    }
    this.#retrySoon();
  }

  #countDropped(count: number): void {
    this.#spellDropped += count;
    this.#health = { ...this.#health, droppedWrites: this.#health.droppedWrites + count };
  }

  #retrySoon(): void {
    if (this.#cancelRetry !== undefined || this.#closed || this.#queue.size === 0) {
      return;
    }
    this.#cancelRetry = this.#schedule(() => {
      this.#cancelRetry = undefined;
      this.#replayThenRecover('retry');
    }, this.#retryMs);
  }

  /** Replays what waits; once nothing waits, ends a degraded spell (if any) for `what`. */
  #replayThenRecover(what: string): void {
    if (this.#replay() && !this.#health.ok) {
      this.#recover(what);
    }
  }

  /**
   * Writes what waits, oldest first (REPLAY_BATCH per transaction when there is a
   * transaction); a write refused for what it writes is skipped. Returns true when nothing
   * waits any more; on a failure keeps the rest waiting and schedules a retry.
   */
  #replay(): boolean {
    const transaction = this.#transaction ?? ((fn: () => void) => fn());
    while (this.#queue.size > 0) {
      const batch =
        this.#transaction === undefined
          ? this.#queue.head(1)
          : this.#queue.head(REPLAY_BATCH, REPLAY_BATCH_BYTES);
      const refused: [DeferredWrite, unknown][] = [];
      try {
        transaction(() => {
          for (const write of batch) {
            try {
              // A savepoint of its own inside the batch: a refusal undoes this write only.
              transaction(() => write.apply(write.payload));
            } catch (error) {
              if (!isRefusal(error)) {
                throw error;
              }
              refused.push([write, error]);
            }
          }
        });
      } catch (error) {
        this.#fail(batch[0]?.what ?? 'replay', error, false);
        this.#retrySoon();
        return false;
      }
      this.#queue.remove(batch.length);
      const written = batch.length - refused.length;
      this.#spellWrittenLate += written;
      this.#health = { ...this.#health, writtenLate: this.#health.writtenLate + written };
      for (const [write, error] of refused) {
        this.#fail(write.what, error, true);
      }
    }
    return true;
  }

  /** Records a failure; `lost`: a write whose data will not reach SQLite (counted dropped). */
  #fail(what: string, error: unknown, lost: boolean): void {
    const now = this.#now();
    const cause = describeError(error);
    const message = `${what}: ${cause}`;
    if (isRefusal(error)) {
      this.#health = {
        ...this.#health,
        failures: this.#health.failures + 1,
        droppedWrites: this.#health.droppedWrites + (lost ? 1 : 0),
        refusedWrites: this.#health.refusedWrites + (lost ? 1 : 0),
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
    if (wasOk) {
      this.#spellDropped = 0;
      this.#spellWrittenLate = 0;
    }
    this.#spellDropped += lost ? 1 : 0;
    this.#health = {
      ...this.#health,
      ok: false,
      state: 'degraded',
      since: wasOk ? now : this.#health.since,
      failures: this.#health.failures + 1,
      droppedWrites: this.#health.droppedWrites + (lost ? 1 : 0),
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
        ? `persistence degraded: ${message}; continuing in memory: writes wait there (at most ${this.#queue.limits.maxWrites} writes, ${this.#queue.limits.maxBytes} bytes), retried every ${this.#retryMs} ms, and are written once the disk has room`
        : `persistence degraded again, ${now - recovered.at} ms after it recovered: ${message}; ${this.#health.droppedWrites} write(s) lost in all`,
      this.#transitionSummary,
    );
    this.#fire({ state: 'degraded', what, health: this.health });
  }

  #recover(what: string): void {
    const now = this.#now();
    const afterMs = now - (this.#health.since ?? now);
    const droppedWrites = this.#spellDropped;
    const writtenLate = this.#spellWrittenLate;
    this.#spellDropped = 0;
    this.#spellWrittenLate = 0;
    this.#health = {
      ...this.#health,
      ok: true,
      state: 'ok',
      since: null,
      lastRecovery: { at: now, afterMs, droppedWrites, writtenLate },
    };
    this.#transitions.report(
      'transition',
      `persistence recovered after ${afterMs} ms (${what} succeeded): ${writtenLate} write(s) kept in memory were written, ${droppedWrites} lost`,
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

/** A deep copy of plain data (the payload itself when it cannot be copied). */
function copyOf<P>(payload: P): P {
  try {
    return structuredClone(payload);
  } catch {
    return payload;
  }
}

/** The default {@link PersistenceGuardOptions.schedule}: an unref'd setTimeout. */
function unrefTimeout(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
