// Between the floor and the round trip: the daemon's own CheckpointStore.save, without the
// IPC, on a RunStore database (migrated schema, WAL, synchronous NORMAL flipped to FULL per
// save, next seq looked up, pruned to the newest 5) in the process that opens it.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore, DEFAULT_RESTART_POLICY, RunStore } from '@x/daemon';

const RUN_ID = 'bench-store-save';

/**
 * @typedef {object} StoreSave
 * @property {(stateJson: string) => void} save one checkpoint, committed durably
 * @property {() => void} close closes the database and removes its directory
 */

/**
 * A fresh RunStore under /tmp with one run, and its CheckpointStore: `save` stores the
 * run's next checkpoint as the daemon does for a runner's `checkpoint` message.
 * @returns {StoreSave}
 */
export function openStoreSave() {
  const dir = mkdtempSync('/tmp/x-bd-store-');
  const store = new RunStore(join(dir, 'x.sqlite'));
  try {
    store.insertRun(runRecord(Date.now()));
  } catch (error) {
    store.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const checkpoints = new CheckpointStore(store.database);
  let iteration = 0;
  return {
    save(stateJson) {
      iteration += 1;
      checkpoints.save({ runId: RUN_ID, attempt: 1, iteration, stateJson, savedAt: Date.now() });
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A run for the checkpoints to belong to (agent_checkpoints.run_id references agent_runs).
 * @param {number} createdAt
 * @returns {import('@x/daemon').RunRecord}
 */
function runRecord(createdAt) {
  return {
    runId: RUN_ID,
    name: RUN_ID,
    module: '/dev/null',
    params: {},
    options: {
      command: null,
      intervalMs: 1000,
      maxIterations: null,
      stopBudget: { ipcMs: 2000, sigtermMs: 3000 },
      codec: 'jsonl',
      cwd: '/tmp',
      env: {},
      restart: DEFAULT_RESTART_POLICY,
      maxMemoryMb: null,
    },
    launcher: 'subprocess',
    state: 'running',
    pid: null,
    pgid: null,
    createdAt,
    readyAt: createdAt,
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
