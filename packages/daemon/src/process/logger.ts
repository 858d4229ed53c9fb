import { RepeatLimiter, type RepeatLimiterOptions } from './repeat-limiter.js';
import { createStderrSink, stdioErrors, type LineSink } from './stdio-sink.js';

/** The daemon's own log: one line per event, to stderr (the daemon log file when detached). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** What the log could not write (absent for loggers that do not count, e.g. a test's). */
  readonly stats?: LogStats;
  /** Writes what is held back (the `repeated N more time(s)` lines), at shutdown. */
  flush?(): void;
}

/** What a {@link createLogger} logger dropped or held back, for `system.info`. */
export interface LogStats {
  /** Lines lost: their write failed (full disk, EIO, a closed pipe) or the stream was too far behind. */
  dropped: number;
  /** Repeats of an identical line not written (counted in a `repeated N more time(s)` line). */
  suppressed: number;
  /** `'error'` events of process.stdout/stderr absorbed (EPIPE, ENOSPC from other writers). */
  stdioErrors: number;
  /** The latest write failure, or null. */
  lastError: string | null;
  /** When, ms since the Unix epoch, or null. */
  lastErrorAt: number | null;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * Where lines go: a {@link LineSink}, or a function taking each line (it must not throw).
   * @default the process's stderr, written so that a failure never throws (createStderrSink)
   */
  sink?: LineSink | ((line: string) => void) | undefined;
  /** How identical lines are rate-limited. @default one line per 60 s per distinct message */
  repeat?: RepeatLimiterOptions | undefined;
}

/** A {@link Logger} whose counters and `flush` are always there. */
export interface DaemonLogger extends Logger {
  readonly stats: LogStats;
  flush(): void;
}

/**
 * A logger writing `<ISO time> <level> <message>` lines. Identical lines (same level and
 * message) are rate-limited: the first is written, its repeats within 60 s are counted and
 * summed up in one `<level> repeated N more time(s) in 60 s: <message>` line. Never throws: a
 * line that cannot be written is dropped and counted in `stats`.
 *
 * `options` may be the line-taking function alone (the older signature).
 */
export function createLogger(options: LoggerOptions | ((line: string) => void) = {}): DaemonLogger {
  const { sink = createStderrSink(), repeat } =
    typeof options === 'function' ? { sink: options } : options;
  const counted: LineSink = typeof sink === 'function' ? countingSink(sink) : sink;
  const limiter = new RepeatLimiter(
    (text) => void counted.write(`${new Date().toISOString()} ${text}\n`),
    repeat,
  );
  const emit = (level: string, message: string) =>
    limiter.report(
      `${level} ${message}`,
      `${level} ${message}`,
      (count, latest, windowMs) =>
        `${level} repeated ${count} more time(s) in ${Math.round(windowMs / 1000)} s: ${latest.slice(level.length + 1)}`,
    );
  return {
    info: (message) => void emit('info', message),
    warn: (message) => void emit('warn', message),
    error: (message) => void emit('error', message),
    get stats(): LogStats {
      return {
        dropped: counted.stats.dropped,
        suppressed: limiter.suppressed,
        stdioErrors: stdioErrors.dropped,
        lastError: counted.stats.lastError ?? stdioErrors.lastError,
        lastErrorAt: counted.stats.lastErrorAt ?? stdioErrors.lastErrorAt,
      };
    },
    flush: () => limiter.flush(),
  };
}

/** A logger that drops everything (tests, embedding). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function countingSink(write: (line: string) => void): LineSink {
  const stats = {
    dropped: 0,
    lastError: null as string | null,
    lastErrorAt: null as number | null,
  };
  return {
    stats,
    write(line) {
      try {
        write(line);
        return true;
      } catch (error) {
        stats.dropped += 1;
        stats.lastError = (error as Error).message;
        stats.lastErrorAt = Date.now();
        return false;
      }
    },
  };
}
