import { describe, expect, it } from 'vitest';
import { PauseGate } from './pause-gate.js';

describe('PauseGate', () => {
  it('open → paused (with the reason) → open, telling its listener of each change once', () => {
    const changes: boolean[] = [];
    const gate = new PauseGate((paused) => changes.push(paused));
    expect([gate.paused, gate.reason]).toEqual([false, undefined]);
    expect(gate.pause('budget')).toBe(true);
    expect([gate.paused, gate.reason]).toEqual([true, 'budget']);
    expect(gate.resume()).toBe(true);
    expect([gate.paused, gate.reason]).toEqual([false, undefined]);
    expect(changes).toEqual([true, false]);
  });

  it('pausing a paused gate replaces the reason without a second change; resuming an open one does nothing', () => {
    const changes: boolean[] = [];
    const gate = new PauseGate((paused) => changes.push(paused));
    expect(gate.resume()).toBe(false);
    gate.pause('first');
    expect(gate.pause('second')).toBe(false);
    expect(gate.reason).toBe('second');
    expect(changes).toEqual([true]);
  });

  it('an empty reason still pauses', () => {
    const gate = new PauseGate();
    gate.pause('');
    expect(gate.paused).toBe(true);
  });

  it('whenOpen resolves at once when open, else at the resume; an abort rejects with its reason and leaves', async () => {
    const gate = new PauseGate();
    const live = new AbortController();
    await gate.whenOpen(live.signal);
    gate.pause('budget');
    const events: string[] = [];
    const waiting = gate.whenOpen(live.signal).then(() => events.push('resumed'));
    const aborted = new AbortController();
    const leaving = gate.whenOpen(aborted.signal).catch((error: unknown) => {
      events.push(`rejected: ${(error as Error).message}`);
    });
    aborted.abort(new Error('stopping'));
    await leaving;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['rejected: stopping']);
    gate.resume();
    await waiting;
    expect(events).toEqual(['rejected: stopping', 'resumed']);
    await expect(gate.whenOpen(aborted.signal)).resolves.toBeUndefined(); // open: no wait
    gate.pause('again');
    await expect(gate.whenOpen(aborted.signal)).rejects.toThrow('stopping');
  });
});
