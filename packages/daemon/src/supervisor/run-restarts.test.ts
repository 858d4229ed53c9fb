import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import { RunRestarts } from './run-restarts.js';

const policy: RestartPolicy = {
  ...DEFAULT_RESTART_POLICY,
  mode: 'always',
  backoff: { initialMs: 100, multiplier: 2, maxMs: 10_000, jitter: 0 },
  intensity: { maxRestarts: 2, periodMs: 60_000 },
};
const nextImmediate = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RunRestarts', () => {
  it('backs off longer with each failure in a row; an operator restart starts over', () => {
    const restarts = new RunRestarts(policy, undefined, () => 0.5);
    expect(restarts.decide('crashed', 0, 1_000)).toMatchObject({ action: 'restart', delayMs: 100 });
    expect(restarts.decide('crashed', 0, 1_100)).toMatchObject({ action: 'restart', delayMs: 200 });
    restarts.resetFailures();
    expect(restarts.decide('crashed', 0, 1_300)).toMatchObject({ action: 'restart', delayMs: 100 });
  });

  it('counts policy restarts toward the intensity, carried over from a history', () => {
    const restarts = new RunRestarts(policy, { restartTimes: [1_000], consecutiveFailures: 0 });
    restarts.counted(2_000);
    expect(restarts.decide('crashed', 0, 3_000)).toMatchObject({
      action: 'terminal',
      state: 'failed',
    });
  });

  it('runs a zero delay at the next turn of the event loop, without a timer', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const restart = vi.fn();
    new RunRestarts(policy).schedule(restart, 0);
    expect(restart).not.toHaveBeenCalled();
    await nextImmediate();
    expect(restart).toHaveBeenCalledTimes(1);
    expect(timers).not.toHaveBeenCalled();
  });

  it('cancels a pending restart of either kind, and a new one replaces it', async () => {
    const restarts = new RunRestarts(policy);
    const cancelled = vi.fn();
    restarts.schedule(cancelled, 0);
    restarts.cancel();
    restarts.schedule(cancelled, 5);
    restarts.cancel();
    const replaced = vi.fn();
    const kept = vi.fn();
    restarts.schedule(replaced, 0);
    restarts.schedule(kept, 5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(cancelled).not.toHaveBeenCalled();
    expect(replaced).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});
