import { FrameError, IPC_ERROR_CODES } from '@x/ipc';
import { describe, expect, it } from 'vitest';
import { AttemptChecks } from './attempt-checks.js';
import { AttemptTimers } from './attempt-timers.js';

/** AttemptChecks with its kills and log lines recorded. */
function checks(maxInvalidFramesPerMinute = 3) {
  const killed: string[] = [];
  const logged: string[] = [];
  const timers = new AttemptTimers(() => undefined);
  const subject = new AttemptChecks({
    spec: {
      livenessTimeoutMs: 1000,
      memorySampleMs: 1000,
      maxInvalidFramesPerMinute,
      probes: { readiness: null, readinessTimeoutMs: 60_000, liveness: null },
    },
    timers,
    guard: (_what, fn) => fn(),
    kill: (why) => killed.push(why),
    ending: () => false,
    log: (line) => logged.push(line),
  });
  return { subject, killed, logged, timers };
}

const invalid = (n: number) =>
  new FrameError(IPC_ERROR_CODES.INVALID_MESSAGE, `bad frame ${n}`, { frame: n, offset: 0 });

describe('AttemptChecks', () => {
  it('finds nothing until a check fails', () => {
    const { subject } = checks();
    expect(subject.evidence).toEqual({
      liveness: undefined,
      memory: undefined,
      unhealthy: undefined,
      protocolError: undefined,
    });
    expect(subject.resources).toBeNull();
  });

  it('kills the runner once past maxInvalidFramesPerMinute invalid frames, and says why', () => {
    const { subject, killed, logged } = checks(3);
    for (let n = 1; n <= 6; n += 1) {
      subject.channelError(invalid(n));
    }
    expect(logged).toHaveLength(6); // every one is logged
    expect(killed).toEqual([
      'more than 3 invalid frames within 60 s (last: bad frame 4 (frame 4, byte offset 0))',
    ]);
    expect(subject.evidence.protocolError).toBe(killed[0]);
  });

  it("counts neither a newer runner's unknown message type nor an error that is not a frame's", () => {
    const { subject, killed, logged } = checks(1);
    for (let n = 1; n <= 5; n += 1) {
      subject.channelError(
        new FrameError(IPC_ERROR_CODES.UNKNOWN_MESSAGE_TYPE, `type ${n}`, { frame: n, offset: 0 }),
      );
      subject.channelError(new Error('socket reset'));
    }
    expect(logged).toHaveLength(10);
    expect(killed).toEqual([]);
    expect(subject.evidence.protocolError).toBeUndefined();
  });
});
