import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreOp } from '@x/ipc';
import { runRecord, tempDir } from '../../test/helpers.js';
import { RecordStore } from './record-store.js';
import { RunStore } from './run-store.js';
import { ThreadRecords } from './thread-records.js';

const MiB = 1024 * 1024;
const NS = 'langgraph';

/** Ids as LangGraph's uuid6: time-ordered text. */
const ID = (n: number) => `1f0-${String(n).padStart(4, '0')}`;

/**
 * The records a saver of the thread layout writes for `steps` checkpoints of `thread`:
 * checkpoint n reads channel `a` at version n and `b` at version 1; each has one pending
 * write.
 */
function thread(thread: string, steps: number, ns = ''): StoreOp[] {
  const t = encodeURIComponent(thread);
  const n = encodeURIComponent(ns);
  const ops: StoreOp[] = [{ op: 'put', ns: NS, key: `b/${t}/${n}/b/1`, value: 'b1' }];
  for (let step = 1; step <= steps; step += 1) {
    ops.push(
      { op: 'put', ns: NS, key: `b/${t}/${n}/a/${step}`, value: `a${step}` },
      {
        op: 'put',
        ns: NS,
        key: `c/${t}/${n}/${ID(step)}`,
        value: {
          checkpoint: { opaque: true },
          ...(step > 1 ? { parent: ID(step - 1) } : {}),
          ts: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString(),
          step: step - 2,
          source: step === 1 ? 'input' : 'loop',
          versions: { a: step, b: 1 },
        },
      },
      { op: 'put', ns: NS, key: `w/${t}/${n}/${ID(step)}/task/0`, value: `w${step}` },
    );
  }
  return ops;
}

describe('ThreadRecords (real SQLite file, the thread layout of the record store)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let records: RecordStore;
  let threads: ThreadRecords;
  const keys = (runId: string) =>
    runs.database
      .prepare('SELECT key FROM agent_records WHERE run_id = ? ORDER BY key')
      .pluck()
      .all(runId) as string[];

  beforeEach(() => {
    dir = tempDir('x-threads-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-src', 'src', 1));
    records = new RecordStore(runs.database);
    threads = new ThreadRecords(runs.database);
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  it('lists checkpoints newest first with step, source, time and bytes (record + values + writes); other keys are not listed', () => {
    records.apply('r-src', thread('r-src', 3), MiB);
    records.apply('r-src', [{ op: 'put', ns: 'demo', key: 'c/not/a-checkpoint', value: 1 }], MiB);
    const page = threads.list('r-src', { limit: 10 });
    expect(page.nextCursor).toBeUndefined();
    expect(page.checkpoints.map((c) => [c.checkpointId, c.step, c.source, c.parentId])).toEqual([
      [ID(3), 1, 'loop', ID(2)],
      [ID(2), 0, 'loop', ID(1)],
      [ID(1), -1, 'input', null],
    ]);
    const [newest] = page.checkpoints;
    expect(newest).toMatchObject({ store: NS, threadId: 'r-src', checkpointNs: '' });
    expect(newest?.savedAt).toBe(Date.UTC(2026, 0, 1, 0, 0, 3));
    const size = (key: string) =>
      runs.database
        .prepare('SELECT bytes FROM agent_records WHERE key = ?')
        .pluck()
        .get(key) as number;
    expect(newest?.bytes).toBe(
      size(`c/r-src//${ID(3)}`) +
        size('b/r-src//a/3') +
        size('b/r-src//b/1') +
        size(`w/r-src//${ID(3)}/task/0`),
    );
  });

  it('pages with a cursor across threads and namespaces, none repeated or skipped; a bad cursor is a RangeError', () => {
    records.apply('r-src', [...thread('r-src', 3), ...thread('other', 2, 'sub:1')], MiB);
    records.apply(
      'r-src',
      thread('x', 2).map((op) => ({ ...op, ns: 'second' })),
      MiB,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = threads.list('r-src', { limit: 2, cursor });
      seen.push(...page.checkpoints.map((c) => `${c.store}:${c.threadId}:${c.checkpointId}`));
      cursor = page.nextCursor;
      if (cursor === undefined) {
        break;
      }
    }
    expect(seen).toEqual([
      `second:x:${ID(2)}`,
      `second:x:${ID(1)}`,
      `${NS}:r-src:${ID(3)}`,
      `${NS}:r-src:${ID(2)}`,
      `${NS}:r-src:${ID(1)}`,
      `${NS}:other:${ID(2)}`,
      `${NS}:other:${ID(1)}`,
    ]);
    expect(() => threads.list('r-src', { limit: 2, cursor: 'nope' })).toThrow(
      /not one agent.checkpoints returned/,
    );
  });

  it('copies the thread up to a middle checkpoint: earlier checkpoints, their writes and values, re-keyed to the new run; nothing later, not its own writes (the next step runs again)', () => {
    records.apply('r-src', [...thread('r-src', 4), ...thread('kept-name', 1)], MiB);
    const [middle] = threads.find('r-src', ID(2));
    expect(middle).toMatchObject({ threadId: 'r-src', checkpointId: ID(2) });
    const copy = threads.copy('r-src', middle, 'r-new', {
      maxBytes: MiB,
      before: () => runs.insertRun(runRecord('r-new', 'new', 1)),
    });
    expect(copy).toMatchObject({ threadId: 'r-new', records: 6 });
    expect(keys('r-new')).toEqual([
      'b/r-new//a/1',
      'b/r-new//a/2',
      'b/r-new//b/1',
      `c/r-new//${ID(1)}`,
      `c/r-new//${ID(2)}`,
      `w/r-new//${ID(1)}/task/0`,
    ]);
    expect(new RecordStore(runs.database).usedBytes('r-new')).toBe(copy.bytes);
    // The copy lists as the source did, under the new thread.
    expect(threads.list('r-new', { limit: 10 }).checkpoints.map((c) => c.checkpointId)).toEqual([
      ID(2),
      ID(1),
    ]);
  });

  it('a thread not named after the source run keeps its name; one without versions gets every value of its namespace', () => {
    const ops = thread('support-7', 3).map((op) =>
      op.op === 'put' && op.key.startsWith('c/')
        ? { ...op, value: { checkpoint: {}, step: 1 } }
        : op,
    );
    records.apply('r-src', ops, MiB);
    const [first] = threads.find('r-src', ID(1));
    runs.insertRun(runRecord('r-new', 'new', 1));
    threads.copy('r-src', first, 'r-new', { maxBytes: MiB });
    expect(keys('r-new')).toEqual([
      'b/support-7//a/1',
      'b/support-7//a/2',
      'b/support-7//a/3',
      'b/support-7//b/1',
      `c/support-7//${ID(1)}`,
    ]);
  });

  it("the newest checkpoint keeps its pending writes (a step's progress, as a restart would); a later one in another namespace does not count", () => {
    records.apply('r-src', [...thread('r-src', 2), ...thread('r-src', 3, 'sub:1')], MiB);
    const [newest] = threads.find('r-src', ID(2)).filter((c) => c.checkpointNs === '');
    runs.insertRun(runRecord('r-new', 'new', 1));
    threads.copy('r-src', newest, 'r-new', { maxBytes: MiB });
    expect(keys('r-new').filter((key) => key.startsWith('w/'))).toEqual([
      `w/r-new//${ID(1)}/task/0`,
      `w/r-new//${ID(2)}/task/0`,
      `w/r-new/sub%3A1/${ID(1)}/task/0`,
      `w/r-new/sub%3A1/${ID(2)}/task/0`,
    ]);
  });

  it('refuses a copy over the cap and writes nothing, not even what `before` wrote', () => {
    records.apply('r-src', thread('r-src', 3), MiB);
    const [newest] = threads.find('r-src', ID(3));
    expect(() =>
      threads.copy('r-src', newest, 'r-new', {
        maxBytes: 100,
        before: () => runs.insertRun(runRecord('r-new', 'new', 1)),
      }),
    ).toThrow(/over a run's cap of 100 bytes/);
    expect(runs.getRun('r-new')).toBeUndefined();
    expect(keys('r-new')).toEqual([]);
  });

  it('find: an unknown id finds nothing; ids are matched as encoded key parts', () => {
    records.apply('r-src', thread('r-src', 2), MiB);
    expect(threads.find('r-src', 'nope')).toEqual([]);
    expect(threads.find('r-src', ID(1).slice(1))).toEqual([]);
    expect(threads.find('r-other', ID(1))).toEqual([]);
  });
});
