import { describe, expect, it } from 'vitest';
import type { Logger } from '../process/logger.js';
import { PersistenceGuard, type PersistenceChange } from './persistence-guard.js';

const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

const setup = () => {
  let now = 1_700_000_000_000;
  const lines: string[] = [];
  const logger: Logger = {
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  const fire: (() => void)[] = [];
  const guard = new PersistenceGuard(logger, {
    now: () => now,
    repeat: {
      schedule: (fn) => {
        fire.push(fn);
        return () => undefined;
      },
    },
  });
  const changes: PersistenceChange[] = [];
  guard.onChange((change) => changes.push(change));
  const failWrite = (what = 'store events') =>
    guard.write(
      what,
      () => {
        throw full();
      },
      'fallback',
    );
  return {
    guard,
    lines,
    changes,
    failWrite,
    tick: (ms: number) => (now += ms),
    now: () => now,
    timers: () => fire.splice(0).forEach((fn) => fn()),
  };
};

describe('PersistenceGuard', () => {
  it('returns the value of a write that succeeds and stays ok', () => {
    const { guard, lines } = setup();
    expect(guard.write('insert run', () => 42, 0)).toBe(42);
    expect(guard.health).toMatchObject({ ok: true, state: 'ok', failures: 0, droppedWrites: 0 });
    expect(guard.degraded).toBe(false);
    expect(lines).toEqual([]);
  });

  it('a failing write returns the fallback and degrades with since, failures, lastError and droppedWrites', () => {
    const { guard, failWrite, now, changes } = setup();
    expect(failWrite()).toBe('fallback');
    expect(guard.degraded).toBe(true);
    expect(guard.health).toEqual({
      ok: false,
      state: 'degraded',
      since: now(),
      failures: 1,
      droppedWrites: 1,
      deferredWrites: 0,
      deferredBytes: 0,
      deferLimits: { maxWrites: 10_000, maxBytes: 16 * 1024 * 1024 },
      writtenLate: 0,
      refusedWrites: 0,
      lastError: 'store events: SQLITE_FULL: database or disk is full',
      lastErrorAt: now(),
      lastRefusal: null,
      lastRecovery: null,
    });
    expect(changes.map((c) => c.state)).toEqual(['degraded']);
    expect(changes[0].health.ok).toBe(false);
  });

  it('a read that succeeds while degraded is no recovery; a write that succeeds is', () => {
    const { guard, failWrite, tick, lines, changes } = setup();
    failWrite();
    failWrite('insert iteration');
    tick(1500);
    expect(guard.read('read runs', () => 'rows', 'none')).toBe('rows');
    expect(guard.degraded).toBe(true);
    expect(guard.write('insert iteration', () => 1, 0)).toBe(1);
    expect(guard.health).toMatchObject({
      ok: true,
      state: 'ok',
      since: null,
      failures: 2,
      droppedWrites: 2,
      lastRecovery: { afterMs: 1500, droppedWrites: 2 },
    });
    expect(lines.at(-1)).toBe(
      'info persistence recovered after 1500 ms (insert iteration succeeded): 0 write(s) kept in memory were written, 2 lost',
    );
    expect(changes.map((c) => c.state)).toEqual(['degraded', 'recovered']);
  });

  it('a failing read degrades (counted as a failure, not a lost write); only a write recovers', () => {
    const { guard } = setup();
    expect(
      guard.read(
        'read runs',
        () => {
          throw new Error('SQLITE_IOERR: disk I/O error');
        },
        [],
      ),
    ).toEqual([]);
    expect(guard.health).toMatchObject({ ok: false, failures: 1, droppedWrites: 0 });
    guard.read('read runs', () => 1, 0);
    expect(guard.degraded).toBe(true);
  });

  it('a write that proves nothing (a prune deleting no rows) does not recover', () => {
    const { guard, failWrite } = setup();
    failWrite();
    guard.write('prune events', () => 0, 0, { proves: (deleted) => deleted > 0 });
    expect(guard.degraded).toBe(true);
    guard.write('prune events', () => 3, 0, { proves: (deleted) => deleted > 0 });
    expect(guard.degraded).toBe(false);
  });

  it('a write the store refuses for what it writes (SQLITE_CONSTRAINT_FOREIGNKEY) is lost and counted, and degrades nothing', () => {
    const { guard, lines, changes } = setup();
    const orphan = () =>
      guard.write(
        'record iteration',
        () => {
          throw Object.assign(new Error('FOREIGN KEY constraint failed'), {
            code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
          });
        },
        false,
      );
    for (let i = 0; i < 100; i += 1) {
      expect(orphan()).toBe(false);
    }
    expect(guard.degraded).toBe(false);
    expect(guard.health).toMatchObject({
      ok: true,
      failures: 100,
      droppedWrites: 100,
      refusedWrites: 100,
      lastError: null,
      lastRefusal: 'record iteration: SQLITE_CONSTRAINT_FOREIGNKEY: FOREIGN KEY constraint failed',
    });
    expect(changes).toEqual([]);
    expect(lines).toEqual([
      'error persistence refused a write for what it writes, not for want of disk: record iteration: SQLITE_CONSTRAINT_FOREIGNKEY: FOREIGN KEY constraint failed',
    ]);
  });

  it('run is a write: it recovers', () => {
    const { guard, failWrite } = setup();
    failWrite();
    guard.run('end run', () => undefined, undefined);
    expect(guard.degraded).toBe(false);
  });

  it('logs 10 000 failures of one cause as one line, then one summary per window', () => {
    const { failWrite, lines, tick, timers } = setup();
    for (let i = 0; i < 10_000; i += 1) {
      failWrite(i % 2 === 0 ? 'store events' : 'insert iteration');
    }
    expect(lines).toEqual([
      'error persistence degraded: store events: SQLITE_FULL: database or disk is full; continuing in memory: writes wait there (at most 10000 writes, 16777216 bytes), retried every 2000 ms, and are written once the disk has room',
    ]);
    tick(60_000);
    timers();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^error persistence failed 9999 more time\(s\) in 60 s \(degraded for 60 s, since \S+Z\); the latest: insert iteration: SQLITE_FULL/,
    );
  });

  it('a new cause while degraded is written in full', () => {
    const { guard, failWrite, lines } = setup();
    failWrite();
    guard.write(
      'insert run',
      () => {
        throw new Error('disk I/O error');
      },
      undefined,
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('error persistence failed: insert run: disk I/O error');
  });

  it('flapping (fail, succeed, fail…) logs the first 4 transitions as they happen, then one summary per window', () => {
    const { guard, failWrite, lines, changes, tick, timers } = setup();
    for (let i = 0; i < 100; i += 1) {
      failWrite();
      guard.write('insert iteration', () => 1, 0);
    }
    failWrite();
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'error persistence degraded',
      'info persistence recovered after 0 ms (insert iteration succeeded)',
      'error persistence degraded again, 0 ms after it recovered',
      'info persistence recovered after 0 ms (insert iteration succeeded)',
    ]);
    expect(changes).toHaveLength(201);
    expect(guard.health).toMatchObject({ ok: false, failures: 101, droppedWrites: 101 });
    tick(60_000);
    timers();
    // The summary's level and words are the state now: degraded.
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(
      /^error persistence degraded or recovered 197 more time\(s\) in 60 s \(.*\); degraded for 60 s, since \S+Z, 101 write\(s\) lost in all$/,
    );
  });

  it('after flaps that were only counted, the state that holds 5 s is logged then, not a minute later', () => {
    const { guard, failWrite, lines, tick, timers } = setup();
    for (let i = 0; i < 10; i += 1) {
      failWrite();
      tick(100);
      guard.write('insert iteration', () => 1, 0);
      tick(100);
    }
    expect(lines).toHaveLength(4);
    tick(5_000);
    timers();
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(
      /^info persistence degraded or recovered 16 more time\(s\) in 7 s \(.*\); ok now, 10 write\(s\) lost in all$/,
    );
  });

  it('a degraded spell after a recovery is logged: the last line says the state', () => {
    const { guard, failWrite, lines } = setup();
    failWrite();
    guard.write('insert iteration', () => 1, 0);
    for (let i = 0; i < 1000; i += 1) {
      failWrite();
    }
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^error persistence degraded again, 0 ms after it recovered: store events: SQLITE_FULL: database or disk is full; 2 write\(s\) lost in all$/,
    );
  });

  it('a listener that throws is logged, and a listener may write through the guard', () => {
    const { guard, failWrite, lines } = setup();
    guard.onChange(() => {
      throw new Error('boom');
    });
    guard.onChange(() => guard.write('store event', () => 1, 0, { proves: () => false }));
    failWrite();
    expect(lines.some((line) => line.includes('a health listener failed: boom'))).toBe(true);
    expect(guard.degraded).toBe(true);
  });
});
