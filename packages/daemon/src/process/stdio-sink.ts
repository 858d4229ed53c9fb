import { fstatSync, writeSync } from 'node:fs';

/**
 * Most bytes a stream sink lets wait in its stream's buffer (a slow terminal or pipe) before
 * it drops lines: 1 MiB.
 */
export const STREAM_SINK_MAX_PENDING_BYTES = 1024 * 1024;

/** What a {@link LineSink} could not write. */
export interface SinkStats {
  /** Writes (lines) dropped since the sink was made. */
  dropped: number;
  /** The latest failure (`ENOSPC: no space left on device, write`), or null. */
  lastError: string | null;
  /** When, ms since the Unix epoch, or null. */
  lastErrorAt: number | null;
}

/** Where the daemon's own log lines go; `write` never throws. */
export interface LineSink {
  /** Writes `text` (whole lines); false when it was dropped. */
  write(text: string): boolean;
  readonly stats: SinkStats;
}

/**
 * A sink for the process's stderr (fd 2) that never throws and never takes the process down:
 *
 * - stderr is a file (the detached daemon's `daemon.log`): lines are written to the fd with
 *   `writeSync`, partial writes completed; ENOSPC/EIO drops the line and counts it. Going
 *   through `process.stderr` instead would turn the first ENOSPC into an `'error'` event (an
 *   uncaught exception without a listener) and leave the stream errored: every later write
 *   is buffered in memory and never reaches the file, even once space is freed.
 * - stderr is a terminal or a pipe: `process.stderr.write`, dropping lines while the stream
 *   has errored (EPIPE) or holds more than STREAM_SINK_MAX_PENDING_BYTES.
 *
 * Calls {@link absorbStdioErrors} so that `'error'` events of process.stdout/stderr are counted
 * instead of thrown.
 */
export function createStderrSink(): LineSink {
  absorbStdioErrors();
  return isFile(2) ? createFdSink(2) : createStreamSink(process.stderr);
}

/**
 * A sink writing synchronously to a file descriptor open for appending. A line cut by a
 * failure (part written, then ENOSPC) is ended by the next write that succeeds, so the next
 * line starts on a line of its own.
 */
export function createFdSink(fd: number): LineSink {
  const stats: SinkStats = { dropped: 0, lastError: null, lastErrorAt: null };
  let cut = false;
  return {
    stats,
    write(text) {
      const bytes = Buffer.from(cut ? `\n${text}` : text);
      let done = 0;
      try {
        while (done < bytes.length) {
          const wrote = writeSync(fd, bytes, done, bytes.length - done);
          if (wrote <= 0) {
            throw new Error(`write returned ${wrote} with ${bytes.length - done} bytes to go`);
          }
          done += wrote;
        }
        cut = false;
        return true;
      } catch (error) {
        cut ||= done > 0;
        stats.dropped += 1;
        stats.lastError = (error as Error).message;
        stats.lastErrorAt = Date.now();
        return false;
      }
    },
  };
}

/** A sink writing to a stream, dropping what it cannot take (errored, or too far behind). */
export function createStreamSink(stream: NodeJS.WritableStream & Partial<StreamState>): LineSink {
  const stats: SinkStats = { dropped: 0, lastError: null, lastErrorAt: null };
  return {
    stats,
    write(text) {
      const failed = stream.errored ?? (stream.destroyed === true ? new Error('destroyed') : null);
      if (failed != null || (stream.writableLength ?? 0) > STREAM_SINK_MAX_PENDING_BYTES) {
        stats.dropped += 1;
        if (failed != null) {
          stats.lastError = failed.message;
          stats.lastErrorAt = Date.now();
        }
        return false;
      }
      try {
        stream.write(text);
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

interface StreamState {
  errored: Error | null;
  destroyed: boolean;
  writableLength: number;
}

/** `'error'` events of process.stdout and process.stderr since {@link absorbStdioErrors}. */
export const stdioErrors: SinkStats = { dropped: 0, lastError: null, lastErrorAt: null };

const absorbed = new WeakSet<object>();

/**
 * Gives process.stdout and process.stderr an `'error'` listener that counts the error in
 * {@link stdioErrors} (without one, an EPIPE or ENOSPC on either is an uncaught exception:
 * the process dies, or with a fault net that logs to stderr, loops). Idempotent: one
 * listener per stream, for the life of the process.
 */
export function absorbStdioErrors(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (absorbed.has(stream)) {
      continue;
    }
    absorbed.add(stream);
    stream.on('error', (error: Error) => {
      stdioErrors.dropped += 1;
      stdioErrors.lastError = error.message;
      stdioErrors.lastErrorAt = Date.now();
    });
  }
}

function isFile(fd: number): boolean {
  try {
    // bigint: a plain fstat of a pipe misleads Node 20's realpathSync (see socket-claim.ts).
    const stat = fstatSync(fd, { bigint: true });
    // A character device that is no terminal (/dev/null, /dev/full) takes writeSync too.
    return stat.isFile() || (stat.isCharacterDevice() && !process.stderr.isTTY);
  } catch {
    return false;
  }
}
