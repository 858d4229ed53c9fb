import { describe, expect, it } from 'vitest';
import type { ExitReason } from './classify-exit.js';
import {
  DEFAULT_RESTART_POLICY,
  decideRestart,
  type RestartInput,
  type RestartPolicy,
} from './restart-policy.js';

const policy = (
  mode: RestartPolicy['mode'],
  extra: Partial<RestartPolicy> = {},
): RestartPolicy => ({
  ...DEFAULT_RESTART_POLICY,
  mode,
  ...extra,
});
const input = (over: Partial<RestartInput>): RestartInput => ({
  policy: policy('on-failure'),
  reason: 'crashed',
  uptimeMs: 5000,
  consecutiveFailures: 0,
  restartTimes: [],
  now: 1_000_000,
  random: 0.5,
  ...over,
});

describe('decideRestart', () => {
  const table: [string, Partial<RestartInput>, string, string | null][] = [
    ['no: a crash is terminal failed', { policy: policy('no') }, 'terminal', 'failed'],
    [
      'no: completed is terminal exited',
      { policy: policy('no'), reason: 'completed' },
      'terminal',
      'exited',
    ],
    ['on-failure: a crash restarts', {}, 'restart', null],
    ['on-failure: completed is terminal exited', { reason: 'completed' }, 'terminal', 'exited'],
    [
      'always: completed restarts',
      { policy: policy('always'), reason: 'completed' },
      'restart',
      null,
    ],
    [
      'always: a user stop is terminal exited',
      { policy: policy('always'), reason: 'stopped' },
      'terminal',
      'exited',
    ],
    [
      'always: config_error is never restarted',
      { policy: policy('always'), reason: 'config_error' },
      'terminal',
      'failed',
    ],
    [
      'always: spawn_failed is never restarted',
      { policy: policy('always'), reason: 'spawn_failed' },
      'terminal',
      'failed',
    ],
    ...(
      [
        'signaled',
        'oom',
        'hung',
        'protocol_error',
        'handshake_failed',
        'failed',
        'daemon_lost',
      ] as ExitReason[]
    ).map((reason): [string, Partial<RestartInput>, string, string | null] => [
      `on-failure: ${reason} restarts`,
      { reason },
      'restart',
      null,
    ]),
  ];
  it.each(table)('%s', (_title, over, action, state) => {
    const decision = decideRestart(input(over));
    expect(decision.action).toBe(action);
    if (decision.action === 'terminal') {
      expect(decision.state).toBe(state);
    }
  });

  it('backoff doubles with consecutive failures, capped at maxMs (no jitter at random 0.5)', () => {
    const delays = [0, 1, 2, 3, 6, 7, 20].map((n) => {
      const decision = decideRestart(input({ consecutiveFailures: n }));
      return decision.action === 'restart' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });

  it('jitter moves the delay by at most ±10 %', () => {
    const low = decideRestart(input({ random: 0 }));
    const high = decideRestart(input({ random: 0.999_999 }));
    expect(low.action === 'restart' && low.delayMs).toBe(900);
    expect(high.action === 'restart' && high.delayMs).toBe(1100);
  });

  it('a failure before ready (uptime 0) still waits the initial delay', () => {
    const decision = decideRestart(input({ uptimeMs: 0, reason: 'handshake_failed', random: 0 }));
    expect(decision).toMatchObject({ action: 'restart', delayMs: 900 });
  });

  it('an attempt up for resetAfterMs resets the backoff', () => {
    const decision = decideRestart(input({ uptimeMs: 60_000, consecutiveFailures: 5 }));
    expect(decision).toMatchObject({ action: 'restart', delayMs: 1000, consecutiveFailures: 1 });
  });

  it('counts consecutive failures up, and a completed restart (always) back to 0', () => {
    expect(decideRestart(input({ consecutiveFailures: 2 }))).toMatchObject({
      consecutiveFailures: 3,
    });
    expect(
      decideRestart(
        input({ policy: policy('always'), reason: 'completed', consecutiveFailures: 2 }),
      ),
    ).toMatchObject({
      consecutiveFailures: 0,
      delayMs: 1000,
    });
  });

  it('restart intensity: the 6th failure within 60 s is terminal failed, whatever the uptimes', () => {
    const now = 1_000_000;
    const restartTimes = [now - 50_000, now - 40_000, now - 30_000, now - 20_000, now - 10_000];
    expect(
      decideRestart(input({ restartTimes: restartTimes.slice(0, 4), uptimeMs: 9000 })).action,
    ).toBe('restart');
    const decision = decideRestart(input({ restartTimes, uptimeMs: 9000 }));
    expect(decision).toMatchObject({ action: 'terminal', state: 'failed' });
    expect(decision.explanation).toMatch(
      /restart intensity exceeded: 5 restart\(s\) within 60000 ms/,
    );
  });

  it('restart intensity only counts restarts inside the period', () => {
    const now = 1_000_000;
    const old = [now - 61_000, now - 62_000, now - 63_000, now - 64_000, now - 65_000];
    expect(decideRestart(input({ restartTimes: old })).action).toBe('restart');
  });

  it('a backoff that overflows (multiplier 100, 160 failures) is maxMs, never NaN; initialMs 0 stays 0', () => {
    const input = (initialMs: number) => ({
      policy: {
        ...DEFAULT_RESTART_POLICY,
        mode: 'always' as const,
        backoff: { initialMs, multiplier: 100, maxMs: 60_000, jitter: 0 },
        intensity: { maxRestarts: 100, periodMs: 1 },
      },
      reason: 'crashed' as const,
      uptimeMs: 0,
      consecutiveFailures: 160,
      restartTimes: [],
      now: 1_000_000,
      random: 0.5,
    });
    expect(decideRestart(input(0))).toMatchObject({ action: 'restart', delayMs: 0 });
    expect(decideRestart(input(1000))).toMatchObject({ action: 'restart', delayMs: 60_000 });
  });
});
