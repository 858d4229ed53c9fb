import type { RunRecord } from '@x/daemon';
import { describe, expect, it } from 'vitest';
import type { StopEscalation } from './escalate-stop.js';
import { describeOutcome, runOutcomes } from './run-outcomes.js';
import { longestStopBudgetMs } from './stop-budget.js';

const record = (runId: string, state: string, extra: Partial<RunRecord> = {}): RunRecord =>
  ({
    runId,
    name: `n-${runId}`,
    state,
    endedAt: null,
    exit: null,
    options: { stopBudget: { ipcMs: 2000, sigtermMs: 3000 } },
    ...extra,
  }) as RunRecord;

const stopped = {
  reason: 'stopped',
  stopPhase: 'ipc',
  explanation: 'exited on IPC stop (exit code 0)',
} as const;

const escalation = (
  how: StopEscalation['how'],
  answer: StopEscalation['answer'],
): StopEscalation => ({
  how,
  answer,
  signalledAt: how === 'rpc' ? null : 1000,
  exited: true,
  tookMs: 0,
});

describe('longestStopBudgetMs', () => {
  it('the longest ipc + sigterm budget of the active runs; finished runs do not count', () => {
    expect(
      longestStopBudgetMs([
        record('a', 'running', {
          options: { stopBudget: { ipcMs: 3_600_000, sigtermMs: 3000 } },
        } as Partial<RunRecord>),
        record('b', 'backoff'),
        record('c', 'exited', {
          options: { stopBudget: { ipcMs: 9e6, sigtermMs: 0 } },
        } as Partial<RunRecord>),
      ]),
    ).toBe(3_603_000);
    expect(longestStopBudgetMs([])).toBe(0);
  });
});

describe('runOutcomes', () => {
  it("takes the daemon's own report when it gives one", () => {
    const { runs, from } = runOutcomes(
      [record('a', 'running')],
      escalation('rpc', {
        kind: 'answered',
        reply: {
          stopping: true,
          activeRuns: 1,
          runs: [{ runId: 'a', name: 'watch', state: 'exited', exit: stopped }],
        },
      }),
      0,
      null,
    );
    expect(from).toBe('daemon');
    expect(runs).toEqual([
      {
        runId: 'a',
        name: 'watch',
        state: 'exited',
        exit: stopped,
        stoppedAfterMs: null,
        mayBeCutShort: false,
      },
    ]);
    expect(describeOutcome(runs[0])).toBe(
      'watch (run a): stopped in the ipc phase: exited on IPC stop (exit code 0)',
    );
  });

  it('an older daemon: from the database, with the time from the request to the end', () => {
    const { runs, from } = runOutcomes(
      [record('a', 'running'), record('old', 'exited')],
      escalation('rpc', { kind: 'answered', reply: { stopping: true, activeRuns: 1 } }),
      10_000,
      new Map([
        [
          'a',
          record('a', 'exited', { exit: { ...stopped } as RunRecord['exit'], endedAt: 10_012 }),
        ],
      ]),
    );
    expect(from).toBe('database');
    expect(runs.map(describeOutcome)).toEqual([
      'n-a (run a): stopped in the ipc phase after 12ms: exited on IPC stop (exit code 0)',
    ]);
  });

  it('after SIGKILL, a run whose end was never recorded may have been cut short', () => {
    const { runs } = runOutcomes(
      [record('a', 'running'), record('b', 'running')],
      escalation('sigkill', { kind: 'timeout' }),
      0,
      new Map([
        ['a', record('a', 'running')],
        ['b', record('b', 'exited', { exit: { ...stopped } as RunRecord['exit'], endedAt: 5 })],
      ]),
    );
    expect(runs.map((run) => [run.runId, run.mayBeCutShort])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(describeOutcome(runs[0])).toMatch(/^n-a \(run a\): may have been cut short/);
  });

  it('nothing to read: the outcome is said to be unknown, not invented', () => {
    const { runs, from } = runOutcomes(
      [record('a', 'running')],
      escalation('rpc', { kind: 'answered', reply: { stopping: true, activeRuns: 1 } }),
      0,
      null,
    );
    expect(from).toBeNull();
    expect(runs[0]).toMatchObject({ state: null, exit: null, mayBeCutShort: false });
    expect(describeOutcome(runs[0])).toMatch(/outcome not reported/);
  });
});
