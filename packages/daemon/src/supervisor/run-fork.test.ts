import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError, type StoreOp } from '@x/ipc';
import { runRecord, tempDir } from '../../test/helpers.js';
import { CheckpointStore } from '../persistence/checkpoint-store.js';
import { PersistenceGuard } from '../persistence/persistence-guard.js';
import { RecordStore } from '../persistence/record-store.js';
import { RunStore } from '../persistence/run-store.js';
import { ThreadRecords } from '../persistence/thread-records.js';
import { silentLogger } from '../process/logger.js';
import { RunFork } from './run-fork.js';

const MiB = 1024 * 1024;

/** A checkpoint `id` of `thread` (thread layout) reading channel `a` at version 1. */
const checkpoint = (thread: string, id: string, ns = 'langgraph'): StoreOp[] => [
  { op: 'put', ns, key: `b/${thread}//a/1`, value: 'x'.repeat(100) },
  { op: 'put', ns, key: `c/${thread}//${id}`, value: { step: 0, versions: { a: 1 } } },
];

/** The JSON-RPC code of what `fn` throws. */
function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof RpcError ? error.code : -1;
  }
  return undefined;
}

describe('RunFork (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let records: RecordStore;
  let fork: RunFork;
  const deps = (maxBytes: number) => ({
    store,
    persistence: new PersistenceGuard(silentLogger),
    checkpoints: new CheckpointStore(store.database),
    records,
    threads: new ThreadRecords(store.database),
    recordsMaxBytes: maxBytes,
    find: (ref: string) => store.getRun(ref) ?? store.latestByName(ref),
  });

  beforeEach(() => {
    dir = tempDir('x-fork-');
    store = new RunStore(`${dir.path}/x.db`);
    store.insertRun(runRecord('r-src', 'src', 1));
    records = new RecordStore(store.database);
    records.apply('r-src', checkpoint('r-src', '1f0-a'), MiB);
    fork = new RunFork(deps(MiB));
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('resolves a thread checkpoint by id and stores the run with its thread, renamed after it', () => {
    const source = fork.resolve({ runId: 'src', checkpointId: '1f0-a' });
    expect(source).toMatchObject({ kind: 'thread', runId: 'r-src' });
    const record = { ...runRecord('r-new', 'new', 1) };
    expect(fork.origin(source!, 'r-new')).toEqual({
      runId: 'r-src',
      checkpointId: '1f0-a',
      sourceThreadId: 'r-src',
      threadId: 'r-new',
    });
    fork.create(record, source!);
    expect(store.getRun('r-new')).toBeDefined();
    expect(records.usedBytes('r-new')).toBe(records.usedBytes('r-src'));
  });

  it.each([
    ['a seq and a checkpoint id', { runId: 'src', seq: 1, checkpointId: '1f0-a' }, -32602],
    ['an unknown run', { runId: 'nobody', checkpointId: '1f0-a' }, -32001],
    ['an unknown checkpoint id', { runId: 'src', checkpointId: '1f0-b' }, -32026],
    ['no ctx.checkpoint', { runId: 'src' }, -32026],
  ])('refuses %s', (_, from, code) => {
    expect(codeOf(() => fork.resolve(from))).toBe(code);
  });

  it('refuses an id held by two threads, naming them', () => {
    records.apply('r-src', checkpoint('other', '1f0-a', 'mine'), MiB);
    expect(() => fork.resolve({ runId: 'src', checkpointId: '1f0-a' })).toThrow(
      /checkpoint 1f0-a in 2 threads \(mine:other, langgraph:r-src\)/,
    );
  });

  it('refuses a copy over the record cap (-32602) and stores no run', () => {
    const small = new RunFork(deps(150));
    const source = small.resolve({ runId: 'src', checkpointId: '1f0-a' });
    expect(codeOf(() => small.create(runRecord('r-new', 'new', 1), source!))).toBe(-32602);
    expect(store.getRun('r-new')).toBeUndefined();
  });
});
