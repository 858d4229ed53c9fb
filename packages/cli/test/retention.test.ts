import { join } from 'node:path';
import { RunStore } from '@x/daemon';
import { afterEach, describe, expect, it } from 'vitest';
import { retentionArgs, retentionOptions } from '../src/retention-options.js';
import { FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('retention flags', () => {
  it('turn days into ms for startDaemon and back into arguments for the detached daemon', () => {
    const flags = {
      keepIterations: 2,
      maxIterationsPerRun: 7,
      keepRuns: 3,
      keepEvents: 1,
      maxEvents: 500,
      maxRecordsMb: 2,
    };
    expect(retentionOptions(flags)).toEqual({
      retention: { iterationsMs: 2 * DAY_MS, runsMs: 3 * DAY_MS, maxIterationsPerRun: 7 },
      eventBacklog: { maxRows: 500, maxAgeMs: DAY_MS },
      recordsMaxBytes: 2 * 1024 * 1024,
    });
    expect(retentionArgs(flags)).toEqual([
      '--keep-iterations',
      '2',
      '--max-iterations-per-run',
      '7',
      '--keep-runs',
      '3',
      '--keep-events',
      '1',
      '--max-events',
      '500',
      '--max-records-mb',
      '2',
    ]);
    expect(retentionArgs({})).toEqual([]);
  });

  describe('x daemon start|restart retention flags (real daemon and SQLite)', () => {
    const home = tempHome();
    afterEach(async () => {
      await x(home.path, ['daemon', 'stop']);
    });

    it('prunes a run that ended before the window at start; the default 90 days keeps it', async () => {
      expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
      const started = await x(home.path, [
        'agent',
        'start',
        join(FIXTURES, 'counter.mjs'),
        '--name',
        'old',
        '--interval',
        '0',
        '--max-iterations',
        '1',
      ]);
      expect(started.code).toBe(0);
      await x(home.path, ['agent', 'stop', 'old']);
      expect((await x(home.path, ['daemon', 'stop'])).code).toBe(0);
      // Age the finished run by two days, as if it had ended then.
      const store = new RunStore(join(home.path, 'x.db'));
      const [run] = store.listRuns(null);
      store.updateRun(run.runId, { endedAt: Date.now() - 2 * DAY_MS });
      store.close();

      expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
      const kept = await xJson<{ runs: unknown[] }>(home.path, ['agent', 'list', '--all']);
      expect(kept.runs).toHaveLength(1);
      expect((await x(home.path, ['daemon', 'restart', '--keep-runs', '1'])).code).toBe(0);
      const pruned = await xJson<{ runs: unknown[] }>(home.path, ['agent', 'list', '--all']);
      expect(pruned.runs).toHaveLength(0);
    });

    it('--max-iterations-per-run keeps the newest n iterations of a run, its total intact; status shows the database size', async () => {
      expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
      const started = await x(home.path, [
        'agent',
        'start',
        join(FIXTURES, 'counter.mjs'),
        '--name',
        'busy',
        '--interval',
        '0',
        '--max-iterations',
        '50',
      ]);
      expect(started.code).toBe(0);
      const done = await waitFor(async () => {
        const status = await xJson<{ run: { state: string } }>(home.path, [
          'agent',
          'status',
          'busy',
        ]);
        return status.run.state === 'exited';
      }, 20_000);
      expect(done).toBe(true);
      // A restarted daemon bounds every run in its first pass, at start.
      expect(
        (await x(home.path, ['daemon', 'restart', '--max-iterations-per-run', '5'])).code,
      ).toBe(0);
      const status = await xJson<{
        run: { iterations: number };
        recentIterations: { iteration: number }[];
      }>(home.path, ['agent', 'status', 'busy', '--iterations', '100']);
      expect(status.run.iterations).toBe(50);
      expect(status.recentIterations.map((it) => it.iteration)).toEqual([50, 49, 48, 47, 46]);

      const info = await xJson<{ databaseBytes: number }>(home.path, ['daemon', 'status']);
      expect(info.databaseBytes).toBeGreaterThan(4096);
      const text = await x(home.path, ['daemon', 'status']);
      expect(text.stdout).toMatch(/^database: +\d+\.\d MiB \(x\.db \+ WAL\)$/m);
    });

    it('--max-records-mb caps what a run keeps in ctx.store: the write past it is refused, naming both sizes', async () => {
      expect((await x(home.path, ['daemon', 'start', '--max-records-mb', '1'])).code).toBe(0);
      const started = await x(home.path, [
        'agent',
        'start',
        join(FIXTURES, 'record-writer.mjs'),
        '--name',
        'filler',
        '--param',
        'kib=300',
        '--param',
        'records=5',
      ]);
      expect(started.code).toBe(0);
      let summary: string | null = null;
      await waitFor(async () => {
        const status = await xJson<{ run: { state: string; lastSummary: string | null } }>(
          home.path,
          ['agent', 'status', 'filler'],
        );
        summary = status.run.lastSummary;
        return status.run.state === 'exited';
      }, 20_000);
      // 3 records of 300 KiB fit in 1 MiB, the 4th does not; nothing stored is dropped.
      expect(summary).toMatch(/^stored 3; refused: .*over its cap of 1048576 bytes/);
    });
  });
});
