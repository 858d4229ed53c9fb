import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { CheckpointStore } from './checkpoint-store.js';
import { HistoryPruner, PRUNE_CHECKPOINT_BATCH_BYTES } from './history-pruner.js';
import type { IterationRecord } from './records.js';
import { RunStore } from './run-store.js';
import { UsageLedger } from './usage-ledger.js';

const iteration = (runId: string, n: number, finishedAt: number): IterationRecord => ({
  runId,
  attempt: 1,
  iteration: n,
  status: 'ok',
  durationMs: 1,
  summary: `i${n}`,
  error: null,
  usage: null,
  finishedAt,
});

describe('HistoryPruner (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  beforeEach(() => {
    dir = tempDir('x-prune-');
    store = new RunStore(`${dir.path}/x.db`);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const fill = (runId: string, count: number, finishedAt = Date.now()) =>
    store.database.transaction(() => {
      for (let n = 1; n <= count; n += 1) {
        store.recordIteration(iteration(runId, n, finishedAt));
      }
    })();

  it('deletes an expired run with 1 000 iterations and 250 turns in steps of at most 100 rows', () => {
    store.insertRun(runRecord('r-old', 'old', 1));
    fill('r-old', 1000);
    for (let n = 1; n <= 250; n += 1) {
      store.upsertTurn({
        runId: 'r-old',
        turnId: `t-${n}`,
        attempt: 1,
        input: null,
        status: 'ok',
        output: null,
        error: null,
        durationMs: 1,
        usage: null,
        submittedAt: n,
        finishedAt: n,
      });
    }
    store.upsertAttempt({
      runId: 'r-old',
      attempt: 1,
      pid: 1,
      pgid: 1,
      procStart: null,
      startedAt: 1,
      readyAt: 1,
      endedAt: 2,
      exit: null,
    });
    store.updateRun('r-old', { state: 'exited', endedAt: 10 });
    const steps = [
      ...new HistoryPruner(store.database, 100).pass({ iterationsBefore: 0, runsBefore: 20 }),
    ];
    expect(Math.max(...steps.map((step) => step.deleted))).toBe(100);
    const total = (table: string) =>
      steps.filter((step) => step.table === table).reduce((sum, step) => sum + step.deleted, 0);
    expect([total('iterations'), total('turns'), total('runs')]).toEqual([1000, 250, 1]);
    expect(store.getRun('r-old')).toBeUndefined();
    expect(store.attempts('r-old')).toEqual([]);
  });

  it('bounds active runs and runs ended since boundSince; an earlier-ended run is left as it is', () => {
    for (const [runId, state, endedAt] of [
      ['r-live', 'running', null],
      ['r-recent', 'exited', 5000],
      ['r-settled', 'exited', 1000],
    ] as const) {
      store.insertRun(runRecord(runId, runId, 1));
      fill(runId, 300);
      store.updateRun(runId, { state, endedAt });
    }
    const pruner = new HistoryPruner(store.database, 50);
    const rule = { iterationsBefore: 0, runsBefore: 0, maxPerRun: 100, boundSince: 4000 };
    expect(pruner.pruneAll(rule)).toMatchObject({ iterations: 400, runs: 0 });
    expect(['r-live', 'r-recent', 'r-settled'].map((id) => store.countIterations(id))).toEqual([
      100, 100, 300,
    ]);
    // Without boundSince (a daemon's first pass) every run is bounded.
    expect(pruner.pruneAll({ ...rule, boundSince: undefined })).toMatchObject({ iterations: 200 });
    expect(store.countIterations('r-settled')).toBe(100);
  });

  it('never deletes rows written while a pass is suspended between steps', () => {
    store.insertRun(runRecord('r-live', 'live', 1));
    store.updateRun('r-live', { state: 'running' });
    fill('r-live', 1000);
    const pass = new HistoryPruner(store.database, 100).pass({
      iterationsBefore: 0,
      runsBefore: 0,
      maxPerRun: 200,
    });
    let deleted = 0;
    // Run up to the first delete of the count bound, then write 50 newer iterations.
    for (let step = pass.next(); step.done !== true; step = pass.next()) {
      deleted += step.value.deleted;
      if (deleted > 0 && store.countIterations('r-live') === 900) {
        store.database.transaction(() => {
          for (let n = 1001; n <= 1050; n += 1) {
            store.recordIteration(iteration('r-live', n, Date.now()));
          }
        })();
      }
    }
    expect(deleted).toBe(800);
    expect(store.countIterations('r-live')).toBe(250);
    expect(store.recentIterations('r-live', 1)[0].iteration).toBe(1050);
    expect(store.getRun('r-live')).toMatchObject({ iterations: 1050 });
  });

  it("deletes an expired run's checkpoints and usage rows in batches before the run, the others' left", () => {
    const checkpoints = new CheckpointStore(store.database, { keep: 20 });
    const usage = new UsageLedger(store.database);
    // 1.5 MiB states: a 4 MiB batch holds two of them.
    const big = JSON.stringify('x'.repeat(1.5 * 1024 * 1024));
    for (const runId of ['r-old', 'r-other']) {
      store.insertRun(runRecord(runId, runId, 1));
      for (let n = 0; n < 7; n += 1) {
        checkpoints.save({ runId, attempt: 1, iteration: n, stateJson: big, savedAt: n });
      }
      for (let day = 0; day < 12; day += 1) {
        usage.record(runId, 1 + (day % 2), { inputTokens: 1, costUsd: 0.5 }, day * 86_400_000);
      }
    }
    store.updateRun('r-old', { state: 'failed', endedAt: 10 });
    store.updateRun('r-other', { state: 'exited', endedAt: 30 });
    const count = (table: string) =>
      (
        store.database
          .prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = 'r-old'`)
          .get() as { n: number }
      ).n;
    const left: [number, number, boolean][] = [];
    for (const step of new HistoryPruner(store.database, 5).pass({
      iterationsBefore: 0,
      runsBefore: 20,
    })) {
      left.push([count('agent_checkpoints'), count('agent_usage'), step.deleted === 1]);
    }
    const seqsLeft = left.map(([n]) => n).filter((n, i, all) => n !== all[i - 1]);
    expect(2 * 1.5 * 1024 * 1024).toBeLessThanOrEqual(PRUNE_CHECKPOINT_BATCH_BYTES);
    expect(seqsLeft).toEqual([7, 5, 3, 1, 0]);
    const usageLeft = left.map(([, n]) => n).filter((n, i, all) => n !== all[i - 1]);
    expect(usageLeft).toEqual([12, 7, 2, 0]);
    // The run itself goes last, once nothing of its own is left.
    expect(left.find(([, , runDeleted]) => runDeleted)).toEqual([0, 0, true]);
    expect(store.getRun('r-old')).toBeUndefined();
    expect(checkpoints.list('r-other')).toHaveLength(7);
    expect(usage.runTotals('r-other')).toMatchObject({ calls: 12, costUsd: 6 });
  });
});
