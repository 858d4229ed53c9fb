import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  RunStore,
  RunnerSupervisor,
  type RunRecord,
  type StartRequest,
} from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// The run's record store (protocol `store`, issue 15) through real runners: ctx.store of a
// kernel agent, a `store` message, RecordStore's SQLite file, `store_result` back.
describe.each(['subprocess', 'thread'] as const)('ctx.store in %s mode', (mode) => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;

  const open = (recordsMaxBytes?: number) => {
    supervisor = new RunnerSupervisor({
      launcher: kernelLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      heartbeatIntervalMs: 200,
      livenessTimeoutMs: 5000,
      recordsMaxBytes,
    });
  };
  beforeEach(() => {
    dir = tempDir('x-rec-');
    store = new RunStore(`${dir.path}/x.db`);
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 300, sigtermMs: 300 });
    store.close();
    dir.remove();
  });

  const start = (params: Record<string, unknown>, extra: Partial<StartRequest> = {}) =>
    supervisor.start({
      module: `${AGENTS}store-counter.mjs`,
      name: 'store-counter',
      intervalMs: 0,
      runnerMode: mode,
      params,
      ...extra,
    });
  const ended = async (runId: string): Promise<RunRecord | undefined> => {
    await waitFor(() => {
      const state = supervisor.get(runId)?.state;
      return state === 'exited' || state === 'failed';
    }, 20_000);
    return supervisor.get(runId);
  };
  const records = (runId: string, ns: string) =>
    store.database
      .prepare('SELECT key, value FROM agent_records WHERE run_id = ? AND ns = ? ORDER BY key')
      .all(runId, ns) as { key: string; value: string }[];

  it('what an attempt stored is there for the next one after a crash; nothing is counted twice', async () => {
    open();
    const run = await start(
      { crashAt: 3, doneAt: 5 },
      {
        restart: {
          mode: 'on-failure',
          backoff: { ...DEFAULT_RESTART_POLICY.backoff, initialMs: 10, jitter: 0 },
        },
      },
    );
    const record = await ended(run.runId);
    expect(record).toMatchObject({ state: 'exited', attempt: 2, lastSummary: 'n=5' });
    expect(records(run.runId, 'counter')).toEqual([{ key: 'n', value: '5' }]);
    // One record per count 1..5: the crash after 3 lost nothing and repeated nothing.
    expect(records(run.runId, 'steps').map((row) => row.key)).toEqual([
      '000001',
      '000002',
      '000003',
      '000004',
      '000005',
    ]);
  });

  it('a write past the run cap is refused with the sizes; the history before it stays', async () => {
    open(20_000);
    const run = await start({ fill: 6000 });
    const record = await ended(run.runId);
    expect(record?.lastSummary).toMatch(
      /^X_STORE_REFUSED: .*over its cap of 20000 bytes \(storeMaxBytes\)/,
    );
    const kept = records(run.runId, 'fill');
    expect(kept.length).toBe(3);
    expect(supervisor.records.usedBytes(run.runId)).toBeLessThanOrEqual(20_000);
  });
});
