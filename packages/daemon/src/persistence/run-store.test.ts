import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { SQLITE_CACHE_KIB } from '../constants.js';
import { DEFAULT_RESTART_POLICY } from '../supervisor/restart-policy.js';
import type { IterationRecord } from './records.js';
import { RunStore } from './run-store.js';
import { MIGRATIONS } from './schema.js';

const iteration = (over: Partial<IterationRecord> = {}): IterationRecord => ({
  runId: 'r-1',
  attempt: 1,
  iteration: 1,
  status: 'ok',
  durationMs: 5,
  summary: 'first',
  error: null,
  usage: null,
  finishedAt: 1,
  ...over,
});

describe('RunStore (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  beforeEach(() => {
    dir = tempDir('x-store-');
    store = new RunStore(`${dir.path}/x.db`);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('opens in WAL mode with a 0600 file, at the latest schema version', () => {
    const db = new Database(`${dir.path}/x.db`, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    expect(statSync(`${dir.path}/x.db`).mode & 0o777).toBe(0o600);
  });

  it("bounds its page cache to SQLITE_CACHE_KIB, not better-sqlite3's 16 000 KiB", () => {
    // The cache grows with the tables up to this cap: the daemon's RSS under a restart storm.
    expect(store.database.pragma('cache_size', { simple: true })).toBe(-SQLITE_CACHE_KIB);
  });

  it('round-trips a run, its restart fields and its exit with evidence', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    const exit = {
      reason: 'crashed' as const,
      stopPhase: null,
      explanation: 'crashed with exit code 3',
      exitCode: 3,
      signal: null,
      stderrTail: 'bye',
      evidence: { uptimeMs: 5 },
    };
    store.updateRun('r-1', {
      state: 'backoff',
      pid: 42,
      attempt: 2,
      restarts: 1,
      nextRestartAt: 5000,
      lastReasons: [{ attempt: 1, reason: 'crashed', at: 4000 }],
      exit,
    });
    expect(store.getRun('r-1')).toMatchObject({
      state: 'backoff',
      pid: 42,
      attempt: 2,
      restarts: 1,
      nextRestartAt: 5000,
      lastReasons: [{ attempt: 1, reason: 'crashed', at: 4000 }],
      exit,
      options: { restart: DEFAULT_RESTART_POLICY },
    });
  });

  it('records attempts with pid, process start time and exit', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    const attempt = {
      runId: 'r-1',
      attempt: 1,
      pid: 7,
      pgid: 7,
      procStart: 123,
      startedAt: 1,
      readyAt: 2,
      endedAt: null,
      exit: null,
    };
    store.upsertAttempt(attempt);
    const exit = {
      reason: 'signaled' as const,
      stopPhase: null,
      explanation: 'x',
      exitCode: null,
      signal: 'SIGKILL',
      evidence: { a: 1 },
    };
    store.upsertAttempt({ ...attempt, endedAt: 3, exit });
    store.upsertAttempt({ ...attempt, attempt: 2, pid: 8, procStart: 456 });
    expect(store.attempts('r-1')).toEqual([
      { ...attempt, endedAt: 3, exit },
      { ...attempt, attempt: 2, pid: 8, procStart: 456 },
    ]);
  });

  it('records an iteration once per (run, attempt, iteration); a replay is ignored', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    expect(store.recordIteration(iteration({ usage: { inputTokens: 10 } }))).toBe(true);
    expect(store.recordIteration(iteration({ summary: 'replayed' }))).toBe(false);
    // The same number in the next attempt is another iteration.
    expect(store.recordIteration(iteration({ attempt: 2, summary: 'second attempt' }))).toBe(true);
    expect(store.countIterations('r-1')).toBe(2);
    expect(store.getRun('r-1')).toMatchObject({ iterations: 2, lastSummary: 'second attempt' });
    expect(store.recentIterations('r-1', 10).map((i) => [i.attempt, i.iteration, i.usage])).toEqual(
      [
        [2, 1, null],
        [1, 1, { inputTokens: 10 }],
      ],
    );
  });

  it('keeps what a failed iteration or turn threw, whole (migration 6)', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    const thrown = {
      name: 'TypeError',
      message: 'x is not a function',
      stack: 'TypeError: x is not a function\n    at step (/a/agent.mjs:3:7)',
      code: 'E_X',
    };
    store.recordIteration(
      iteration({ status: 'error', error: 'TypeError: x is not a function', errorDetail: thrown }),
    );
    store.recordIteration(iteration({ iteration: 2 }));
    const [second, first] = store.recentIterations('r-1', 10);
    expect(first.errorDetail).toEqual(thrown);
    expect(second.errorDetail).toBeUndefined();
    store.upsertTurn({
      runId: 'r-1',
      turnId: 't-1',
      attempt: 1,
      input: null,
      status: 'error',
      output: null,
      error: 'TypeError: x is not a function',
      errorDetail: thrown,
      durationMs: 1,
      usage: null,
      submittedAt: 1,
      finishedAt: 2,
    });
    expect(store.getTurn('r-1', 't-1')?.errorDetail).toEqual(thrown);
  });

  it('lists active runs and the most recent terminal ones, newest first', () => {
    for (let i = 0; i < 5; i += 1) {
      store.insertRun(runRecord(`r-${i}`, `n${i}`, 1000 + i));
      if (i < 4) {
        store.updateRun(`r-${i}`, { state: i % 2 === 0 ? 'exited' : 'failed' });
      }
    }
    expect(store.listRuns(2).map((r) => r.runId)).toEqual(['r-4', 'r-3', 'r-2']);
    expect(store.listRuns(null)).toHaveLength(5);
    expect(store.activeRuns().map((r) => r.runId)).toEqual(['r-4']);
  });

  it('finds the latest run by name', () => {
    store.insertRun(runRecord('r-old', 'probe', 1000));
    store.insertRun(runRecord('r-new', 'probe', 2000));
    expect(store.latestByName('probe')?.runId).toBe('r-new');
  });

  it('prunes old iterations of every run, active ones included, and old terminal runs, never an active run', () => {
    store.insertRun(runRecord('r-done', 'a', 1000));
    store.insertRun(runRecord('r-live', 'b', 1000));
    store.recordIteration(iteration({ runId: 'r-done', finishedAt: 10 }));
    store.recordIteration(iteration({ runId: 'r-live', finishedAt: 10 }));
    store.recordIteration(iteration({ runId: 'r-live', iteration: 2, finishedAt: 200 }));
    store.updateRun('r-done', { state: 'exited', endedAt: 20 });
    expect(store.prune({ iterationsBefore: 100, runsBefore: 15 })).toEqual({
      iterations: 2,
      runs: 0,
      turns: 0,
      permissions: 0,
    });
    expect(store.recentIterations('r-live', 10).map((i) => i.iteration)).toEqual([2]);
    // The run's total counts every iteration, pruned or not.
    expect(store.getRun('r-live')).toMatchObject({ iterations: 2 });
    expect(store.prune({ iterationsBefore: 0, runsBefore: Number.MAX_SAFE_INTEGER })).toEqual({
      iterations: 0,
      runs: 1,
      turns: 0,
      permissions: 0,
    });
    expect(store.getRun('r-done')).toBeUndefined();
    expect(store.getRun('r-live')).toBeDefined();
  });

  it('bounds an active run to its newest N iterations across attempts, and its total stays right', () => {
    store.insertRun(runRecord('r-fast', 'fast', 1000));
    store.insertRun(runRecord('r-slow', 'slow', 1000));
    store.updateRun('r-fast', { state: 'running' });
    store.updateRun('r-slow', { state: 'running' });
    // 3 000 iterations in attempt 1, then 2 000 in attempt 2 (numbered from 1 again), all recent.
    const now = Date.now();
    const insert = store.database.transaction(() => {
      for (let i = 1; i <= 5000; i += 1) {
        const attempt = i <= 3000 ? 1 : 2;
        const n = attempt === 1 ? i : i - 3000;
        store.recordIteration(
          iteration({ runId: 'r-fast', attempt, iteration: n, finishedAt: now }),
        );
      }
      for (let i = 1; i <= 50; i += 1) {
        store.recordIteration(iteration({ runId: 'r-slow', iteration: i, finishedAt: now }));
      }
    });
    insert();
    const rule = { iterationsBefore: 0, runsBefore: 0, maxPerRun: 2500 };
    expect(store.prune(rule)).toMatchObject({ iterations: 2500, runs: 0 });
    expect(store.countIterations('r-fast')).toBe(2500);
    const newest = store.recentIterations('r-fast', 2500);
    expect([newest[0].attempt, newest[0].iteration]).toEqual([2, 2000]);
    expect([newest[2499].attempt, newest[2499].iteration]).toEqual([1, 2501]);
    expect(store.countIterations('r-slow')).toBe(50);
    expect(store.getRun('r-fast')).toMatchObject({ iterations: 5000, lastSummary: 'first' });
    // More arrive; the next pass trims back to the bound, and a pass with nothing over it deletes nothing.
    for (let i = 2001; i <= 2100; i += 1) {
      store.recordIteration(
        iteration({ runId: 'r-fast', attempt: 2, iteration: i, finishedAt: now }),
      );
    }
    expect(store.prune(rule)).toMatchObject({ iterations: 100 });
    expect(store.countIterations('r-fast')).toBe(2500);
    expect(store.recentIterations('r-fast', 1)[0]).toMatchObject({ attempt: 2, iteration: 2100 });
    expect(store.prune(rule)).toMatchObject({ iterations: 0 });
    expect(store.getRun('r-fast')).toMatchObject({ iterations: 5100 });
  });

  it('reports its disk use: the file plus the WAL', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    const wal = statSync(`${dir.path}/x.db-wal`).size;
    expect(wal).toBeGreaterThan(0);
    expect(store.diskBytes()).toBe(statSync(`${dir.path}/x.db`).size + wal);
  });

  it('survives reopening: data written before close is there', () => {
    store.insertRun(runRecord('r-1', 'probe', 1000));
    store.recordIteration(iteration());
    store.close();
    store = new RunStore(`${dir.path}/x.db`);
    expect(store.countIterations('r-1')).toBe(1);
  });

  it('migrates a version-1 database, keeping its runs and iterations', () => {
    store.close();
    const path = `${dir.path}/old.db`;
    const old = new Database(path);
    old.exec(MIGRATIONS[0]);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO agent_runs (run_id, name, module, params, options, launcher, state, created_at, iterations)
       VALUES ('r-v1', 'old', '/a.mjs', '{}', '{"intervalMs":1}', 'subprocess', 'exited', 1, 1)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO agent_iterations (run_id, iteration, status, duration_ms, finished_at) VALUES ('r-v1', 1, 'ok', 1, 1)`,
      )
      .run();
    old.close();
    store = new RunStore(path);
    expect(store.getRun('r-v1')).toMatchObject({ attempt: 1, restarts: 0, lastReasons: [] });
    expect(store.recentIterations('r-v1', 5)).toMatchObject([{ attempt: 1, iteration: 1 }]);
  });
});
