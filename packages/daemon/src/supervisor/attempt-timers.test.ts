import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttemptTimers } from './attempt-timers.js';

describe('AttemptTimers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each([
    [
      'a callback that throws',
      () => {
        throw new Error('sync');
      },
      'sync',
    ],
    ['a callback that rejects', () => Promise.reject(new Error('async')), 'async'],
  ] as const)('%s is reported as a fault of "a timer"', async (_title, fn, message) => {
    const faults: [string, unknown][] = [];
    const timers = new AttemptTimers((what, error) => faults.push([what, error]));
    timers.after(10, fn);
    await vi.advanceTimersByTimeAsync(10);
    expect(faults).toHaveLength(1);
    expect(faults[0]?.[0]).toBe('a timer');
    expect((faults[0]?.[1] as Error).message).toBe(message);
  });

  it('clear() cancels pending timeouts and intervals and disposes watches', async () => {
    const timers = new AttemptTimers(() => undefined);
    const calls: string[] = [];
    timers.after(10, () => void calls.push('after'));
    timers.every(5, () => void calls.push('every'));
    timers.hold({ dispose: () => void calls.push('disposed') });
    await vi.advanceTimersByTimeAsync(5);
    timers.clear();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['every', 'disposed']);
  });
});
