import { readdirSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, isAlive, tempHome, x, xJson } from './helpers.js';

interface Status {
  run: {
    runId: string;
    state: string;
    pid: number | null;
    attempt: number;
    exit: { reason: string } | null;
  };
}

/** Pids of processes whose command line mentions `text` (a real look at /proc). */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

describe('a stalled daemon (SIGSTOP, then SIGCONT)', () => {
  let home: ReturnType<typeof tempHome>;
  let daemonPid = 0;

  beforeEach(async () => {
    home = tempHome();
    const started = await xJson<{ pid: number }>(home.path, ['daemon', 'start'], {
      X_RUNNER_SPARES: '0',
    });
    daemonPid = started.pid;
  });
  afterEach(async () => {
    try {
      process.kill(daemonPid, 'SIGCONT');
    } catch {
      // Gone.
    }
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('lets no second daemon start, and its healthy runner is not blamed for the stall', async () => {
    // Heartbeats every 200 ms, hung after 1500 ms of silence: a 4 s stall is well past it.
    const start = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'steady',
      '--interval',
      '200',
      '--heartbeat-interval',
      '200',
      '--liveness-timeout',
      '1500',
    ]);
    expect(start.code, start.stderr).toBe(0);
    const before = await xJson<Status>(home.path, ['agent', 'status', 'steady']);
    const socket = statSync(`${home.path}/x.sock`).ino;

    process.kill(daemonPid, 'SIGSTOP');
    const second = await x(home.path, ['daemon', 'start'], {}, { timeoutMs: 20_000 });
    // No second daemon: the start is refused, naming the stalled one, and nothing of it is touched.
    expect(second.code).not.toBe(0);
    expect(`${second.stdout}${second.stderr}`).toMatch(
      new RegExp(`${daemonPid}.*(stopped|SIGSTOP|did not answer)`, 's'),
    );
    expect(processesWith(`--home\0${home.path}`).filter((pid) => pid !== daemonPid)).toEqual([]);
    expect(statSync(`${home.path}/x.sock`).ino).toBe(socket);
    expect(JSON.parse(readFileSync(`${home.path}/daemon.json`, 'utf8')).pid).toBe(daemonPid);
    // Status says it is there but not answering (not "not running": a start would be refused).
    const status = await x(home.path, ['daemon', 'status']);
    expect(status.code).toBe(69);
    expect(status.stdout).toMatch(/running but not answering/);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    process.kill(daemonPid, 'SIGCONT');

    // The runner kept its heartbeats going: after the stall it is still the same attempt.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await xJson<Status>(home.path, ['agent', 'status', 'steady']);
    expect(after.run).toMatchObject({
      state: 'running',
      attempt: 1,
      pid: before.run.pid,
      exit: null,
    });
    expect(isAlive(before.run.pid!)).toBe(true);
  }, 60_000);

  it('x daemon stop stops a stopped daemon: resumes it, and it stops its runs', async () => {
    const start = await x(home.path, ['agent', 'start', `${FIXTURES}counter.mjs`, '--name', 'c']);
    expect(start.code, start.stderr).toBe(0);
    const status = await xJson<Status>(home.path, ['agent', 'status', 'c']);
    process.kill(daemonPid, 'SIGSTOP');
    const stop = await xJson<{ status: string; runs: { name: string; reason?: string }[] }>(
      home.path,
      ['daemon', 'stop'],
      {},
      { timeoutMs: 40_000 },
    );
    expect(stop.status).toBe('stopped');
    expect(isAlive(daemonPid)).toBe(false);
    expect(isAlive(status.run.pid!)).toBe(false);
  }, 60_000);
});
