import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunStore,
  RunnerSupervisor,
  type RunRecord,
  type StartRequest,
  type SupervisorEvent,
} from '../src/index.js';
import { fixtureLauncher, isAlive, tempDir, waitFor } from './helpers.js';

describe('restart policy, liveness and memory limits with real processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let states: RunRecord[];

  beforeEach(() => {
    dir = tempDir('x-rs-');
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: fixtureLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      heartbeatIntervalMs: 100,
      livenessTimeoutMs: 800,
      memorySampleMs: 100,
    });
    states = [];
    supervisor.onEvent((event: SupervisorEvent) => {
      if (event.type === 'run_state') {
        states.push(event.run);
      }
    });
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 200, sigtermMs: 200 });
    store.close();
    dir.remove();
  });

  const start = (mode: string, extra: Partial<StartRequest> = {}) =>
    supervisor.start({ module: '/fixture.mjs', name: mode, env: { FIXTURE_MODE: mode }, ...extra });
  const ended = (runId: string, timeoutMs = 15_000) =>
    waitFor(() => {
      const state = supervisor.get(runId)?.state;
      return state === 'exited' || state === 'failed';
    }, timeoutMs);

  it('a crash loop reaches failed after exactly the intensity limit, with doubling backoff', async () => {
    const run = await start('crash-loop', {
      restart: {
        mode: 'on-failure',
        backoff: { initialMs: 150, multiplier: 2, jitter: 0 },
        intensity: { maxRestarts: 3, periodMs: 60_000 },
      },
    });
    expect(await ended(run.runId)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record).toMatchObject({ state: 'failed', attempt: 4, restarts: 3 });
    expect(record.exit?.reason).toBe('crashed');
    expect(record.exit?.explanation).toMatch(
      /restart intensity exceeded: 3 restart\(s\) within 60000 ms/,
    );
    expect(record.lastReasons.map((r) => r.reason)).toEqual([
      'crashed',
      'crashed',
      'crashed',
      'crashed',
    ]);
    // Delay from each exit to the next attempt's start follows the policy (150, 300, 600 ms).
    const attempts = store.attempts(run.runId);
    expect(attempts.map((a) => a.exit?.reason)).toEqual([
      'crashed',
      'crashed',
      'crashed',
      'crashed',
    ]);
    const gaps = attempts.slice(1).map((a, i) => a.startedAt - attempts[i].endedAt!);
    [150, 300, 600].forEach((expected, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(expected - 20);
      expect(gaps[i]).toBeLessThan(expected + 400);
    });
    // Terminal is terminal: never running again.
    expect(states.map((s) => `${s.state}:${s.attempt}`).join(' ')).toBe(
      'starting:1 running:1 backoff:1 starting:2 running:2 backoff:2 starting:3 running:3 backoff:3 starting:4 running:4 failed:4',
    );
  });

  it('restart no: one crash ends the run as failed', async () => {
    const run = await start('crash-loop');
    expect(await ended(run.runId)).toBe(true);
    expect(supervisor.get(run.runId)).toMatchObject({
      state: 'failed',
      attempt: 1,
      exit: { reason: 'crashed', exitCode: 3 },
    });
  });

  it('a stop during backoff cancels the pending restart', async () => {
    const run = await start('crash-loop', {
      restart: { mode: 'always', backoff: { initialMs: 5000 } },
    });
    await waitFor(() => supervisor.get(run.runId)?.state === 'backoff', 5000);
    const backoff = supervisor.get(run.runId)!;
    expect(backoff.nextRestartAt).toBeGreaterThan(Date.now());
    const stopped = await supervisor.stop(run.runId);
    expect(stopped).toMatchObject({ state: 'exited', attempt: 1, exit: { reason: 'stopped' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.attempts(run.runId)).toHaveLength(1);
  });

  it('config_error is never restarted, even with restart always', async () => {
    const run = await start('exit78', { restart: { mode: 'always', backoff: { initialMs: 10 } } });
    expect(run).toMatchObject({ state: 'failed', attempt: 1, exit: { reason: 'config_error' } });
  });

  it('a runner whose heartbeats stop is killed and classified hung', async () => {
    const run = await start('go-silent');
    expect(await ended(run.runId, 10_000)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record.exit).toMatchObject({ reason: 'hung', signal: 'SIGKILL' });
    expect(record.exit?.explanation).toMatch(/no heartbeat for \d+ ms \(limit 800 ms\)/);
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('liveness timing is per agent; a liveness timeout not above the heartbeat interval is refused', async () => {
    const run = await start('go-silent', { livenessTimeoutMs: 2500 });
    expect(await ended(run.runId, 15_000)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record.exit?.reason).toBe('hung');
    expect(record.exit?.explanation).toMatch(/limit 2500 ms/);
    expect(record.options.livenessTimeoutMs).toBe(2500);
    await expect(
      start('ok', { name: 'bad-timing', heartbeatIntervalMs: 500, livenessTimeoutMs: 400 }),
    ).rejects.toMatchObject({ code: -32602, message: /must be longer than heartbeatIntervalMs/ });
  });

  it('a runner over its memory limit is killed and classified oom', async () => {
    const run = await start('grow-memory', { command: undefined, maxMemoryMb: 150 });
    expect(await ended(run.runId, 15_000)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record.exit?.reason).toBe('oom');
    expect(record.exit?.evidence).toMatchObject({ memory: { limitBytes: 150 * 1024 * 1024 } });
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('memory of the whole process group counts: a child over the limit makes the run oom', async () => {
    const run = await start('child-hog', { command: undefined, maxMemoryMb: 150 });
    expect(await ended(run.runId, 15_000)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record.exit?.reason).toBe('oom');
    expect(record.exit?.evidence).toMatchObject({ memory: { limitBytes: 150 * 1024 * 1024 } });
    // The runner alone stays far below the limit (~50 MiB): only the group's sum can cross it.
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('a completed run restarts under always, not under on-failure', async () => {
    const always = await start('done', {
      name: 'always',
      restart: { mode: 'always', backoff: { initialMs: 50, jitter: 0 } },
    });
    await waitFor(() => (supervisor.get(always.runId)?.attempt ?? 0) >= 2, 5000);
    expect(supervisor.get(always.runId)?.lastReasons[0]?.reason).toBe('completed');
    const onFailure = await start('done', { name: 'onfail', restart: { mode: 'on-failure' } });
    expect(await ended(onFailure.runId)).toBe(true);
    expect(supervisor.get(onFailure.runId)).toMatchObject({
      state: 'exited',
      attempt: 1,
      exit: { reason: 'completed' },
    });
  });
});
