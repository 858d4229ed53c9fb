import { describe, expect, it } from 'vitest';
import { UsageBarrier } from './usage-barrier.js';

describe('UsageBarrier', () => {
  it('one round trip after reports, shared by concurrent waiters; none when nothing was sent', async () => {
    let trips = 0;
    let answer!: () => void;
    const barrier = new UsageBarrier(() => {
      trips += 1;
      return new Promise<void>((resolve) => (answer = resolve));
    });
    await barrier.seen(); // nothing sent: no trip
    expect(trips).toBe(0);
    barrier.sent();
    barrier.sent();
    const order: string[] = [];
    const first = barrier.seen().then(() => order.push('first'));
    const second = barrier.seen().then(() => order.push('second')); // waits for the same trip
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([trips, order]).toEqual([1, []]);
    answer();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    await barrier.seen();
    expect(trips).toBe(1);
  });

  it('a failed round trip resolves (the supervisor is gone); without one, reports count as seen', async () => {
    const failing = new UsageBarrier(() => Promise.reject(new Error('closed')));
    failing.sent();
    await expect(failing.seen()).resolves.toBeUndefined();
    const none = new UsageBarrier(undefined);
    none.sent();
    await expect(none.seen()).resolves.toBeUndefined();
  });
});
