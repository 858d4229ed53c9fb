import Database from 'better-sqlite3';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
  type SystemInfo,
} from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

describe('retention of active runs (real daemon, runners and SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  let connection: RpcConnection | undefined;
  beforeEach(() => {
    dir = tempDir('x-ret-');
  });
  afterEach(async () => {
    connection?.close();
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  const storedIterations = (runIds: string[]) => {
    const db = new Database(`${dir.path}/home/x.db`, { readonly: true, fileMustExist: true });
    try {
      return runIds.map(
        (runId) =>
          (
            db
              .prepare('SELECT count(*) AS n FROM agent_iterations WHERE run_id = ?')
              .get(runId) as { n: number }
          ).n,
      );
    } finally {
      db.close();
    }
  };

  it('keeps x.db and its WAL flat over 100+ prune passes while 2 runners iterate as fast as they can, each bounded to its newest 200', async () => {
    const bound = 200;
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
      retention: { maxIterationsPerRun: bound, intervalMs: 100 },
      eventBacklog: { maxRows: 1000 },
    });
    connection = await connectRpc(daemon.paths.socketPath);
    const rpc = connection;
    const runs = await Promise.all(
      ['fast-1', 'fast-2'].map((name) =>
        rpc.request<RunRecord>('agent.start', {
          module: `${AGENTS}counter.mjs`,
          name,
          intervalMs: 1,
        }),
      ),
    );
    const sample = async () => {
      const info = await rpc.request<SystemInfo>('system.info');
      const statuses = await Promise.all(
        runs.map((run) => rpc.request<{ run: RunRecord }>('agent.status', { ref: run.runId })),
      );
      const iterations = statuses.reduce((sum, status) => sum + status.run.iterations, 0);
      return { bytes: info.databaseBytes, iterations };
    };
    const sampleWhen = async (enough: (iterations: number) => boolean) => {
      for (;;) {
        const now = await sample();
        if (enough(now.iterations)) {
          return now;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // Warm-up: both runs past their bound, the WAL at its working size (a checkpoint every
    // 1000 pages), the event backlog at its 1000 rows.
    const warm = await sampleWhen((iterations) => iterations >= 3000);
    // Without retention the next 12 000 iterations take about 0.9 MiB more (75 bytes each).
    const end = await sampleWhen((iterations) => iterations >= warm.iterations + 12_000);
    expect(end.bytes - warm.bytes).toBeLessThan(256 * 1024);

    // Stopped, each run is bounded by the next pass: exactly its newest 200 stay.
    await Promise.all(runs.map((run) => rpc.request('agent.stop', { ref: run.runId })));
    const stored = () => storedIterations(runs.map((run) => run.runId));
    expect(await waitFor(() => stored().every((n) => n === bound), 5000)).toBe(true);
    const finals = await Promise.all(
      runs.map((run) => rpc.request<{ run: RunRecord }>('agent.status', { ref: run.runId })),
    );
    // The totals still count every iteration, and the newest are the ones kept.
    for (const { run } of finals) {
      expect(run.iterations).toBeGreaterThan(bound);
      const newest = await rpc.request<{ recentIterations: { iteration: number }[] }>(
        'agent.status',
        { ref: run.runId, iterations: 1 },
      );
      expect(newest.recentIterations[0].iteration).toBe(run.iterations);
    }
  }, 120_000);
});
