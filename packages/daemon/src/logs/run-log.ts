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

/** Where a log line came from: the runner's stdout/stderr, the agent's `ctx.log`, or x itself. */
export type LogSource = 'stdout' | 'stderr' | 'agent' | 'x';

/** Options of {@link RunLog}. */
export interface RunLogOptions {
  /** Size in bytes at which the live file is rotated. @default 10 MiB */
  maxBytes?: number;
  /** Files kept, the live one included (`run.log`, `run.log.1`, …). @default 3 */
  maxFiles?: number;
}

/**
 * A run's log file, bounded on disk by size-based rotation and in memory by a per-source
 * partial-line buffer of at most 16 KiB. Each line is written as
 * `<ISO time> <source>| <text>`. Writes are synchronous so that a crash loses nothing
 * already written; a write failure (full disk) is counted and reported, never thrown.
 */
export class RunLog {
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  #fd: number | undefined;
  #size = 0;
  readonly #partial = new Map<LogSource, string>();
  /** Last write error, for status. */
  lastError: string | undefined;
  droppedLines = 0;

  constructor(
    readonly path: string,
    options: RunLogOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? RUN_LOG_MAX_BYTES;
    this.#maxFiles = Math.max(1, options.maxFiles ?? RUN_LOG_MAX_FILES);
    this.#open();
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

  /** Writes out held partial lines and closes the file. */
  close(): void {
    for (const [source, rest] of this.#partial) {
      if (rest.length > 0) {
        this.#append(source, [rest]);
      }
    }
    this.#partial.clear();
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  #append(source: LogSource, lines: string[]): void {
    const stamp = new Date().toISOString();
    let out = '';
    for (const line of lines) {
      for (let i = 0; i < Math.max(1, line.length); i += LOG_LINE_MAX_BYTES) {
        out += `${stamp} ${source}| ${line.slice(i, i + LOG_LINE_MAX_BYTES)}\n`;
      }
    }
    const bytes = Buffer.from(out);
    try {
      if (this.#size + bytes.length > this.#maxBytes && this.#size > 0) {
        this.#rotate();
      }
      if (this.#fd === undefined) {
        this.#open();
      }
      writeSync(this.#fd!, bytes);
      this.#size += bytes.length;
    } catch (error) {
      this.droppedLines += lines.length;
      this.lastError = `could not write ${this.path}: ${(error as Error).message}`;
    }
  }

  #open(): void {
    try {
      this.#fd = openSync(this.path, 'a', 0o600);
      this.#size = fstatSync(this.#fd).size;
    } catch (error) {
      this.#fd = undefined;
      this.lastError = `could not open ${this.path}: ${(error as Error).message}`;
    }
  }

  #rotate(): void {
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
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
    this.#open();
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
