import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  UsageLedger,
  silentLogger,
  startDaemon,
  utcDay,
  type AgentLogs,
  type DaemonHandle,
  type RemovedRun,
  type RunRecord,
} from '../src/index.js';
import { AGENTS, isAlive, kernelLauncher, tempDir, waitFor } from './helpers.js';

// Issue 11: x agent restart (a new attempt of the same run, from the newest checkpoint),
// x agent rm (forget a finished run, keep its spend for the daily cap), agent.logs since.

const COUNTER = `${AGENTS}checkpoint-counter.mjs`;

function countOf(summary: string | null | undefined): number {
  return Number(/count=(\d+)/.exec(summary ?? '')?.[1] ?? Number.NaN);
}

describe('housekeeping: restart, remove, logs since', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(async () => {
    dir = tempDir('x-hk-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('agent.restart of a running run: same run id, next attempt, new pid, resumes from the newest checkpoint', async () => {
    const d = daemon!;
    const connection = await connectRpc(d.paths.socketPath);
    try {
      const run = await d.supervisor.start({ module: COUNTER, name: 'counter', intervalMs: 50 });
      expect(await waitFor(() => (d.supervisor.get(run.runId)?.iterations ?? 0) >= 5, 10_000)).toBe(
        true,
      );
      const restarted = await connection.request<RunRecord>('agent.restart', { ref: 'counter' });
      expect(restarted).toMatchObject({
        runId: run.runId,
        state: 'running',
        attempt: 2,
        restarts: 1,
      });
      expect(restarted.pid).not.toBe(run.pid);
      expect(isAlive(run.pid!)).toBe(false);
      expect(restarted.lastReasons.at(-1)).toMatchObject({ attempt: 1, reason: 'stopped' });
      // Attempt 1's newest acknowledged checkpoint: attempt 2 resumes from it.
      const newest = d.supervisor.checkpoints.list(run.runId).find((c) => c.attempt === 1)!;
      const acked = d.supervisor.checkpoints.get(run.runId, newest.seq)!.state as { count: number };
      expect(
        await waitFor(() => d.supervisor.iterations(run.runId, 1)[0]?.attempt === 2, 10_000),
      ).toBe(true);
      const firstOfSecond = d.supervisor
        .iterations(run.runId, 1000)
        .filter((it) => it.attempt === 2)
        .at(-1);
      expect(countOf(firstOfSecond?.summary)).toBe(acked.count + 1);
    } finally {
      connection.close();
    }
  }, 30_000);

  it('a paused run restarted comes back paused; a stopped run restarted comes back running', async () => {
    const d = daemon!;
    const run = await d.supervisor.start({ module: COUNTER, name: 'pausy', intervalMs: 20 });
    d.supervisor.pause(run.runId, 'by the test');
    const restarted = await d.supervisor.restart(run.runId);
    expect(restarted).toMatchObject({ state: 'paused', attempt: 2, pause: { by: 'client' } });
    d.supervisor.resume(run.runId);
    const stopped = await d.supervisor.stop(run.runId);
    expect(stopped.state).toBe('exited');
    const again = await d.supervisor.restart(run.runId);
    expect(again).toMatchObject({ runId: run.runId, state: 'running', attempt: 3, endedAt: null });
    expect(d.supervisor.activeCount).toBe(1);
  }, 30_000);

  it('agent.remove refuses an active run, then forgets the stopped one but keeps its spend for the day', async () => {
    const d = daemon!;
    const connection = await connectRpc(d.paths.socketPath);
    try {
      const run = await d.supervisor.start({
        module: COUNTER,
        name: 'spender',
        intervalMs: 20,
        params: { costPerStep: 0.25 },
      });
      expect(await waitFor(() => d.supervisor.usage(run.runId).costUsd >= 1, 10_000)).toBe(true);
      await expect(connection.request('agent.remove', { ref: 'spender' })).rejects.toMatchObject({
        code: -32027,
        message: expect.stringContaining('stop it first'),
      });
      await d.supervisor.stop(run.runId);
      const spent = d.supervisor.usage(run.runId).costUsd;
      const db = new Database(d.paths.dbPath, { readonly: true });
      const ledger = new UsageLedger(db);
      const today = utcDay(Date.now());
      const before = ledger.fleetDayTotals(today).costUsd;
      expect(existsSync(run.logPath!)).toBe(true);
      const removed = await connection.request<RemovedRun>('agent.remove', { ref: 'spender' });
      expect(removed).toMatchObject({ runId: run.runId, name: 'spender', logError: null });
      expect(removed.rows.iterations).toBeGreaterThan(0);
      expect(removed.rows.checkpoints).toBeGreaterThan(0);
      expect(removed.logFiles).toEqual([run.logPath]);
      expect(existsSync(run.logPath!)).toBe(false);
      expect(d.supervisor.get(run.runId)).toBeUndefined();
      expect(d.supervisor.usage(run.runId).costUsd).toBe(0);
      expect(d.supervisor.checkpoints.list(run.runId)).toEqual([]);
      // The day's total over every run (the daemon-wide cap) still counts what it spent.
      expect(ledger.fleetDayTotals(today).costUsd).toBeCloseTo(before, 9);
      expect(ledger.fleetDayTotals(today).costUsd).toBeGreaterThanOrEqual(spent - 1e-9);
      await expect(connection.request('agent.remove', { ref: run.runId })).rejects.toMatchObject({
        code: -32001,
      });
      db.close();
    } finally {
      connection.close();
    }
  }, 30_000);

  it('agent.logs since: only the lines logged at or after the time, at most lines', async () => {
    const d = daemon!;
    const connection = await connectRpc(d.paths.socketPath);
    try {
      const run = await d.supervisor.start({ module: COUNTER, name: 'logger', intervalMs: 20 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const since = Date.now();
      await d.supervisor.restart(run.runId);
      const all = await connection.request<AgentLogs>('agent.logs', {
        ref: run.runId,
        lines: 10_000,
      });
      const recent = await connection.request<AgentLogs>('agent.logs', { ref: run.runId, since });
      expect(all.lines.length).toBeGreaterThan(recent.lines.length);
      expect(recent.lines.length).toBeGreaterThan(0);
      for (const line of recent.lines) {
        expect(Date.parse(line.slice(0, 24))).toBeGreaterThanOrEqual(since);
      }
      expect(recent.lines.some((line) => line.includes('restart requested by an operator'))).toBe(
        true,
      );
      const two = await connection.request<AgentLogs>('agent.logs', {
        ref: run.runId,
        since,
        lines: 2,
      });
      expect(two.lines.length).toBe(2);
      expect(Date.parse(two.lines[0].slice(0, 24))).toBeGreaterThanOrEqual(since);
    } finally {
      connection.close();
    }
  }, 30_000);
});
