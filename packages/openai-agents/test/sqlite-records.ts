// A run's record store as the daemon keeps it: @x/daemon's RecordStore over a real SQLite
// file (RunStore's schema, one run row), for createRunner's onStore. Every batch it applies
// is logged, so a test can see what a session asked of the store.
import { mkdtempSync, rmSync } from 'node:fs';
import type { StoreOp, StoreOpResult } from '@x/ipc';
import { DEFAULT_RESTART_POLICY, RecordStore, RunStore, type RunRecord } from '@x/daemon';

export interface SqliteRecords {
  readonly runId: string;
  /** Every batch applied (or refused), in order. */
  readonly batches: StoreOp[][];
  /** createRunner's onStore: applies `ops` in one durable transaction, or throws the refusal. */
  batch(ops: StoreOp[]): Promise<StoreOpResult[]>;
  /** The namespace's records, in key order (values as stored JSON text). */
  rows(ns: string): { key: string; value: string }[];
  close(): void;
}

export function sqliteRecords(options: { runId?: string; maxBytes?: number } = {}): SqliteRecords {
  const { runId = 'r-session', maxBytes = 64 * 1024 * 1024 } = options;
  const dir = mkdtempSync('/tmp/x-oas-');
  const runs = new RunStore(`${dir}/x.db`);
  runs.insertRun(runRecord(runId));
  const records = new RecordStore(runs.database);
  const batches: StoreOp[][] = [];
  return {
    runId,
    batches,
    async batch(ops) {
      batches.push(structuredClone(ops));
      return records.apply(runId, ops, maxBytes).results;
    },
    rows: (ns) =>
      runs.database
        .prepare('SELECT key, value FROM agent_records WHERE run_id = ? AND ns = ? ORDER BY key')
        .all(runId, ns) as { key: string; value: string }[],
    close() {
      runs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runRecord(runId: string): RunRecord {
  return {
    runId,
    name: 'session-test',
    module: '/tmp/agent.mjs',
    params: {},
    options: {
      command: null,
      intervalMs: 0,
      maxIterations: null,
      stopBudget: { ipcMs: 2000, sigtermMs: 3000 },
      codec: 'jsonl',
      cwd: '/tmp',
      env: {},
      restart: DEFAULT_RESTART_POLICY,
      maxMemoryMb: null,
    },
    launcher: 'subprocess',
    state: 'starting',
    pid: null,
    pgid: null,
    createdAt: Date.now(),
    readyAt: null,
    endedAt: null,
    iterations: 0,
    lastSummary: null,
    attempt: 1,
    restarts: 0,
    nextRestartAt: null,
    lastReasons: [],
    exit: null,
    logPath: null,
  };
}
