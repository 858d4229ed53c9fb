import { describe, expect, it } from 'vitest';
import { HookQueue, type DeliveryResult, type QueuedEvent } from './hook-queue.js';

const event = (id: number, bytes = 10): QueuedEvent => ({
  id,
  type: 'log',
  json: 'x'.repeat(bytes),
  bytes,
});

function queue(
  deliver: (event: QueuedEvent, signal: AbortSignal) => Promise<DeliveryResult>,
  maxEvents = 3,
  maxBytes = 1000,
) {
  return new HookQueue({ name: 'h', kind: 'command', on: ['log'], maxEvents, maxBytes, deliver });
}

describe('HookQueue', () => {
  it('delivers one at a time, in order, and counts failures with the last error', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    const q = queue(async ({ id }) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(id);
      inFlight -= 1;
      return id === 2 ? { ok: false, error: 'boom' } : { ok: true };
    });
    [1, 2, 3].forEach((id) => q.push(event(id)));
    await q.close(5_000);
    expect(seen).toEqual([1, 2, 3]);
    expect(most).toBe(1);
    expect(q.stats).toMatchObject({
      delivered: 2,
      failed: 1,
      dropped: 0,
      lastError: 'boom',
      queued: 0,
    });
  });

  it('a hanging delivery: push never waits, the queue holds maxEvents, the rest is dropped and counted', async () => {
    const q = queue(
      (_event, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ ok: false, error: 'aborted' })),
        ),
    );
    for (let id = 1; id <= 10; id += 1) {
      q.push(event(id));
    }
    // 1 in delivery, 3 waiting, 6 dropped.
    expect(q.stats).toMatchObject({ busy: true, queued: 3, queuedBytes: 30, dropped: 6 });
    const started = Date.now();
    await q.close(50);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(q.stats).toMatchObject({ queued: 0, failed: 1, dropped: 6 });
  });

  it('the byte bound drops an event that does not fit, and a smaller one still gets in', () => {
    const q = queue(() => new Promise(() => undefined), 100, 100);
    q.push(event(1, 10)); // in delivery
    q.push(event(2, 60));
    q.push(event(3, 60)); // 120 > 100: dropped
    q.push(event(4, 40));
    expect(q.stats).toMatchObject({ queued: 2, queuedBytes: 100, dropped: 1 });
  });

  it('a deliverer that throws counts as a failure and the queue goes on', async () => {
    let calls = 0;
    const q = queue(async () => {
      calls += 1;
      if (calls === 1) {
        throw new Error('bug');
      }
      return { ok: true };
    });
    q.push(event(1));
    q.push(event(2));
    await q.close(5_000);
    expect(q.stats).toMatchObject({ delivered: 1, failed: 1, lastError: 'bug' });
  });
});
