import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { PersistenceGuard } from '../persistence/persistence-guard.js';
import { RecordStore } from '../persistence/record-store.js';
import { RunStore } from '../persistence/run-store.js';
import { silentLogger } from '../process/logger.js';
import { RunRecords } from './run-records.js';

describe('RunRecords (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let guard: PersistenceGuard;
  let records: RunRecords;
  beforeEach(() => {
    dir = tempDir('x-runrec-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-1', 'one', 1));
    guard = new PersistenceGuard(silentLogger);
    records = new RunRecords({
      runId: 'r-1',
      records: new RecordStore(runs.database),
      persistence: guard,
      maxBytes: 100,
    });
  });
  afterEach(() => {
    guard.close();
    runs.close();
    dir.remove();
  });

  const put = (value: unknown) => ({
    type: 'store' as const,
    requestId: 's-1',
    ops: [{ op: 'put' as const, ns: 'n', key: 'k', value }],
  });

  it('answers ok with one result per operation and the bytes used', () => {
    expect(records.answer(put(1))).toEqual({
      type: 'store_result',
      requestId: 's-1',
      ok: true,
      results: [{ op: 'put', written: true }],
      usedBytes: 3,
    });
  });

  it('a request over the cap is refused without degrading persistence', () => {
    const answer = records.answer(put('x'.repeat(200)));
    expect(answer).toMatchObject({
      ok: false,
      error: expect.stringMatching(/over its cap of 100/),
    });
    expect(guard.degraded).toBe(false);
  });

  it('a delete with both key and prefix is refused, naming the operation', () => {
    const answer = records.answer({
      type: 'store',
      requestId: 's-2',
      ops: [{ op: 'delete', ns: 'n', key: 'k', prefix: '' }],
    });
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining('ops[0] (delete)') });
  });

  it('refuses everything while persistence is degraded: nothing acknowledged that is not on disk', () => {
    guard.write(
      'store events',
      () => {
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
      undefined,
    );
    expect(guard.degraded).toBe(true);
    expect(records.answer(put(1))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/persistence is failing \(.*disk is full/),
    });
    expect(runs.database.prepare('SELECT count(*) FROM agent_records').pluck().get()).toBe(0);
  });
});
