import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { HistoryPruner } from './history-pruner.js';
import { RecordStore, RecordsRefusal, successor } from './record-store.js';
import { RunRemoval } from './run-removal.js';
import { RunStore } from './run-store.js';

const MiB = 1024 * 1024;

describe('RecordStore (real SQLite file, the RunStore connection)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let store: RecordStore;
  beforeEach(() => {
    dir = tempDir('x-records-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-1', 'one', 1));
    runs.insertRun(runRecord('r-2', 'two', 1));
    store = new RecordStore(runs.database);
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  it('puts, gets and counts bytes of namespace, key and JSON value', () => {
    const put = store.apply('r-1', [{ op: 'put', ns: 'n', key: 'k', value: { a: [1, 'é'] } }], MiB);
    // 'n' 1 + 'k' 1 + '{"a":[1,"é"]}' 14 bytes (é is 2)
    expect(put).toEqual({ results: [{ op: 'put', written: true }], usedBytes: 16 });
    expect(store.apply('r-1', [{ op: 'get', ns: 'n', key: 'k' }], MiB).results).toEqual([
      { op: 'get', found: true, value: { a: [1, 'é'] } },
    ]);
    expect(store.apply('r-2', [{ op: 'get', ns: 'n', key: 'k' }], MiB).results).toEqual([
      { op: 'get', found: false },
    ]);
  });

  it('ifAbsent: the first write wins; a plain put replaces and recounts', () => {
    const ops = (value: unknown, ifAbsent?: boolean) => [
      { op: 'put' as const, ns: 'w', key: 'task/0', value, ...(ifAbsent ? { ifAbsent } : {}) },
    ];
    store.apply('r-1', ops('first'), MiB);
    expect(store.apply('r-1', ops('second', true), MiB).results).toEqual([
      { op: 'put', written: false },
    ]);
    const replaced = store.apply('r-1', ops('third!'), MiB);
    expect(replaced.usedBytes).toBe(1 + 6 + 8);
    expect(store.apply('r-1', [{ op: 'get', ns: 'w', key: 'task/0' }], MiB).results[0]).toEqual({
      op: 'get',
      found: true,
      value: 'third!',
    });
  });

  it('lists by prefix in key order, both ways, in pages with after/before', () => {
    const keys = ['a/1', 'a/2', 'a/3', 'ab', 'b/1'];
    store.apply(
      'r-1',
      keys.map((key) => ({ op: 'put' as const, ns: 'n', key, value: key })),
      MiB,
    );
    const list = (op: Record<string, unknown>) =>
      store.apply('r-1', [{ op: 'list', ns: 'n', ...op }], MiB).results[0];
    expect(list({ prefix: 'a/' })).toMatchObject({
      entries: [{ key: 'a/1', value: 'a/1' }, { key: 'a/2' }, { key: 'a/3' }],
      more: false,
    });
    expect(list({ prefix: 'a/', reverse: true, limit: 2 })).toMatchObject({
      entries: [{ key: 'a/3' }, { key: 'a/2' }],
      more: true,
    });
    expect(list({ prefix: 'a/', reverse: true, before: 'a/2' })).toMatchObject({
      entries: [{ key: 'a/1' }],
      more: false,
    });
    expect(list({ after: 'a/3', keysOnly: true })).toEqual({
      op: 'list',
      entries: [
        { key: 'ab', bytes: 1 + 2 + 4 },
        { key: 'b/1', bytes: 1 + 3 + 5 },
      ],
      more: false,
    });
  });

  it('deletes by key and by prefix, and frees their bytes', () => {
    const put = (key: string) => ({ op: 'put' as const, ns: 't', key, value: 0 });
    const { usedBytes } = store.apply('r-1', [put('x/1'), put('x/2'), put('y/1')], MiB);
    expect(usedBytes).toBe(3 * (1 + 3 + 1));
    const deleted = store.apply(
      'r-1',
      [
        { op: 'delete', ns: 't', prefix: 'x/' },
        { op: 'delete', ns: 't', key: 'nope' },
      ],
      MiB,
    );
    expect(deleted).toEqual({
      results: [
        { op: 'delete', deleted: 2 },
        { op: 'delete', deleted: 0 },
      ],
      usedBytes: 5,
    });
  });

  it('a request over the run cap is refused whole, naming the sizes; nothing is dropped', () => {
    store.apply('r-1', [{ op: 'put', ns: 'n', key: 'old', value: 'x'.repeat(50) }], 100);
    const over = () =>
      store.apply(
        'r-1',
        [
          { op: 'put', ns: 'n', key: 'new1', value: 1 },
          { op: 'put', ns: 'n', key: 'new2', value: 'y'.repeat(50) },
        ],
        100,
      );
    expect(over).toThrow(RecordsRefusal);
    expect(over).toThrow(/would take 119 bytes, over its cap of 100 bytes/);
    const listed = store.apply('r-1', [{ op: 'list', ns: 'n', keysOnly: true }], 100);
    expect(listed.results[0]).toMatchObject({ entries: [{ key: 'old' }] });
    expect(listed.usedBytes).toBe(56);
  });

  it("records go with their run: RunRemoval and HistoryPruner's expired runs", () => {
    store.apply('r-1', [{ op: 'put', ns: 'n', key: 'k', value: 1 }], MiB);
    store.apply('r-2', [{ op: 'put', ns: 'n', key: 'k', value: 2 }], MiB);
    expect(new RunRemoval(runs.database).remove('r-1')).toMatchObject({ records: 1 });
    runs.database.prepare("UPDATE agent_runs SET state = 'exited', ended_at = 1").run();
    new HistoryPruner(runs.database).pruneAll({ iterationsBefore: 0, runsBefore: 10 });
    const left = runs.database.prepare('SELECT count(*) FROM agent_records').pluck().get();
    expect(left).toBe(0);
  });

  it('successor: the least string above every string with the prefix', () => {
    expect(successor('a/')).toBe('a0');
    expect(successor('a\u{10FFFF}')).toBe('b');
    expect(successor('\uD7FF')).toBe('\uE000');
    expect(successor('').length).toBeGreaterThan(1024);
  });
});
