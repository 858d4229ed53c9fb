import { describe, expect, it } from 'vitest';
import { RepeatLimiter } from './repeat-limiter.js';

/** A limiter on a fake clock whose timer the test fires by hand. */
const setup = (intervalMs = 60_000, maxKeys?: number) => {
  let now = 1_000_000;
  const lines: string[] = [];
  const timers: { due: number; fn: () => void; cancelled: boolean }[] = [];
  const limiter = new RepeatLimiter((line) => lines.push(line), {
    intervalMs,
    maxKeys,
    now: () => now,
    schedule: (fn, ms) => {
      const timer = { due: now + ms, fn, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  });
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.cancelled) {
        continue;
      }
      if (timer.due <= now) {
        timer.fn();
      } else {
        timers.push(timer);
      }
    }
  };
  return { limiter, lines, advance, pendingTimers: () => timers.filter((t) => !t.cancelled) };
};

describe('RepeatLimiter', () => {
  it('writes the first line of a key, counts 999 repeats, and sums them up in one line when the window ends', () => {
    const { limiter, lines, advance } = setup();
    expect(limiter.report('full', 'disk full #0')).toBe(true);
    for (let i = 1; i < 1000; i += 1) {
      expect(limiter.report('full', `disk full #${i}`)).toBe(false);
    }
    expect(lines).toEqual(['disk full #0']);
    advance(60_000);
    expect(lines).toEqual(['disk full #0', 'repeated 999 more time(s) in 60 s: disk full #999']);
    expect(limiter.suppressed).toBe(999);
  });

  it('writes at most one line per interval for a key that repeats for 10 minutes', () => {
    const { limiter, lines, advance } = setup();
    for (let s = 0; s < 600; s += 1) {
      for (let i = 0; i < 100; i += 1) {
        limiter.report('full', 'disk full');
      }
      advance(1000);
    }
    // The first line, then one summary per minute.
    expect(lines.length).toBe(11);
    expect(lines.slice(1).every((line) => line.startsWith('repeated '))).toBe(true);
  });

  it('closes a window without repeats silently, so the next occurrence is written in full', () => {
    const { limiter, lines, advance, pendingTimers } = setup();
    limiter.report('a', 'a once');
    advance(60_000);
    expect(lines).toEqual(['a once']);
    expect(pendingTimers()).toHaveLength(0);
    limiter.report('a', 'a again');
    expect(lines).toEqual(['a once', 'a again']);
  });

  it('keeps distinct keys apart', () => {
    const { limiter, lines } = setup();
    limiter.report('a', 'a');
    limiter.report('b', 'b');
    limiter.report('a', 'a');
    expect(lines).toEqual(['a', 'b']);
  });

  it('closes a window whose timer is late before counting the next repeat', () => {
    const lines: string[] = [];
    const clock = { now: 0 };
    const late = new RepeatLimiter((line) => lines.push(line), {
      intervalMs: 1000,
      now: () => clock.now,
      schedule: () => () => undefined,
    });
    late.report('k', 'first');
    late.report('k', 'second');
    clock.now = 5000;
    late.report('k', 'third');
    expect(lines).toEqual(['first', 'repeated 1 more time(s) in 5 s: second']);
  });

  it('holds at most maxKeys keys: the oldest is closed (with its summary) to make room', () => {
    const { limiter, lines } = setup(60_000, 2);
    limiter.report('a', 'a');
    limiter.report('a', 'a');
    limiter.report('b', 'b');
    limiter.report('c', 'c');
    expect(lines).toEqual(['a', 'b', 'repeated 1 more time(s) in 0 s: a', 'c']);
  });

  it('flush writes every pending summary and forgets the keys', () => {
    const { limiter, lines, pendingTimers } = setup();
    limiter.report('a', 'a');
    limiter.report('a', 'a');
    limiter.flush();
    expect(lines).toEqual(['a', 'repeated 1 more time(s) in 0 s: a']);
    expect(pendingTimers()).toHaveLength(0);
    limiter.report('a', 'a');
    expect(lines).toHaveLength(3);
  });

  it('with settleMs, sums up repeats once they stop for that long, then counts on in a new window', () => {
    let now = 0;
    const lines: string[] = [];
    const timers: { due: number; fn: () => void; cancelled: boolean }[] = [];
    const limiter = new RepeatLimiter((line) => lines.push(line), {
      intervalMs: 60_000,
      burst: 2,
      settleMs: 5_000,
      now: () => now,
      schedule: (fn, ms) => {
        const timer = { due: now + ms, fn, cancelled: false };
        timers.push(timer);
        return () => (timer.cancelled = true);
      },
    });
    const due = () => timers.filter((t) => !t.cancelled).map((t) => t.due);
    limiter.report('state', 'down');
    limiter.report('state', 'up');
    limiter.report('state', 'down');
    now = 1_000;
    limiter.report('state', 'up');
    expect(lines).toEqual(['down', 'up']);
    expect(due()).toEqual([6_000]);
    now = 6_000;
    timers.find((t) => !t.cancelled)!.fn();
    expect(lines).toEqual(['down', 'up', 'repeated 2 more time(s) in 6 s: up']);
    // Counting mode: the next change is counted, and settles the same way.
    limiter.report('state', 'down');
    expect(lines).toHaveLength(3);
  });

  it('uses the summary given with the latest repeat', () => {
    const { limiter, lines, advance } = setup();
    limiter.report('k', 'x');
    limiter.report('k', 'y', (count, latest) => `${count}× ${latest}`);
    advance(60_000);
    expect(lines).toEqual(['x', '1× y']);
  });
});
