import { describe, expect, it } from 'vitest';
import type { AttemptRecord, RunRecord } from '../persistence/records.js';
import { runRecord } from '../../test/helpers.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import { planRecovery, type RecoveryInput } from './recovery.js';

const NOW = 1_000_000;
const attempt: AttemptRecord = {
  runId: 'r-1',
  attempt: 1,
  pid: 4242,
  pgid: 4242,
  procStart: 1,
  startedAt: NOW - 60_000,
  readyAt: NOW - 59_000,
  endedAt: null,
  exit: null,
};

function input(
  state: RunRecord['state'],
  mode: 'no' | 'always',
  more: Partial<RecoveryInput> = {},
) {
  const lost: RunRecord = {
    ...runRecord('r-1', 'agent', NOW - 60_000),
    state,
    options: {
      ...runRecord('r-1', 'agent', 0).options,
      restart: { ...DEFAULT_RESTART_POLICY, mode },
    },
  };
  return {
    lost,
    attempts: [attempt],
    lastIteration: undefined,
    reaped: true,
    nameTaken: false,
    now: NOW,
    random: 0.5,
    ...more,
  } satisfies RecoveryInput;
}

describe('planRecovery', () => {
  it.each([
    [
      'a stopping run is ended as stopped even under restart always',
      'stopping',
      'always',
      'end',
      'exited',
      'stopped',
    ],
    [
      'a stopping run with restart no is ended as stopped',
      'stopping',
      'no',
      'end',
      'exited',
      'stopped',
    ],
    [
      'a running run under restart always is restarted as daemon_lost',
      'running',
      'always',
      'restart',
      undefined,
      'daemon_lost',
    ],
    [
      'a running run under restart no fails as daemon_lost',
      'running',
      'no',
      'end',
      'failed',
      'daemon_lost',
    ],
    [
      'a starting run under restart always is restarted',
      'starting',
      'always',
      'restart',
      undefined,
      'daemon_lost',
    ],
  ] as const)('%s', (_title, state, mode, action, endState, reason) => {
    const plan = planRecovery(input(state, mode));
    expect(plan.action).toBe(action);
    expect(plan.exit.reason).toBe(reason);
    if (plan.action === 'end') {
      expect(plan.state).toBe(endState);
    }
    expect(plan.lastReasons.at(-1)).toMatchObject({ attempt: 1, reason, at: NOW });
  });

  it('says whether the survivor was killed or had exited', () => {
    expect(planRecovery(input('stopping', 'no')).exit.explanation).toMatch(
      /completed the stop; its surviving runner \(pid 4242\) was killed/,
    );
    expect(planRecovery(input('stopping', 'no', { reaped: false })).exit.explanation).toMatch(
      /its runner had already exited/,
    );
  });

  it('a run whose name an active run took meanwhile is not restarted', () => {
    const plan = planRecovery(input('running', 'always', { nameTaken: true }));
    expect(plan).toMatchObject({ action: 'end', state: 'failed' });
  });

  it("a run parked by its daemon's shutdown (backoff, no restart time, last attempt stopped) comes back at once, as stopped, not daemon_lost", () => {
    const stopped: AttemptRecord = {
      ...attempt,
      endedAt: NOW - 1000,
      exit: {
        reason: 'stopped',
        stopPhase: 'ipc',
        exitCode: 0,
        signal: null,
        explanation: 'exited on IPC stop (exit code 0)',
        evidence: {},
      },
    };
    const parked = input('backoff', 'always', { attempts: [stopped], reaped: false });
    parked.lost.nextRestartAt = null;
    expect(planRecovery(parked)).toMatchObject({
      action: 'restart',
      delayMs: 0,
      exit: { reason: 'stopped', stderrTail: '' },
      lastReasons: [],
      explanation: expect.stringMatching(
        /^resumed: the daemon was shut down .* \(always\) brings it back$/,
      ),
    });
    // A backoff with a restart time is a lost run in backoff: daemon_lost, as before.
    const inBackoff = input('backoff', 'always', { attempts: [stopped], reaped: false });
    inBackoff.lost.nextRestartAt = NOW + 500;
    expect(planRecovery(inBackoff).exit.reason).toBe('daemon_lost');
    // Its name taken meanwhile: not resumed.
    const taken = input('backoff', 'always', { attempts: [stopped], nameTaken: true });
    taken.lost.nextRestartAt = null;
    expect(planRecovery(taken)).toMatchObject({ action: 'end' });
  });
});
