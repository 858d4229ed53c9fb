/**
 * Writes kept in memory while the database refuses them (a full disk, an I/O error): at most
 * 10 000 of them (DEFAULT_WRITE_BEHIND_LIMITS.maxWrites)…
 */
export const DEFAULT_MAX_DEFERRED_WRITES = 10_000;
/** …holding at most 16 MiB of records between them (their JSON size). */
export const DEFAULT_MAX_DEFERRED_BYTES = 16 * 1024 * 1024;

/** Bounds of a {@link WriteBehindQueue}. */
export interface WriteBehindLimits {
  /** Writes waiting at once. @default 10 000 (DEFAULT_MAX_DEFERRED_WRITES) */
  maxWrites: number;
  /** Their records' size, JSON bytes (an estimate of the memory they hold). @default 16 MiB */
  maxBytes: number;
}

/** How a deferred write meets a newer write of the same record. */
export interface DeferOptions<P> {
  /**
   * The record this write sets (`run:r-1`, `turn:t-9`). A newer write with the same key,
   * while this one waits, takes its place in the queue instead of queueing behind it (so a
   * run that changes state 1 000 times on a full disk holds one write, not 1 000). Writes
   * without a key (inserts, additions) are never combined.
   */
  key?: string | undefined;
  /**
   * Combines a waiting write's payload with a newer one of the same key (for partial
   * updates: `(older, newer) => ({ ...older, ...newer })`). @default the newer replaces the older
   */
  merge?: ((older: P, newer: P) => P) | undefined;
}

/** One write waiting in a {@link WriteBehindQueue}. */
export interface DeferredWrite<P = unknown> {
  /** What it writes, for the log: `update run`, `record turn`. */
  readonly what: string;
  readonly key: string | undefined;
  payload: P;
  /** Writes `payload`; throws the driver's error. */
  readonly apply: (payload: P) => void;
  readonly merge: ((older: P, newer: P) => P) | undefined;
  /** The payload's JSON size, bytes. */
  bytes: number;
}

/** What {@link WriteBehindQueue.offer} did with a write. */
export type OfferResult = 'queued' | 'combined' | 'full';

/**
 * A bounded first-in, first-out queue of writes waiting for the database to take writes
 * again, replayed in order by the {@link PersistenceGuard}. A write with a key combines with
 * the waiting write of the same key (in that write's place); a write that would pass the
 * bounds is refused (`full`), never an older one evicted: what is queued is written in order,
 * or not at all.
 */
export class WriteBehindQueue {
  readonly limits: WriteBehindLimits;
  #entries: (DeferredWrite | undefined)[] = [];
  /** Index of the oldest waiting entry in #entries (the ones before were written). */
  #head = 0;
  #size = 0;
  #bytes = 0;
  readonly #byKey = new Map<string, DeferredWrite>();

  /** @throws RangeError for a bound that is not a positive integer. */
  constructor(limits: Partial<WriteBehindLimits> = {}) {
    const maxWrites = limits.maxWrites ?? DEFAULT_MAX_DEFERRED_WRITES;
    const maxBytes = limits.maxBytes ?? DEFAULT_MAX_DEFERRED_BYTES;
    for (const [name, value] of [
      ['maxWrites', maxWrites],
      ['maxBytes', maxBytes],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`x: write-behind ${name} must be an integer ≥ 1, got ${value}`);
      }
    }
    this.limits = { maxWrites, maxBytes };
  }

  /** Writes waiting. */
  get size(): number {
    return this.#size;
  }

  /** Their payloads' JSON size, bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues a write (or combines it with the waiting one of its key). `full`: it would pass
   * the bounds, and it was not queued.
   */
  offer<P>(
    what: string,
    payload: P,
    apply: (payload: P) => void,
    options: DeferOptions<P> = {},
  ): OfferResult {
    const key = options.key;
    const waiting = key === undefined ? undefined : (this.#byKey.get(key) as DeferredWrite<P>);
    if (waiting !== undefined) {
      const combined =
        waiting.merge === undefined ? payload : waiting.merge(waiting.payload, payload);
      const bytes = jsonBytes(combined);
      if (this.#bytes - waiting.bytes + bytes > this.limits.maxBytes) {
        return 'full';
      }
      this.#bytes += bytes - waiting.bytes;
      waiting.payload = combined;
      waiting.bytes = bytes;
      return 'combined';
    }
    const bytes = jsonBytes(payload);
    if (this.#size + 1 > this.limits.maxWrites || this.#bytes + bytes > this.limits.maxBytes) {
      return 'full';
    }
    const entry: DeferredWrite<P> = { what, key, payload, apply, merge: options.merge, bytes };
    this.#entries.push(entry as DeferredWrite);
    this.#size += 1;
    this.#bytes += bytes;
    if (key !== undefined) {
      this.#byKey.set(key, entry as DeferredWrite);
    }
    return 'queued';
  }

  /**
   * The oldest waiting writes, oldest first, at most `count` of them and, past the first,
   * at most `maxBytes` of records (still queued: see {@link remove}).
   */
  head(count: number, maxBytes = Infinity): DeferredWrite[] {
    const end = Math.min(this.#head + count, this.#entries.length);
    const writes: DeferredWrite[] = [];
    let bytes = 0;
    for (let i = this.#head; i < end; i += 1) {
      const write = this.#entries[i] as DeferredWrite;
      bytes += write.bytes;
      if (writes.length > 0 && bytes > maxBytes) {
        break;
      }
      writes.push(write);
    }
    return writes;
  }

  /** Removes the oldest `count` writes (written, or given up). */
  remove(count: number): void {
    const end = Math.min(this.#head + count, this.#entries.length);
    for (let i = this.#head; i < end; i += 1) {
      const entry = this.#entries[i] as DeferredWrite;
      this.#entries[i] = undefined;
      this.#size -= 1;
      this.#bytes -= entry.bytes;
      if (entry.key !== undefined && this.#byKey.get(entry.key) === entry) {
        this.#byKey.delete(entry.key);
      }
    }
    this.#head = end;
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Removes every waiting write; returns how many there were. */
  clear(): number {
    const count = this.#size;
    this.remove(count);
    return count;
  }
}

/** A payload's JSON size in UTF-16 code units: close enough to bytes for a bound. */
function jsonBytes(payload: unknown): number {
  try {
    return (JSON.stringify(payload) ?? '').length;
  } catch {
    return 1024;
  }
}
