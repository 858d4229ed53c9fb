/**
 * Window in which repeats of one log line are counted instead of written: 60 000 ms. A
 * failure that repeats for as long as the disk stays full costs one line a minute.
 */
export const REPEAT_LOG_INTERVAL_MS = 60_000;
/** Distinct lines a {@link RepeatLimiter} tracks at once (the oldest is closed first): 256. */
export const REPEAT_LOG_MAX_KEYS = 256;
/**
 * State changes (persistence degraded/recovered, a run log failing/writable again) written in
 * full per interval before the rest are only counted: 4. A nearly full disk flaps (a small
 * write fits, the next does not); the first changes are logged as they happen.
 */
export const TRANSITION_LINES_PER_WINDOW = 4;
/**
 * How long a state must hold after changes that were only counted before a line says it (with
 * how many there were): 5000 ms. The log's last word on a state is true within 5 s of the
 * state settling, however it flapped.
 */
export const TRANSITION_SETTLE_MS = 5_000;

/** Writes the line closing a window in which `count` more repeats were counted. */
export type RepeatSummary = (count: number, latest: string, windowMs: number) => string;

/** Collaborators and bounds of a {@link RepeatLimiter}; every field is optional. */
export interface RepeatLimiterOptions {
  /** @default 60 000 ms (REPEAT_LOG_INTERVAL_MS) */
  intervalMs?: number | undefined;
  /** @default 256 (REPEAT_LOG_MAX_KEYS) */
  maxKeys?: number | undefined;
  /** Lines of one key written in full per window before its repeats are only counted. @default 1 */
  burst?: number | undefined;
  /**
   * A window whose repeats stop for this long writes its summary then rather than at its end,
   * ms: for lines that report a state (degraded, recovered), whose latest must not stay
   * unsaid for a whole interval once the state settles. @default never (Infinity)
   */
  settleMs?: number | undefined;
  /** Clock, ms. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * Runs `fn` after `ms`; returns its canceller. @default an unref'd setTimeout (a pending
   * summary is no reason for a process to stay alive)
   */
  schedule?: ((fn: () => void, ms: number) => () => void) | undefined;
}

/** `repeated 1 234 more time(s) in 60 s: <the latest one>`. */
export const defaultRepeatSummary: RepeatSummary = (count, latest, windowMs) =>
  `repeated ${count} more time(s) in ${Math.round(windowMs / 1000)} s: ${latest}`;

interface Window {
  start: number;
  /** Lines written in full in this window. */
  written: number;
  /** Repeats counted, not written. */
  count: number;
  /** When the latest line of the key came, ms. */
  lastAt: number;
  latest: string;
  summary: RepeatSummary;
}

/**
 * Rate-limits repeated log lines by key: the first line of a key (the first `burst`) is
 * written in full; its repeats within `intervalMs` are only counted, and when the window ends
 * one summary line says how many there were (then a new window opens; a window without
 * repeats just closes, so the next occurrence is written in full again). At most `burst` + 1
 * lines per key per interval, and at most `maxKeys` keys held (memory stays bounded whatever
 * the keys).
 */
export class RepeatLimiter {
  readonly #write: (line: string) => void;
  readonly #intervalMs: number;
  readonly #maxKeys: number;
  readonly #burst: number;
  readonly #settleMs: number;
  readonly #now: () => number;
  readonly #schedule: (fn: () => void, ms: number) => () => void;
  readonly #windows = new Map<string, Window>();
  #cancelTimer: (() => void) | undefined;
  #timerDue = Infinity;
  #suppressed = 0;

  constructor(write: (line: string) => void, options: RepeatLimiterOptions = {}) {
    this.#write = write;
    this.#intervalMs = options.intervalMs ?? REPEAT_LOG_INTERVAL_MS;
    this.#maxKeys = Math.max(1, options.maxKeys ?? REPEAT_LOG_MAX_KEYS);
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#settleMs = options.settleMs ?? Infinity;
    this.#now = options.now ?? Date.now;
    this.#schedule = options.schedule ?? unrefTimeout;
  }

  /** Repeats counted and not written (each summary line stands for some of them). */
  get suppressed(): number {
    return this.#suppressed;
  }

  /**
   * Writes `line` if `key` has no open window, else counts it.
   * @returns true when `line` was written in full.
   */
  report(key: string, line: string, summary: RepeatSummary = defaultRepeatSummary): boolean {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window !== undefined && now - window.start >= this.#intervalMs) {
      // Its timer is late (a busy loop): close it before counting this one.
      this.#close(key, window, now);
      window = this.#windows.get(key);
    }
    if (window !== undefined) {
      window.latest = line;
      window.summary = summary;
      window.lastAt = now;
      if (window.written < this.#burst) {
        window.written += 1;
        this.#write(line);
        return true;
      }
      window.count += 1;
      this.#suppressed += 1;
      if (this.#settleMs !== Infinity) {
        this.#arm();
      }
      return false;
    }
    this.#open(key, line, summary, now);
    this.#write(line);
    return true;
  }

  /**
   * Opens a window for `key` as if `line` had been written (another line said it already), so
   * that its repeats are counted; does nothing while the key has a window.
   */
  touch(key: string, line: string, summary: RepeatSummary = defaultRepeatSummary): void {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.start < this.#intervalMs) {
      return;
    }
    if (window !== undefined) {
      this.#close(key, window, now);
      if (this.#windows.has(key)) {
        return;
      }
    }
    this.#open(key, line, summary, now);
  }

  #open(key: string, line: string, summary: RepeatSummary, now: number): void {
    if (this.#windows.size >= this.#maxKeys) {
      const [oldestKey, oldest] = this.#windows.entries().next().value as [string, Window];
      this.#finish(oldestKey, oldest, now);
    }
    this.#windows.set(key, {
      start: now,
      written: 1,
      count: 0,
      lastAt: now,
      latest: line,
      summary,
    });
    this.#arm();
  }

  /** Writes the summary of every window with repeats and forgets every key (at shutdown). */
  flush(): void {
    const now = this.#now();
    for (const [key, window] of [...this.#windows]) {
      this.#finish(key, window, now);
    }
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDue = Infinity;
  }

  /**
   * Closes the windows that have ended, and sums up those whose repeats settled (the timer's
   * work; public for tests with a fake clock).
   */
  closeDue(): void {
    const now = this.#now();
    for (const [key, window] of [...this.#windows]) {
      if (
        now - window.start >= this.#intervalMs ||
        (window.count > 0 && now - window.lastAt >= this.#settleMs)
      ) {
        this.#close(key, window, now);
      }
    }
    this.#arm();
  }

  /** Ends a window: with repeats, writes their summary and opens the next window. */
  #close(key: string, window: Window, now: number): void {
    this.#windows.delete(key);
    if (window.count > 0) {
      this.#write(window.summary(window.count, window.latest, now - window.start));
      // Still repeating: the next window counts from its first repeat.
      this.#windows.set(key, { ...window, start: now, written: this.#burst, count: 0 });
    }
  }

  #finish(key: string, window: Window, now: number): void {
    this.#windows.delete(key);
    if (window.count > 0) {
      this.#write(window.summary(window.count, window.latest, now - window.start));
    }
  }

  #arm(): void {
    let due = Infinity;
    for (const window of this.#windows.values()) {
      due = Math.min(
        due,
        window.start + this.#intervalMs,
        window.count > 0 ? window.lastAt + this.#settleMs : Infinity,
      );
    }
    if (due === this.#timerDue) {
      return;
    }
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDue = due;
    if (due !== Infinity) {
      this.#cancelTimer = this.#schedule(
        () => {
          this.#cancelTimer = undefined;
          this.#timerDue = Infinity;
          this.closeDue();
        },
        Math.max(0, due - this.#now()),
      );
    }
  }
}

function unrefTimeout(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
