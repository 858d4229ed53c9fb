import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../persistence/records.js';
import type { ExitReason } from './classify-exit.js';
import { restartHistory } from './restart-history.js';

function attempt(
  n: number,
  startedAt: number,
  reason: ExitReason | null,
  upMs = 100,
): AttemptRecord {
  return {
    runId: 'r-1',
    attempt: n,
    pid: 1000 + n,
    pgid: 1000 + n,
    procStart: 1,
    startedAt,
    readyAt: startedAt + 10,
    endedAt: reason === null ? null : startedAt + 10 + upMs,
    exit:
      reason === null
        ? null
        : {
            reason,
            stopPhase: null,
            explanation: reason,
            exitCode: 1,
            signal: null,
            evidence: {},
          },
  };
}

const policy = { resetAfterMs: 60_000 };

describe('restartHistory', () => {
  it.each([
    ['no attempts', [], [], 0],
    ['one attempt still running', [attempt(1, 0, null)], [], 0],
    [
      'three crashes, the last one still running',
      [attempt(1, 0, 'crashed'), attempt(2, 1000, 'crashed'), attempt(3, 3000, null)],
      [1000, 3000],
      2,
    ],
    [
      'a stable attempt resets the failure count',
      [attempt(1, 0, 'crashed'), attempt(2, 1000, 'crashed', 120_000), attempt(3, 200_000, 'oom')],
      [1000, 200_000],
      1,
    ],
    [
      'a completed attempt resets the failure count',
      [attempt(1, 0, 'hung'), attempt(2, 1000, 'completed'), attempt(3, 2000, 'crashed')],
      [1000, 2000],
      1,
    ],
  ] as const)('%s', (_name, attempts, restartTimes, consecutiveFailures) => {
    expect(restartHistory(attempts, policy)).toEqual({ restartTimes, consecutiveFailures });
  });

  it('keeps at most the last 100 restart times', () => {
    const attempts = Array.from({ length: 150 }, (_, i) => attempt(i + 1, i * 10, 'crashed'));
    const history = restartHistory(attempts, policy);
    expect(history.restartTimes).toHaveLength(100);
    expect(history.restartTimes.at(-1)).toBe(1490);
    expect(history.consecutiveFailures).toBe(150);
  });
});
