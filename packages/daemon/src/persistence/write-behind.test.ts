import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import type { Logger } from '../process/logger.js';
import { PersistenceGuard } from './persistence-guard.js';
import { WriteBehindQueue } from './write-behind.js';

describe('WriteBehindQueue', () => {
  it('keeps writes in order; a write with the key of a waiting one combines in its place', () => {
    const queue = new WriteBehindQueue();
    const apply = () => undefined;
    const merge = (a: object, b: object) => ({ ...a, ...b });
    expect(queue.offer('insert run', { id: 1 }, apply)).toBe('queued');
    expect(queue.offer('update run', { state: 'running' }, apply, { key: 'r', merge })).toBe(
      'queued',
    );
    expect(queue.offer('record turn', { turn: 1 }, apply, { key: 't' })).toBe('queued');
    expect(queue.offer('update run', { exit: 0 }, apply, { key: 'r', merge })).toBe('combined');
    expect(queue.offer('record turn', { turn: 2 }, apply, { key: 't' })).toBe('combined');
    expect(queue.head(10).map((write) => write.payload)).toEqual([
      { id: 1 },
      { state: 'running', exit: 0 },
      { turn: 2 },
    ]);
    expect(queue.size).toBe(3);
    expect(queue.bytes).toBe(
      JSON.stringify({ id: 1 }).length +
        JSON.stringify({ state: 'running', exit: 0 }).length +
        JSON.stringify({ turn: 2 }).length,
    );
    queue.remove(2);
    // Written: a later write of the same key queues anew, behind the ones still waiting.
    expect(queue.offer('update run', { state: 'exited' }, apply, { key: 'r', merge })).toBe(
      'queued',
    );
    expect(queue.head(10).map((write) => write.what)).toEqual(['record turn', 'update run']);
  });

  it('refuses a write past either bound, and never evicts a waiting one', () => {
    const queue = new WriteBehindQueue({ maxWrites: 2, maxBytes: 40 });
    const apply = () => undefined;
    expect(queue.offer('a', 'x'.repeat(10), apply)).toBe('queued');
    expect(queue.offer('b', 'y'.repeat(10), apply)).toBe('queued');
    expect(queue.offer('c', 1, apply)).toBe('full');
    queue.remove(1);
    expect(queue.offer('d', 'z'.repeat(30), apply)).toBe('full');
    expect(queue.head(5).map((write) => write.what)).toEqual(['b']);
    expect(() => new WriteBehindQueue({ maxWrites: 0 })).toThrow(
      /maxWrites must be an integer ≥ 1, got 0/,
    );
  });
});

/**
 * PersistenceGuard.persist against a real SQLite file made full by `max_page_count` (SQLite
 * then fails writes with SQLITE_FULL, as on a full disk), freed by raising it.
 */
describe('PersistenceGuard.persist (real SQLite, SQLITE_FULL from max_page_count)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let lines: string[];
  let retries: (() => void)[];
  let guard: PersistenceGuard;
  let fullAt: number;

  const logger: Logger = {
    info: (line) => lines.push(`info ${line}`),
    warn: (line) => lines.push(`warn ${line}`),
    error: (line) => lines.push(`error ${line}`),
  };
  const insert = (row: { id: number; v: string }) =>
    db.prepare('INSERT INTO t (id, v) VALUES (@id, @v)').run(row);
  const setV = (row: { id: number; v: string }) =>
    db.prepare('UPDATE t SET v = @v WHERE id = @id').run(row);
  const fillDisk = () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Fill the last free bytes of the pages there are.
    for (let i = 0; ; i += 1) {
      try {
        insert({ id: 1_000_000 + i, v: 'f'.repeat(500) });
      } catch {
        break;
      }
    }
    fullAt = db.prepare('SELECT count(*) FROM t').pluck().get() as number;
  };
  const freeDisk = () => db.pragma('max_page_count = 1000000');
  const retry = () => retries.splice(0).forEach((fn) => fn());

  beforeEach(() => {
    dir = tempDir('x-wb-');
    db = new Database(`${dir.path}/x.db`);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    db.exec('CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL REFERENCES t(id))');
    db.pragma('foreign_keys = ON');
    lines = [];
    retries = [];
    const tx = db.transaction((fn: () => void) => fn());
    guard = new PersistenceGuard(logger, {
      transaction: (fn) => tx(fn),
      schedule: (fn) => {
        retries.push(fn);
        return () => undefined;
      },
      repeat: { schedule: () => () => undefined },
    });
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('a write the full disk refuses waits in memory with those after it, and all are written in order once there is room', () => {
    fillDisk();
    expect(guard.persist('insert', { id: 1, v: 'a'.repeat(2000) }, insert)).toBeUndefined();
    expect(guard.health).toMatchObject({ ok: false, deferredWrites: 1, droppedWrites: 0 });
    expect(retries).toHaveLength(1);
    // Fits on the disk, yet waits: it must not overtake the one before it.
    let applied = false;
    guard.persist(
      'update',
      { id: 1, v: 'b' },
      (row) => {
        applied = true;
        return setV(row);
      },
      { key: 'row:1', merge: (a, b) => ({ ...a, ...b }) },
    );
    guard.persist('update', { id: 1, v: 'c' }, setV, {
      key: 'row:1',
      merge: (a, b) => ({ ...a, ...b }),
    });
    for (let i = 2; i <= 600; i += 1) {
      guard.persist('insert', { id: i, v: `row ${i}` }, insert);
    }
    expect(applied).toBe(false);
    expect(guard.health).toMatchObject({ ok: false, deferredWrites: 601, droppedWrites: 0 });
    expect(guard.health.deferredBytes).toBeGreaterThan(2000);

    retry(); // still full: nothing written, a retry is scheduled again
    expect(guard.health).toMatchObject({ ok: false, deferredWrites: 601, writtenLate: 0 });
    expect(retries).toHaveLength(1);

    freeDisk();
    retry();
    expect(guard.health).toMatchObject({
      ok: true,
      deferredWrites: 0,
      deferredBytes: 0,
      writtenLate: 601,
      droppedWrites: 0,
      lastRecovery: { writtenLate: 601, droppedWrites: 0 },
    });
    expect(db.prepare('SELECT v FROM t WHERE id = 1').pluck().get()).toBe('c');
    expect(db.prepare('SELECT count(*) FROM t WHERE id < 1000000').pluck().get()).toBe(600);
    expect(lines.at(-1)).toMatch(
      /^info persistence recovered after \d+ ms \(retry succeeded\): 601 write\(s\) kept in memory were written, 0 lost$/,
    );
    expect(fullAt).toBeGreaterThan(0);
  });

  it('a write that succeeds elsewhere replays what waits at once; a refused one is skipped, not the batch', () => {
    fillDisk();
    guard.persist('insert', { id: 1, v: 'x'.repeat(4000) }, insert);
    guard.persist('insert child', { id: 7, t: 999 }, (row) =>
      db.prepare('INSERT INTO child (id, t_id) VALUES (?, ?)').run(row.id, row.t),
    );
    guard.persist('insert', { id: 2, v: 'y' }, insert);
    freeDisk();
    expect(
      guard.write('prune', () => db.prepare('DELETE FROM t WHERE id >= 1000000').run().changes, 0),
    ).toBeGreaterThan(0);
    expect(guard.health).toMatchObject({
      ok: true,
      deferredWrites: 0,
      writtenLate: 2,
      refusedWrites: 1,
    });
    expect(db.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([1, 2]);
    expect(db.prepare('SELECT count(*) FROM child').pluck().get()).toBe(0);
  });

  it('past its bounds a write is lost and counted; at shutdown what still waits is lost, counted and logged', () => {
    const small = new PersistenceGuard(logger, {
      deferLimits: { maxWrites: 3 },
      schedule: () => () => undefined,
      repeat: { schedule: () => () => undefined },
    });
    fillDisk();
    for (let i = 1; i <= 5; i += 1) {
      small.persist('insert', { id: i, v: 'z'.repeat(3000) }, insert);
    }
    expect(small.health).toMatchObject({ deferredWrites: 3, droppedWrites: 2 });
    expect(
      lines.some((line) =>
        /insert lost: 3 write\(s\) .* already wait in memory, the bound is 3 writes/.test(line),
      ),
    ).toBe(true);
    small.close();
    expect(small.health).toMatchObject({ deferredWrites: 0, droppedWrites: 5 });
    expect(lines.at(-1)).toMatch(
      /^error persistence: 3 write\(s\) kept in memory were lost at shutdown/,
    );
    // Closed: a later write that fails is lost at once, nothing is scheduled.
    small.persist('insert', { id: 9, v: 'z'.repeat(3000) }, insert);
    expect(small.health).toMatchObject({ deferredWrites: 0, droppedWrites: 6 });
  });

  it('at shutdown with room again, what waits is written', () => {
    fillDisk();
    guard.persist('insert', { id: 1, v: 'w'.repeat(3000) }, insert);
    freeDisk();
    guard.close();
    expect(guard.health).toMatchObject({ ok: true, writtenLate: 1, droppedWrites: 0 });
    expect(db.prepare('SELECT count(*) FROM t WHERE id = 1').pluck().get()).toBe(1);
  });
});
