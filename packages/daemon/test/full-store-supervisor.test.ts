import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistenceGuard } from '../src/persistence/persistence-guard.js';
import { RunStore } from '../src/persistence/run-store.js';
import { silentLogger } from '../src/process/logger.js';
import { RunnerSupervisor } from '../src/supervisor/runner-supervisor.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// A supervisor whose SQLite is full (`max_page_count`: SQLite fails writes with SQLITE_FULL,
// as on a full disk): runs go on, their records wait in memory and are written once there
// is room; a fork, whose first checkpoint is a copy in SQLite, is refused meanwhile.
describe('RunnerSupervisor on a full database (real SQLite, real runners)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let guard: PersistenceGuard;
  let supervisor: RunnerSupervisor;
  const retries: (() => void)[] = [];

  beforeEach(() => {
    dir = tempDir('x-fs-');
    store = new RunStore(`${dir.path}/x.db`);
    const tx = store.database.transaction((fn: () => void) => fn());
    guard = new PersistenceGuard(silentLogger, {
      transaction: (fn) => tx(fn),
      schedule: (fn) => {
        retries.push(fn);
        return () => undefined;
      },
    });
    supervisor = new RunnerSupervisor({
      launcher: kernelLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      persistence: guard,
    });
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 500, sigtermMs: 500 });
    store.close();
    dir.remove();
  });

  const fill = () => {
    const db = store.database;
    db.exec('CREATE TABLE IF NOT EXISTS filler (v TEXT)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    // The last free bytes of the pages there are.
    for (let size = 4000; size >= 16; size = Math.floor(size / 2)) {
      try {
        for (;;) {
          db.prepare('INSERT INTO filler (v) VALUES (?)').run('f'.repeat(size));
        }
      } catch {
        // Full at this size: try smaller rows.
      }
    }
  };

  it('a run started on a full database runs; its records are written once there is room; --from (a seq or a thread checkpoint) is refused meanwhile', async () => {
    const source = await supervisor.start({
      module: `${AGENTS}checkpoint-counter.mjs`,
      name: 'source',
      intervalMs: 10,
      maxIterations: 3,
    });
    expect(await waitFor(() => supervisor.get(source.runId)?.state === 'exited', 10_000)).toBe(
      true,
    );
    fill();
    const run = await supervisor.start({
      module: `${AGENTS}counter.mjs`,
      name: 'on-full',
      // Its record needs pages the full file cannot grow by (a small row may still fit).
      params: { pad: 'p'.repeat(20_000) },
      intervalMs: 10,
      maxIterations: 5,
    });
    // Shown as it ended, by id and by name, while SQLite does not have it yet.
    expect(await waitFor(() => supervisor.get(run.runId)?.state === 'exited', 10_000)).toBe(true);
    expect(supervisor.get('on-full')).toMatchObject({ runId: run.runId, iterations: 5 });
    expect(supervisor.list().map((record) => record.name)).toContain('on-full');
    expect(guard.health).toMatchObject({ ok: false });
    expect(guard.health.deferredWrites).toBeGreaterThan(0);
    expect(store.getRun(run.runId)).toBeUndefined();
    await expect(
      supervisor.start({
        module: `${AGENTS}checkpoint-counter.mjs`,
        name: 'fork',
        from: { runId: source.runId },
      }),
    ).rejects.toThrow(
      /cannot start from a checkpoint while persistence is failing \(.*SQLITE_FULL/,
    );
    // A LangGraph checkpoint too: its thread would not be copied.
    await expect(
      supervisor.start({
        module: `${AGENTS}checkpoint-counter.mjs`,
        name: 'fork',
        from: { runId: source.runId, checkpointId: '1f0-any' },
      }),
    ).rejects.toThrow(/cannot start from a checkpoint while persistence is failing/);

    store.database.pragma('max_page_count = 1000000');
    retries.splice(0).forEach((fn) => fn());
    expect(guard.health).toMatchObject({ ok: true, deferredWrites: 0, droppedWrites: 0 });
    expect(store.getRun(run.runId)).toMatchObject({ state: 'exited', iterations: 5 });
    expect(store.recentIterations(run.runId, 10)).toHaveLength(5);
    expect(store.attempts(run.runId)).toHaveLength(1);
  }, 30_000);
});
