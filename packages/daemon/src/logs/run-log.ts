import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { LOG_LINE_MAX_BYTES, RUN_LOG_MAX_BYTES, RUN_LOG_MAX_FILES } from '../constants.js';
import type { Logger } from '../process/logger.js';
import {
  REPEAT_LOG_INTERVAL_MS,
  RepeatLimiter,
  TRANSITION_LINES_PER_WINDOW,
  TRANSITION_SETTLE_MS,
} from '../process/repeat-limiter.js';

/** Where a log line came from: the runner's stdout/stderr, the agent's `ctx.log`, or x itself. */
export type LogSource = 'stdout' | 'stderr' | 'agent' | 'x';

/** Options of {@link RunLog}. */
export interface RunLogOptions {
  /** Size in bytes at which the live file is rotated. @default 10 MiB */
  maxBytes?: number;
  /** Files kept, the live one included (`run.log`, `run.log.1`, …). @default 3 */
  maxFiles?: number;
  /**
   * The daemon log, told when writes start failing (once), how many lines were lost while they
   * fail (at most once per `reportIntervalMs`), and when a write succeeds again.
   * @default none (failures are only counted)
   */
  logger?: Logger | undefined;
  /** Shortest time between two reports of lines lost, ms. @default 60 000 (REPEAT_LOG_INTERVAL_MS) */
  reportIntervalMs?: number | undefined;
  /** Clock, ms since the epoch. @default Date.now */
  now?: (() => number) | undefined;
}

/** What a {@link RunLog} could not write. */
export interface RunLogHealth {
  /** False while writes fail (since the first failure, until a write succeeds). */
  ok: boolean;
  /** Lines lost since the log was opened. */
  droppedLines: number;
  /** The latest failure (`could not write …: ENOSPC: no space left on device, write`), or null. */
  lastError: string | null;
}

/**
 * A run's log file, bounded on disk by size-based rotation and in memory by a per-source
 * partial-line buffer of at most 16 KiB. Each line is written as
 * `<ISO time> <source>| <text>`. Writes are synchronous so that a crash loses nothing
 * already written.
 *
 * A write failure (ENOSPC, EIO) never throws: the lines are dropped and counted, the daemon
 * log is told (the first failure, then at most once a minute how many more lines were lost),
 * and the first write that succeeds again is preceded by an `x|` line saying how many lines
 * are missing there. A line cut by a failure is ended before the next one.
 */
export class RunLog {
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #logger: Logger | undefined;
  /** Failing and writable-again lines (a nearly full disk flaps). */
  readonly #transitions: RepeatLimiter | undefined;
  readonly #reportIntervalMs: number;
  readonly #now: () => number;
  #fd: number | undefined;
  #size = 0;
  readonly #partial = new Map<LogSource, string>();
  /** Last write error, for status. */
  lastError: string | undefined;
  /** Lines lost since the log was opened. */
  droppedLines = 0;
  /** The current failing spell: when it began, lines lost in it, lines lost since the last report. */
  #failing: { since: number; dropped: number; unreported: number; reportedAt: number } | undefined;
  /** The last write stopped in the middle of a line. */
  #cut = false;

  constructor(
    readonly path: string,
    options: RunLogOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? RUN_LOG_MAX_BYTES;
    this.#maxFiles = Math.max(1, options.maxFiles ?? RUN_LOG_MAX_FILES);
    this.#logger = options.logger;
    this.#reportIntervalMs = options.reportIntervalMs ?? REPEAT_LOG_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
    const logger = options.logger;
    this.#transitions =
      logger === undefined
        ? undefined
        : new RepeatLimiter(
            (line) => (this.#failing === undefined ? logger.info(line) : logger.warn(line)),
            {
              intervalMs: this.#reportIntervalMs,
              now: this.#now,
              // Failing and writable-again lines: as many, and as settled, as the store's.
              burst: TRANSITION_LINES_PER_WINDOW,
              settleMs: TRANSITION_SETTLE_MS,
            },
          );
    this.#open();
  }

  /** Whether writes fail now, lines lost, the latest failure. */
  get health(): RunLogHealth {
    return {
      ok: this.#failing === undefined,
      droppedLines: this.droppedLines,
      lastError: this.lastError ?? null,
    };
  }

  /** Appends raw output from `source`; complete lines are written, a trailing partial line is held. */
  write(source: LogSource, text: string): void {
    const pending = (this.#partial.get(source) ?? '') + text;
    const lines = pending.split('\n');
    let rest = lines.pop() ?? '';
    if (rest.length > LOG_LINE_MAX_BYTES) {
      lines.push(rest);
      rest = '';
    }
    this.#partial.set(source, rest);
    if (lines.length > 0) {
      this.#append(source, lines);
    }
  }

  /** Writes one complete line (a `ctx.log` message or a note from x). */
  line(source: LogSource, text: string): void {
    this.#append(source, text.split('\n'));
  }

  /** Writes out held partial lines and closes the file. Never throws. */
  close(): void {
    for (const [source, rest] of this.#partial) {
      if (rest.length > 0) {
        this.#append(source, [rest]);
      }
    }
    this.#partial.clear();
    this.#transitions?.flush();
    if (this.#failing !== undefined) {
      this.#logger?.warn(
        `run log ${this.path}: closed while writes fail; ${this.#failing.dropped} line(s) lost since ${new Date(this.#failing.since).toISOString()}: ${this.lastError}`,
      );
    }
    this.#closeFd();
  }

  #append(source: LogSource, lines: string[]): void {
    const stamp = new Date().toISOString();
    let out = '';
    for (const line of lines) {
      for (let i = 0; i < Math.max(1, line.length); i += LOG_LINE_MAX_BYTES) {
        out += `${stamp} ${source}| ${line.slice(i, i + LOG_LINE_MAX_BYTES)}\n`;
      }
    }
    const spell = this.#failing;
    if (spell !== undefined) {
      // Says, in the log itself, where lines are missing.
      out = `${stamp} x| ${spell.dropped} line(s) lost here: ${this.lastError}\n${out}`;
    }
    if (this.#cut) {
      out = `\n${out}`;
    }
    const bytes = Buffer.from(out);
    let done = 0;
    try {
      if (this.#size + bytes.length > this.#maxBytes && this.#size > 0) {
        this.#rotate();
      }
      if (this.#fd === undefined) {
        this.#open(true);
      }
      while (done < bytes.length) {
        const wrote = writeSync(this.#fd!, bytes, done, bytes.length - done);
        if (wrote <= 0) {
          throw new Error(`write returned ${wrote}`);
        }
        done += wrote;
        this.#size += wrote;
      }
    } catch (error) {
      this.#cut ||= done > 0;
      this.#failed(lines.length, `could not write ${this.path}: ${(error as Error).message}`);
      return;
    }
    this.#cut = false;
    if (spell !== undefined) {
      this.#failing = undefined;
      this.#transitions?.report(
        'transition',
        `run log ${this.path}: writable again after ${this.#now() - spell.since} ms; ${spell.dropped} line(s) lost meanwhile`,
        this.#transitionSummary,
      );
    }
  }

  #failed(lines: number, message: string): void {
    const now = this.#now();
    this.droppedLines += lines;
    this.lastError = message;
    const spell = this.#failing;
    if (spell === undefined) {
      this.#failing = { since: now, dropped: lines, unreported: 0, reportedAt: now };
      const before = this.droppedLines - lines;
      this.#transitions?.report(
        'transition',
        before === 0
          ? `run log: ${message}; its lines are lost (and counted) until a write succeeds`
          : `run log: ${message}; failing again (${before} line(s) lost before)`,
        this.#transitionSummary,
      );
      return;
    }
    spell.dropped += lines;
    spell.unreported += lines;
    if (now - spell.reportedAt >= this.#reportIntervalMs) {
      this.#logger?.warn(
        `run log ${this.path}: ${spell.unreported} more line(s) lost in ${Math.round((now - spell.reportedAt) / 1000)} s (${spell.dropped} since ${new Date(spell.since).toISOString()}): ${message}`,
      );
      spell.unreported = 0;
      spell.reportedAt = now;
    }
  }

  readonly #transitionSummary = (count: number, _latest: string, windowMs: number): string =>
    `run log ${this.path}: failed and recovered ${count} more time(s) in ${Math.round(windowMs / 1000)} s (a nearly full disk?); ${this.#failing === undefined ? 'writable now' : 'failing now'}, ${this.droppedLines} line(s) lost in all`;

  /** Opens the live file; `rethrow` for a caller that counts the failure itself. */
  #open(rethrow = false): void {
    try {
      this.#fd = openSync(this.path, 'a', 0o600);
      this.#size = fstatSync(this.#fd).size;
    } catch (error) {
      this.#closeFd();
      this.lastError = `could not open ${this.path}: ${(error as Error).message}`;
      if (rethrow) {
        throw error;
      }
    }
  }

  #closeFd(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // EIO on close: the data was written or counted lost already.
      }
      this.#fd = undefined;
    }
  }

  #rotate(): void {
    this.#closeFd();
    this.#size = 0;
    if (this.#maxFiles === 1) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.#maxFiles - 1}`, { force: true });
      for (let i = this.#maxFiles - 2; i >= 1; i -= 1) {
        if (existsSync(`${this.path}.${i}`)) {
          renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        }
      }
      if (existsSync(this.path)) {
        renameSync(this.path, `${this.path}.1`);
      }
    }
    this.#open(true);
  }
}

/**
 * Reads the last `lines` lines of a run log, looking into the rotated file before it when
 * the live one is short. Reads at most 1 MiB per file.
 */
export function readLogTail(path: string, lines: number): string[] {
  const out: string[] = [];
  for (const file of [path, `${path}.1`]) {
    if (out.length >= lines || !existsSync(file)) {
      continue;
    }
    const chunk = readFileTail(file, 1024 * 1024);
    const fileLines = chunk.split('\n').filter((line) => line.length > 0);
    out.unshift(...fileLines.slice(-(lines - out.length)));
  }
  return out.slice(-lines);
}

function readFileTail(file: string, maxBytes: number): string {
  const size = statSync(file).size;
  const length = Math.min(size, maxBytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  // Drop a first line cut in the middle.
  return length < size ? text.slice(text.indexOf('\n') + 1) : text;
}

/** Keeps the last `maxBytes` characters written to it (for stderr tails). */
export class TailBuffer {
  #text = '';
  constructor(private readonly maxBytes: number) {}
  push(text: string): void {
    this.#text = (this.#text + text).slice(-this.maxBytes);
  }
  toString(): string {
    return this.#text;
  }
}
