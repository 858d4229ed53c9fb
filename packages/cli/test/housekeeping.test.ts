import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempHome, x, xJson } from './helpers.js';

// Issue 11 through the built CLI and a real daemon: x agent restart, x agent rm,
// x agent logs --lines/--since, x daemon logs.

const COUNTER = `${FIXTURES}checkpoint-counter.mjs`;

interface Run {
  runId: string;
  name: string;
  state: string;
  attempt: number;
  restarts: number;
  pid: number | null;
  logPath: string;
}

describe('housekeeping commands (real daemon)', () => {
  const home = tempHome();
  beforeAll(async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('restart makes a new attempt of the same run; rm refuses it while active, then forgets it and its log', async () => {
    const started = await xJson<Run>(home.path, [
      'agent',
      'start',
      COUNTER,
      '--name',
      'hk',
      '--interval',
      '50',
    ]);
    expect(started.$code, started.$stderr).toBe(0);
    const restarted = await xJson<Run>(home.path, ['agent', 'restart', 'hk']);
    expect(restarted).toMatchObject({ runId: started.runId, state: 'running', attempt: 2 });
    expect(restarted.pid).not.toBe(started.pid);
    const text = await x(home.path, ['agent', 'restart', 'hk']);
    expect(text.stdout).toMatch(
      new RegExp(`^restarted hk \\(run ${started.runId}, attempt 3\\), pid \\d+$`, 'm'),
    );

    const refused = await x(home.path, ['agent', 'rm', 'hk']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'is running: only a finished run can be removed; stop it first with `x agent stop hk`',
    );
    expect((await x(home.path, ['agent', 'stop', 'hk'])).code).toBe(0);
    expect(existsSync(started.logPath)).toBe(true);
    const removed = await x(home.path, ['agent', 'rm', 'hk']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(
      new RegExp(
        `^removed hk \\(run ${started.runId}\\): 3 attempt\\(s\\), \\d+ iteration\\(s\\), .* 1 log file\\(s\\)$`,
        'm',
      ),
    );
    expect(existsSync(started.logPath)).toBe(false);
    const gone = await x(home.path, ['agent', 'status', started.runId]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no agent run with id or name');
  }, 60_000);

  it('logs --lines N prints N lines; --since 1h keeps them all, a future --since none; bad --since is a usage error', async () => {
    expect(
      (await x(home.path, ['agent', 'start', COUNTER, '--name', 'lg', '--interval', '50'])).code,
    ).toBe(0);
    const two = await x(home.path, ['agent', 'logs', 'lg', '--lines', '2']);
    expect(two.stdout.trimEnd().split('\n')).toHaveLength(2);
    const hour = await xJson<{ lines: string[] }>(home.path, [
      'agent',
      'logs',
      'lg',
      '--since',
      '1h',
    ]);
    const all = await xJson<{ lines: string[] }>(home.path, [
      'agent',
      'logs',
      'lg',
      '--lines',
      '10000',
    ]);
    expect(hour.lines.length).toBeGreaterThanOrEqual(all.lines.length - 5);
    expect(hour.lines.length).toBeGreaterThan(2);
    const future = await xJson<{ lines: string[] }>(home.path, [
      'agent',
      'logs',
      'lg',
      '--since',
      new Date(Date.now() + 3_600_000).toISOString(),
    ]);
    expect(future.lines).toEqual([]);
    const bad = await x(home.path, ['agent', 'logs', 'lg', '--since', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"10" has no unit; give a duration such as 30s');

    const daemonLog = await xJson<{ path: string; lines: string[] }>(home.path, [
      'daemon',
      'logs',
      '--lines',
      '2',
    ]);
    expect(daemonLog.path).toBe(`${home.path}/daemon.log`);
    expect(daemonLog.lines).toHaveLength(2);
    const recent = await x(home.path, ['daemon', 'logs', '--since', '10m']);
    expect(recent.stdout).toMatch(/ info daemon .* serving /);
  }, 60_000);
});
