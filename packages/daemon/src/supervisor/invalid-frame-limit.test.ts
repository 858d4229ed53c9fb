import { describe, expect, it } from 'vitest';
import { InvalidFrameLimit } from './invalid-frame-limit.js';

describe('InvalidFrameLimit', () => {
  it('tolerates perMinute invalid frames within 60 s and is exceeded by one more', () => {
    const limit = new InvalidFrameLimit(3);
    expect([0, 1_000, 2_000].map((t) => limit.exceeded(t))).toEqual([false, false, false]);
    expect(limit.exceeded(59_000)).toBe(true);
  });

  it('forgets frames older than 60 s', () => {
    const limit = new InvalidFrameLimit(2);
    limit.exceeded(0);
    limit.exceeded(10_000);
    expect(limit.exceeded(60_000)).toBe(false); // the frame at 0 left the window
    expect(limit.exceeded(60_001)).toBe(true);
  });

  it('a limit of 0 is exceeded by the first invalid frame', () => {
    expect(new InvalidFrameLimit(0).exceeded(5)).toBe(true);
  });
});
