import { closeSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { createLogger } from './logger.js';
import {
  STREAM_SINK_MAX_PENDING_BYTES,
  absorbStdioErrors,
  createFdSink,
  createStreamSink,
  stdioErrors,
} from './stdio-sink.js';

describe('createLogger', () => {
  it('writes `<ISO time> <level> <message>` lines', () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    logger.info('hello');
    logger.error('oops');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z info hello\n$/);
    expect(lines[1]).toMatch(/Z error oops\n$/);
  });

  it('writes 5 000 identical errors as one line, and their count at the end of the window', () => {
    let now = 0;
    const lines: string[] = [];
    const logger = createLogger({
      sink: (line) => lines.push(line),
      repeat: { now: () => now, schedule: () => () => undefined },
    });
    for (let i = 0; i < 5000; i += 1) {
      logger.error('persistence failed: store events: SQLITE_FULL');
    }
    logger.error('something else');
    expect(lines).toHaveLength(2);
    now = 60_000;
    logger.flush();
    expect(lines[2]).toMatch(
      /Z error repeated 4999 more time\(s\) in 60 s: persistence failed: store events: SQLITE_FULL\n$/,
    );
    expect(logger.stats.suppressed).toBe(4999);
  });

  it('counts a line whose sink throws, and never throws itself', () => {
    const logger = createLogger(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(() => logger.error('lost')).not.toThrow();
    expect(logger.stats).toMatchObject({
      dropped: 1,
      lastError: 'ENOSPC: no space left on device, write',
    });
  });
});

describe('createFdSink', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('x-sink-');
  });
  afterEach(() => dir.remove());

  it('writes whole lines to a file', () => {
    const fd = openSync(`${dir.path}/daemon.log`, 'a');
    const sink = createFdSink(fd);
    expect(sink.write('one\n')).toBe(true);
    expect(sink.write('two\n')).toBe(true);
    closeSync(fd);
    expect(readFileSync(`${dir.path}/daemon.log`, 'utf8')).toBe('one\ntwo\n');
  });

  it('drops and counts a line on ENOSPC (/dev/full) instead of throwing', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const sink = createFdSink(fd);
      expect(sink.write('lost\n')).toBe(false);
      expect(sink.write('lost too\n')).toBe(false);
      expect(sink.stats.dropped).toBe(2);
      expect(sink.stats.lastError).toMatch(/ENOSPC/);
    } finally {
      closeSync(fd);
    }
  });

  it('drops and counts a line on a closed descriptor (EBADF)', () => {
    const fd = openSync(`${dir.path}/daemon.log`, 'a');
    closeSync(fd);
    const sink = createFdSink(fd);
    expect(sink.write('lost\n')).toBe(false);
    expect(sink.stats.lastError).toMatch(/EBADF/);
  });
});

describe('createStreamSink', () => {
  it('drops lines once its stream has errored (EPIPE), instead of buffering them forever', () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    stream.on('error', () => undefined);
    const sink = createStreamSink(stream);
    expect(sink.write('first\n')).toBe(true);
    expect(sink.write('second\n')).toBe(false);
    expect(sink.stats).toMatchObject({ dropped: 1, lastError: 'write EPIPE' });
  });

  it('drops lines while more than 1 MiB waits in a stream that does not drain', () => {
    const stream = new Writable({ highWaterMark: 1024, write: () => undefined });
    const sink = createStreamSink(stream);
    const line = `${'x'.repeat(1023)}\n`;
    let written = 0;
    for (let i = 0; i < 2048; i += 1) {
      written += sink.write(line) ? 1 : 0;
    }
    expect(written * line.length).toBeLessThanOrEqual(
      STREAM_SINK_MAX_PENDING_BYTES + 2 * line.length,
    );
    expect(sink.stats.dropped).toBe(2048 - written);
  });
});

describe('absorbStdioErrors', () => {
  it("counts an 'error' event of process.stdout or stderr instead of throwing it", () => {
    absorbStdioErrors();
    absorbStdioErrors();
    const before = stdioErrors.dropped;
    expect(() =>
      process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    ).not.toThrow();
    expect(() =>
      process.stderr.emit('error', new Error('ENOSPC: no space left on device, write')),
    ).not.toThrow();
    expect(stdioErrors.dropped).toBe(before + 2);
    expect(stdioErrors.lastError).toMatch(/ENOSPC/);
    // One listener per stream, however often it is called.
    expect(process.stdout.listenerCount('error')).toBeLessThanOrEqual(2);
  });
});
