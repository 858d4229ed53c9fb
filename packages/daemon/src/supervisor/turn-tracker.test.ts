import { describe, expect, it } from 'vitest';
import { MAX_TURNS_IN_FLIGHT, TurnTracker } from './turn-tracker.js';

const ok = (turnId: string, output: unknown = 'done') =>
  ({ type: 'turn_result', turnId, status: 'ok', output, durationMs: 5 }) as const;

describe('TurnTracker', () => {
  it('numbers turns t-1, t-2, … from the first number given', () => {
    const fresh = new TurnTracker('r-1');
    expect([fresh.submit('a', 1).turnId, fresh.submit('b', 1).turnId]).toEqual(['t-1', 't-2']);
    const resumed = new TurnTracker('r-1', 8);
    expect(resumed.submit(null, 2)).toMatchObject({ turnId: 't-8', attempt: 2, status: 'pending' });
  });

  it('settles a turn with its turn_result and answers its waiter', async () => {
    const tracker = new TurnTracker('r-1', 1, () => 1000);
    const turn = tracker.submit({ q: 1 }, 1);
    const waited = tracker.wait(turn.turnId);
    const settled = tracker.settle(ok(turn.turnId, { a: 2 }));
    expect(settled).toMatchObject({
      status: 'ok',
      output: { a: 2 },
      durationMs: 5,
      finishedAt: 1000,
    });
    await expect(waited).resolves.toEqual(settled);
    expect(tracker.inFlight).toBe(0);
  });

  it('fail ends one undeliverable turn as error, answers its waiter, and ignores a turn not in flight', async () => {
    let now = 1000;
    const tracker = new TurnTracker('r-1', 1, () => now);
    const turn = tracker.submit({ q: 1 }, 1);
    const other = tracker.submit({ q: 2 }, 1);
    const waited = tracker.wait(turn.turnId);
    now = 1040;
    const failed = tracker.fail(turn.turnId, 'could not be delivered to the runner: busy');
    expect(failed).toMatchObject({
      status: 'error',
      error: 'could not be delivered to the runner: busy',
      durationMs: 40,
      finishedAt: 1040,
    });
    await expect(waited).resolves.toEqual(failed);
    expect(tracker.fail(turn.turnId, 'again')).toBeUndefined();
    expect(tracker.get(other.turnId)?.status).toBe('pending');
  });

  it('a turn_result for an unknown or already settled turn is ignored', () => {
    const tracker = new TurnTracker('r-1');
    const turn = tracker.submit('x', 1);
    expect(tracker.settle(ok('t-99'))).toBeUndefined();
    expect(tracker.settle(ok(turn.turnId))).toBeDefined();
    expect(tracker.settle(ok(turn.turnId))).toBeUndefined();
  });

  it('a wait with a timeout resolves with the pending snapshot, and the turn stays in flight', async () => {
    const tracker = new TurnTracker('r-1');
    const turn = tracker.submit('slow', 1);
    await expect(tracker.wait(turn.turnId, 20)).resolves.toMatchObject({
      turnId: turn.turnId,
      status: 'pending',
    });
    expect(tracker.inFlight).toBe(1);
  });

  it('endAll ends every turn in flight and answers every waiter (no hang)', async () => {
    let now = 100;
    const tracker = new TurnTracker('r-1', 1, () => now);
    const a = tracker.submit('a', 1);
    const b = tracker.submit('b', 1);
    const waits = [tracker.wait(a.turnId), tracker.wait(b.turnId), tracker.wait(b.turnId)];
    now = 350;
    const ended = tracker.endAll('cancelled', 'cancelled: the run was stopped');
    expect(ended.map((t) => [t.turnId, t.status, t.durationMs])).toEqual([
      ['t-1', 'cancelled', 250],
      ['t-2', 'cancelled', 250],
    ]);
    const results = await Promise.all(waits);
    expect(results.map((t) => t?.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(tracker.endAll('error', 'again')).toEqual([]);
  });

  it(`refuses a turn beyond ${MAX_TURNS_IN_FLIGHT} in flight`, () => {
    const tracker = new TurnTracker('r-1');
    for (let i = 0; i < MAX_TURNS_IN_FLIGHT; i += 1) {
      tracker.submit(i, 1);
    }
    expect(tracker.full).toBe(true);
    expect(() => tracker.submit('one more', 1)).toThrow(/1000 turns in flight/);
    tracker.settle(ok('t-1'));
    expect(tracker.full).toBe(false);
  });

  it('waiting on a turn not in flight resolves undefined at once', async () => {
    await expect(new TurnTracker('r-1').wait('t-1', 10_000)).resolves.toBeUndefined();
  });
});
