import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/** How often a followed file is looked at: 250 ms. */
const FOLLOW_POLL_MS = 250;

/** Most bytes read from a followed file per look: 1 MiB (the rest comes at the next look). */
const FOLLOW_READ_MAX_BYTES = 1024 * 1024;

/**
 * Follows a log file from its current end, like `tail -F`: every 250 ms, the lines appended
 * since are passed to `onLine` (a partial last line waits for its end). A file that shrank was
 * rotated (or truncated): it is read again from its start. A file that does not exist yet is
 * waited for. Returns once `done(settled)` resolves true; it is asked about once a second, with
 * `settled` true when everything written so far was read.
 */
export async function followFile(
  path: string,
  onLine: (line: string) => void,
  done: (settled: boolean) => Promise<boolean> = async () => false,
): Promise<void> {
  let offset = existsSync(path) ? statSync(path).size : 0;
  let lastCheck = 0;
  let partial = '';
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size < offset) {
      offset = 0;
    }
    if (size > offset) {
      const buffer = Buffer.alloc(Math.min(size - offset, FOLLOW_READ_MAX_BYTES));
      const fd = openSync(path, 'r');
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset += read;
      const lines = (partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        onLine(line);
      }
      if (partial.length > FOLLOW_READ_MAX_BYTES) {
        // A line that never ends is passed on in pieces rather than held without bound.
        onLine(partial);
        partial = '';
      }
    }
    if (Date.now() - lastCheck > 1000) {
      lastCheck = Date.now();
      if (await done(size === offset)) {
        return;
      }
    }
  }
}
