import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { CheckpointStore, type CheckpointInput } from './checkpoint-store.js';
import { RunStore } from './run-store.js';

const input = (over: Partial<CheckpointInput> = {}): CheckpointInput => ({
  runId: 'r-1',
  attempt: 1,
  iteration: 1,
  stateJson: '{"step":1}',
  savedAt: 1000,
  ...over,
});

describe('CheckpointStore (real SQLite file, the RunStore connection)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let store: CheckpointStore;
  beforeEach(() => {
    dir = tempDir('x-ckpt-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-1', 'one', 1));
    runs.insertRun(runRecord('r-2', 'two', 1));
    store = new CheckpointStore(runs.database);
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  it('numbers checkpoints 1, 2, 3 per run and returns their meta', () => {
    expect(store.save(input())).toEqual({
      runId: 'r-1',
      seq: 1,
      attempt: 1,
      iteration: 1,
      savedAt: 1000,
      bytes: 10,
    });
    expect(store.save(input({ iteration: null, savedAt: 2000 })).seq).toBe(2);
    expect(store.save(input({ runId: 'r-2' })).seq).toBe(1);
    expect(store.save(input({ attempt: 2, iteration: 0 }))).toMatchObject({ seq: 3, attempt: 2 });
  });

  it('keeps the newest 5; a seq is never reused after pruning', () => {
    for (let i = 1; i <= 12; i += 1) {
      store.save(input({ stateJson: JSON.stringify({ i }) }));
    }
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([12, 11, 10, 9, 8]);
    expect(store.get('r-1', 7)).toBeUndefined();
    expect(store.save(input()).seq).toBe(13);
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([13, 12, 11, 10, 9]);
    // A store opened later with another keep prunes to it at the next save.
    expect(new CheckpointStore(runs.database, { keep: 2 }).save(input()).seq).toBe(14);
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([14, 13]);
  });

  it('a save that fails takes no seq: the next one numbers and prunes as if it never ran', () => {
    for (let i = 1; i <= 6; i += 1) {
      store.save(input());
    }
    const database = runs.database;
    database.exec(`CREATE TEMP TRIGGER fail_big BEFORE INSERT ON agent_checkpoints
      WHEN NEW.bytes > 100 BEGIN SELECT RAISE(ABORT, 'disk full, pretend'); END`);
    expect(() => store.save(input({ stateJson: JSON.stringify('x'.repeat(200)) }))).toThrow(
      /pretend/,
    );
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([6, 5, 4, 3, 2]);
    expect(store.save(input()).seq).toBe(7);
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([7, 6, 5, 4, 3]);
  });

  it('newest and get parse the state; a run without checkpoints, or an unknown seq, gives undefined', () => {
    store.save(input({ stateJson: '{"todo":["a","b"]}' }));
    store.save(input({ stateJson: '[1,2,3]', iteration: 7, savedAt: 5000 }));
    expect(store.newest('r-1')).toEqual({
      runId: 'r-1',
      seq: 2,
      attempt: 1,
      iteration: 7,
      savedAt: 5000,
      bytes: 7,
      state: [1, 2, 3],
    });
    expect(store.get('r-1', 1)?.state).toEqual({ todo: ['a', 'b'] });
    expect(store.get('r-1', 3)).toBeUndefined();
    expect(store.newest('r-2')).toBeUndefined();
    expect(store.list('r-2')).toEqual([]);
  });

  it('bytes are UTF-8 bytes: a 256 KiB state with multi-byte characters round-trips', () => {
    const state = { text: 'é'.repeat(64 * 1024), emoji: '🙂'.repeat(32 * 1024) };
    const json = JSON.stringify(state);
    const meta = store.save(input({ stateJson: json }));
    expect(meta.bytes).toBe(Buffer.byteLength(json));
    expect(meta.bytes).toBeGreaterThan(256 * 1024);
    expect(store.newest('r-1')?.state).toEqual(state);
  });

  it('copyTo: the newest or a given seq becomes the target run’s seq 1, attempt 0, iteration null', () => {
    store.save(input({ stateJson: '{"v":1}' }));
    store.save(input({ stateJson: '{"v":2}', attempt: 3, iteration: 9 }));
    expect(store.copyTo('r-1', undefined, 'r-2', 7000)).toEqual({
      runId: 'r-2',
      seq: 1,
      attempt: 0,
      iteration: null,
      savedAt: 7000,
      bytes: 7,
    });
    expect(store.newest('r-2')?.state).toEqual({ v: 2 });
    expect(store.copyTo('r-1', 1, 'r-2', 8000)?.seq).toBe(2);
    expect(store.newest('r-2')?.state).toEqual({ v: 1 });
    // The source is left as it was.
    expect(store.list('r-1').map((meta) => meta.seq)).toEqual([2, 1]);
  });

  it('copyTo from a run without checkpoints, or an unknown seq, writes nothing', () => {
    expect(store.copyTo('r-2', undefined, 'r-1', 1)).toBeUndefined();
    store.save(input({ runId: 'r-2' }));
    expect(store.copyTo('r-2', 5, 'r-1', 1)).toBeUndefined();
    expect(store.list('r-1')).toEqual([]);
  });

  it('a save for a run not in agent_runs throws the foreign-key error and writes nothing', () => {
    expect(() => store.save(input({ runId: 'r-missing' }))).toThrow(/FOREIGN KEY/);
    expect(() => store.copyTo('r-1', undefined, 'r-missing', 1)).not.toThrow(); // nothing to copy
    store.save(input());
    expect(() => store.copyTo('r-1', undefined, 'r-missing', 1)).toThrow(/FOREIGN KEY/);
    expect(store.list('r-missing')).toEqual([]);
  });

  it('commits with synchronous = FULL and restores NORMAL after, also after a failure', () => {
    const database = runs.database;
    const seen: number[] = [];
    // A SQL function called inside the save's transaction reads the setting in force.
    database.function('probe_sync', (level) => {
      seen.push(level as number);
      return 1;
    });
    database.exec(`CREATE TEMP TRIGGER probe AFTER INSERT ON agent_checkpoints
      BEGIN SELECT probe_sync((SELECT synchronous FROM pragma_synchronous)); END`);
    store.save(input());
    expect(seen).toEqual([2]);
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
    expect(() => store.save(input({ runId: 'r-missing' }))).toThrow();
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('refuses to save inside an open transaction (its commit would decide durability)', () => {
    expect(() => runs.database.transaction(() => store.save(input()))()).toThrow(
      /outside a transaction/,
    );
    expect(store.list('r-1')).toEqual([]);
  });

  it('keep must be an integer ≥ 1', () => {
    for (const keep of [0, -1, 1.5, Number.NaN]) {
      expect(() => new CheckpointStore(runs.database, { keep })).toThrow(RangeError);
    }
  });

  it('checkpoints survive closing the database, and go with their run', () => {
    store.save(input({ stateJson: '{"kept":true}' }));
    runs.close();
    runs = new RunStore(`${dir.path}/x.db`);
    store = new CheckpointStore(runs.database);
    expect(store.newest('r-1')?.state).toEqual({ kept: true });
    runs.database.prepare("DELETE FROM agent_runs WHERE run_id = 'r-1'").run();
    expect(store.list('r-1')).toEqual([]);
  });
});
