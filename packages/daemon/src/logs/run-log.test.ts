import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import type { Logger } from '../process/logger.js';
import { RunLog, TailBuffer, readLogTail } from './run-log.js';

const recordingLogger = () => {
  const lines: string[] = [];
  const logger: Logger = {
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { lines, logger };
};

describe('RunLog', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('x-log-');
  });
  afterEach(() => dir.remove());

  it('writes complete lines with time and source, holding a partial line until it completes', () => {
    const log = new RunLog(`${dir.path}/a.log`);
    log.write('stdout', 'hello wor');
    log.write('stdout', 'ld\nsecond');
    expect(readFileSync(`${dir.path}/a.log`, 'utf8')).toMatch(/^\S+Z stdout\| hello world\n$/);
    log.close();
    expect(readFileSync(`${dir.path}/a.log`, 'utf8').trim().split('\n')[1]).toMatch(
      /stdout\| second$/,
    );
  });

  it('keeps stdout and stderr partial lines apart', () => {
    const log = new RunLog(`${dir.path}/a.log`);
    log.write('stdout', 'out-');
    log.write('stderr', 'err-');
    log.write('stdout', 'end\n');
    log.write('stderr', 'end\n');
    log.close();
    const lines = readFileSync(`${dir.path}/a.log`, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/stdout\| out-end$/);
    expect(lines[1]).toMatch(/stderr\| err-end$/);
  });

  it('rotates by size and never keeps more than maxFiles files of at most maxBytes each', () => {
    const log = new RunLog(`${dir.path}/a.log`, { maxBytes: 4096, maxFiles: 3 });
    for (let i = 0; i < 2000; i += 1) {
      log.line('stdout', `line ${i} ${'x'.repeat(40)}`);
    }
    log.close();
    const files = readdirSync(dir.path).sort();
    expect(files).toEqual(['a.log', 'a.log.1', 'a.log.2']);
    for (const file of files) {
      expect(statSync(`${dir.path}/${file}`).size).toBeLessThanOrEqual(4096);
    }
    expect(readFileSync(`${dir.path}/a.log`, 'utf8')).toContain('line 1999 ');
  });

  it('splits a line longer than 16 KiB and bounds the partial buffer', () => {
    const log = new RunLog(`${dir.path}/a.log`);
    log.write('stdout', 'y'.repeat(40_000));
    log.close();
    const lines = readFileSync(`${dir.path}/a.log`, 'utf8').trim().split('\n');
    expect(lines.length).toBe(3);
  });

  it('reports a write failure instead of throwing', () => {
    const log = new RunLog(`${dir.path}/missing-dir/a.log`);
    expect(() => log.line('x', 'note')).not.toThrow();
    expect(log.lastError).toMatch(/missing-dir/);
    expect(existsSync(`${dir.path}/missing-dir`)).toBe(false);
  });

  it('on ENOSPC (/dev/full) counts the lost lines, tells the daemon log once, then once per interval', () => {
    // A symlink, so that nothing of the test can touch /dev/full itself.
    symlinkSync('/dev/full', `${dir.path}/full.log`);
    let now = 0;
    const { lines, logger } = recordingLogger();
    const log = new RunLog(`${dir.path}/full.log`, { logger, now: () => now });
    for (let i = 0; i < 1000; i += 1) {
      log.line('stdout', `line ${i}`);
      now += 100;
    }
    log.write('stdout', 'two\nlines\n');
    expect(log.droppedLines).toBe(1002);
    expect(log.health).toMatchObject({ ok: false, droppedLines: 1002 });
    expect(log.lastError).toMatch(/ENOSPC/);
    // The first failure, then one line per 60 s of the 100 s.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warn run log: could not write .*full\.log: ENOSPC/);
    expect(lines[1]).toMatch(
      /^warn run log .*full\.log: 600 more line\(s\) lost in 60 s \(601 since /,
    );
    log.close();
    expect(lines[2]).toMatch(/closed while writes fail; 1002 line\(s\) lost since/);
  });

  it('says in the log itself how many lines are missing, once a write succeeds again', () => {
    const { lines, logger } = recordingLogger();
    const log = new RunLog(`${dir.path}/later/a.log`, { logger });
    log.line('stdout', 'lost 1');
    log.line('stdout', 'lost 2');
    mkdirSync(`${dir.path}/later`);
    log.line('stdout', 'kept');
    log.close();
    const written = readFileSync(`${dir.path}/later/a.log`, 'utf8').trim().split('\n');
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/ x\| 2 line\(s\) lost here: could not write .*ENOENT/);
    expect(written[1]).toMatch(/ stdout\| kept$/);
    expect(log.health).toMatchObject({ ok: true, droppedLines: 2 });
    expect(lines.at(-1)).toMatch(
      /^info run log .*a\.log: writable again after \d+ ms; 2 line\(s\) lost meanwhile/,
    );
  });

  it('reads the tail across the rotated file', () => {
    const log = new RunLog(`${dir.path}/a.log`, { maxBytes: 2048, maxFiles: 2 });
    for (let i = 0; i < 60; i += 1) {
      log.line('stdout', `n=${i} ${'z'.repeat(30)}`);
    }
    log.close();
    const live = readFileSync(`${dir.path}/a.log`, 'utf8').trim().split('\n').length;
    expect(live).toBeLessThan(20);
    const tail = readLogTail(`${dir.path}/a.log`, 20);
    expect(tail).toHaveLength(20);
    // 20 consecutive lines ending with the newest: the first ones come from a.log.1.
    expect(tail.map((line) => Number(/n=(\d+)/.exec(line)?.[1]))).toEqual(
      Array.from({ length: 20 }, (_, i) => 40 + i),
    );
  });
});

describe('TailBuffer', () => {
  it('keeps only the last maxBytes characters', () => {
    const tail = new TailBuffer(5);
    tail.push('abc');
    tail.push('defgh');
    expect(tail.toString()).toBe('defgh');
  });
});
