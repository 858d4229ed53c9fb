import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { RunStore, type RunRecord } from './run-store.js';

const run = (
  runId: string,
  name: string,
  createdAt: number,
): Parameters<RunStore['insertRun']>[0] => ({
  runId,
  name,
  module: '/tmp/agent.mjs',
  params: { url: 'http://localhost' },
  options: {
    command: null,
    intervalMs: 100,
    maxIterations: null,
    stopBudget: { ipcMs: 2000, sigtermMs: 3000 },
    codec: 'jsonl',
    cwd: '/tmp',
  },
  launcher: 'subprocess',
  state: 'starting',
  createdAt,
  logPath: null,
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

  it('opens in WAL mode with a 0600 file', () => {
    const db = new Database(`${dir.path}/x.db`, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(statSync(`${dir.path}/x.db`).mode & 0o777).toBe(0o600);
  });

  it('round-trips a run and its exit', () => {
    store.insertRun(run('r-1', 'probe', 1000));
    store.updateRun('r-1', {
      state: 'exited',
      pid: 42,
      endedAt: 2000,
      exit: {
        reason: 'stopped',
        stopPhase: 'ipc',
        explanation: 'stopped',
        exitCode: 0,
        signal: null,
        stderrTail: 'bye',
      },
    });
    const stored = store.getRun('r-1') as RunRecord;
    expect(stored).toMatchObject({
      runId: 'r-1',
      name: 'probe',
      state: 'exited',
      pid: 42,
      endedAt: 2000,
      params: { url: 'http://localhost' },
    });
    expect(stored.exit).toEqual({
      reason: 'stopped',
      stopPhase: 'ipc',
      explanation: 'stopped',
      exitCode: 0,
      signal: null,
      stderrTail: 'bye',
    });
  });

  it('records an iteration once: a replayed (run_id, iteration) is ignored', () => {
    store.insertRun(run('r-1', 'probe', 1000));
    const iteration = {
      runId: 'r-1',
      iteration: 1,
      status: 'ok' as const,
      durationMs: 5,
      summary: 'first',
      error: null,
      usage: { inputTokens: 10 },
      finishedAt: 1,
    };
    expect(store.recordIteration(iteration)).toBe(true);
    expect(store.recordIteration({ ...iteration, summary: 'replayed' })).toBe(false);
    expect(store.countIterations('r-1')).toBe(1);
    expect(store.getRun('r-1')?.iterations).toBe(1);
    expect(store.getRun('r-1')?.lastSummary).toBe('first');
    expect(store.recentIterations('r-1', 10)[0]?.usage).toEqual({ inputTokens: 10 });
  });

  it('lists active runs and the most recent exited ones, newest first', () => {
    for (let i = 0; i < 5; i += 1) {
      store.insertRun(run(`r-${i}`, `n${i}`, 1000 + i));
      if (i < 4) {
        store.updateRun(`r-${i}`, { state: 'exited' });
      }
    }
    expect(store.listRuns(2).map((r) => r.runId)).toEqual(['r-4', 'r-3', 'r-2']);
    expect(store.listRuns(null)).toHaveLength(5);
    expect(store.activeRuns().map((r) => r.runId)).toEqual(['r-4']);
  });

  it('finds the latest run by name', () => {
    store.insertRun(run('r-old', 'probe', 1000));
    store.insertRun(run('r-new', 'probe', 2000));
    expect(store.latestByName('probe')?.runId).toBe('r-new');
  });

  it('survives reopening: data written before close is there', () => {
    store.insertRun(run('r-1', 'probe', 1000));
    store.recordIteration({
      runId: 'r-1',
      iteration: 1,
      status: 'ok',
      durationMs: 1,
      summary: null,
      error: null,
      usage: null,
      finishedAt: 1,
    });
    store.close();
    store = new RunStore(`${dir.path}/x.db`);
    expect(store.countIterations('r-1')).toBe(1);
  });
});
