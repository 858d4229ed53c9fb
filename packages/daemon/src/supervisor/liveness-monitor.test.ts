import { describe, expect, it } from 'vitest';
import { LivenessMonitor } from './liveness-monitor.js';

/** A monitor on a fake monotonic clock: timeout 1000 ms, checks every 250 ms (step 500). */
function monitor() {
  let now = 0;
  const liveness = new LivenessMonitor(1000, 500, () => now);
  return {
    liveness,
    advance: (ms: number) => (now += ms),
  };
}

describe('LivenessMonitor', () => {
  it.each([
    [
      'a runner that beats every 250 ms is never hung',
      [250, 'beat', 250, 'beat', 250, 'beat'],
      false,
    ],
    ['1250 ms of silence checked every 250 ms is hung', [250, 250, 250, 250, 250], true],
    ['1000 ms of silence exactly is not (over, not at)', [250, 250, 250, 250], false],
    ['a 12 s daemon stall with heartbeats read after it is not hung', [250, 12_000, 'beat'], false],
    ['a 12 s daemon stall, checked before any heartbeat, counts only 500 ms', [250, 12_000], false],
    [
      'a runner silent before and after a stall is hung by its own silence',
      [250, 250, 12_000, 250, 250, 250],
      true,
    ],
  ] as const)('%s', (_title, steps, hung) => {
    const { liveness, advance } = monitor();
    let last = { silenceMs: 0, hung: false };
    for (const step of steps) {
      if (step === 'beat') {
        liveness.beat();
      } else {
        advance(step);
      }
      last = liveness.check();
    }
    expect(last.hung).toBe(hung);
  });

  it('reports the silence counted against the runner, without the stall', () => {
    const { liveness, advance } = monitor();
    advance(250);
    liveness.check();
    advance(10_000);
    expect(liveness.check().silenceMs).toBe(750);
  });
});
