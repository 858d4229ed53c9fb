import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, isAlive, tempHome, waitFor, x, xJson } from './helpers.js';

interface StopReport {
  status: string;
  pid: number;
  how: string;
  activeRuns: number;
  budgetMs: number;
  tookMs: number;
  outcomesFrom: 'daemon' | 'database' | null;
  runs: {
    name: string;
    state: string | null;
    exit: { reason: string; stopPhase: string | null } | null;
    stoppedAfterMs: number | null;
    mayBeCutShort: boolean;
  }[];
  cutShort: string[];
}

describe('x daemon stop waits for the runs’ stop budgets (real daemon, runners, SQLite)', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('a run that may take 20.5 s to stop is waited for, not cut short at 20 s; the report says how it ended', async () => {
    const daemon = await xJson<{ pid: number }>(home.path, ['daemon', 'start']);
    const run = await xJson<{ pid: number }>(home.path, [
      'agent',
      'start',
      `${FIXTURES}ignore-stop.mjs`,
      '--name',
      'stubborn',
      '--interval',
      '10',
      '--ipc-grace',
      '20000',
      '--sigterm-grace',
      '500',
    ]);
    expect(run.$code, run.$stderr).toBe(0);
    // From its second iteration it busies its event loop forever and ignores SIGTERM.
    await waitFor(async () => {
      const shown = await xJson<{ run: { iterations: number } }>(home.path, [
        'agent',
        'status',
        'stubborn',
      ]);
      return shown.run.iterations >= 1;
    }, 10_000);

    const began = Date.now();
    const stopped = await xJson<StopReport>(
      home.path,
      ['daemon', 'stop'],
      {},
      { timeoutMs: 60_000 },
    );
    const took = Date.now() - began;
    expect(stopped.$code, stopped.$stderr).toBe(0);
    // Before issue 16 the CLI sent SIGTERM after a fixed 20 s: how was 'sigterm'.
    expect(stopped).toMatchObject({
      status: 'stopped',
      how: 'rpc',
      activeRuns: 1,
      budgetMs: 20_500,
      cutShort: [],
    });
    expect(took).toBeGreaterThanOrEqual(20_000);
    expect(stopped.runs).toEqual([
      expect.objectContaining({
        name: 'stubborn',
        state: 'exited',
        exit: expect.objectContaining({ reason: 'stopped', stopPhase: 'sigkill' }),
        mayBeCutShort: false,
      }),
    ]);
    expect(stopped.runs[0]?.stoppedAfterMs).toBeGreaterThanOrEqual(20_000);
    if (stopped.outcomesFrom === 'daemon') {
      // A daemon that honours system.shutdown {wait: true} answered with the outcome itself.
      expect(stopped.tookMs).toBeGreaterThanOrEqual(20_000);
    } else {
      // An older daemon answers at once: the outcome was read from its database after it exited.
      expect(stopped.outcomesFrom).toBe('database');
    }
    expect(isAlive(daemon.pid)).toBe(false);
    expect(isAlive(run.pid)).toBe(false);
  }, 90_000);

  it('the text report names each run and its stop phase, not a bare count', async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    await x(home.path, ['agent', 'start', `${FIXTURES}slow-step.mjs`, '--name', 'polite']);
    const stopped = await x(home.path, ['daemon', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const [first, ...rest] = stopped.stdout.trimEnd().split('\n');
    expect(first).toMatch(
      /^x daemon stopped \(pid \d+, via rpc after [\d.]+m?s\); 1 run\(s\) were active$/,
    );
    expect(rest).toEqual([
      expect.stringMatching(
        /^ {2}polite \(run r-[0-9a-f]+\): stopped in the ipc phase after \d+ms: exited on IPC stop/,
      ),
    ]);
  });
});

describe('runs come back after a daemon restart, not after a stop (real daemon, runners, SQLite)', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('x daemon restart resumes runs with a restart policy from their checkpoint; x daemon stop leaves them; --resume parks them', async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const counter = `${FIXTURES}checkpoint-counter.mjs`;
    for (const [name, restart] of [
      ['keep', 'always'],
      ['once', 'no'],
    ]) {
      const started = await x(home.path, [
        'agent',
        'start',
        counter,
        '--name',
        name,
        '--interval',
        '20',
        '--restart',
        restart,
      ]);
      expect(started.code, started.stderr).toBe(0);
    }
    type Listed = { name: string; state: string; attempt: number; lastSummary: string | null };
    const list = async () =>
      (await xJson<{ runs: Listed[] }>(home.path, ['agent', 'list', '--all'])).runs;
    const count = (run: Listed | undefined) =>
      Number(/count=(\d+)/.exec(run?.lastSummary ?? '')?.[1] ?? 0);
    await waitFor(async () => count((await list()).find((r) => r.name === 'keep')) >= 3, 10_000);

    const restarted = await x(home.path, ['daemon', 'restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(
      /keep \(run r-[0-9a-f]+\): stopped .*; parked: its restart policy resumes it/,
    );
    const back = async () => (await list()).find((r) => r.name === 'keep');
    expect(await waitFor(async () => (await back())?.state === 'running', 10_000)).toBe(true);
    expect(await back()).toMatchObject({ attempt: 2 });
    expect((await list()).find((r) => r.name === 'once')).toMatchObject({ state: 'exited' });

    // x daemon stop: for good.
    expect((await x(home.path, ['daemon', 'stop'])).code).toBe(0);
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await back()).toMatchObject({ state: 'exited', attempt: 2 });
  }, 60_000);
});
