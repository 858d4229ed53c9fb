import { describe, expect, it } from 'vitest';
import { escalateStop, type ShutdownAnswer, type StopCollaborators } from './escalate-stop.js';
import { DAEMON_STOP_KILL_WAIT_MS, DAEMON_STOP_MARGIN_MS } from './stop-budget.js';

/**
 * A daemon on a fake clock: `answer` is what system.shutdown gives after `answerAfterMs`;
 * the process exits at `exitsAt` (ms on the fake clock), or on the signal named in `diesOn`.
 */
function fakeDaemon(options: {
  answer: ShutdownAnswer;
  answerAfterMs?: number;
  exitsAt?: number;
  diesOn?: 'SIGTERM' | 'SIGKILL';
  exitsAfterSignalMs?: number;
}) {
  let now = 0;
  let exitsAt = options.exitsAt ?? Infinity;
  const signals: { name: string; at: number }[] = [];
  let askedWithTimeout: number | undefined;
  const io: StopCollaborators = {
    async requestShutdown(timeoutMs) {
      askedWithTimeout = timeoutMs;
      const after = options.answerAfterMs ?? 0;
      if (after > timeoutMs) {
        now += timeoutMs;
        return { kind: 'timeout' };
      }
      now += after;
      return options.answer;
    },
    isAlive: () => now < exitsAt,
    signal(name) {
      signals.push({ name, at: now });
      if (name === 'SIGKILL' || name === options.diesOn) {
        exitsAt = Math.min(exitsAt, now + (options.exitsAfterSignalMs ?? 0));
      }
    },
    async sleep(ms) {
      now += Math.max(1, ms);
    },
    now: () => now,
  };
  return { io, signals, timeout: () => askedWithTimeout };
}

const run = { runId: 'r-1', name: 'watch', state: 'exited', exit: null };

describe('escalateStop', () => {
  it('a daemon that honours wait answers after its runs stopped and exits: rpc, no signal', async () => {
    const daemon = fakeDaemon({
      answer: { kind: 'answered', reply: { stopping: true, activeRuns: 1, runs: [run] } },
      answerAfterMs: 3_600_000,
      exitsAt: 3_600_200,
    });
    const result = await escalateStop(daemon.io, 3_600_000);
    expect(daemon.timeout()).toBe(3_600_000 + DAEMON_STOP_MARGIN_MS);
    expect(result).toMatchObject({ how: 'rpc', signalledAt: null, exited: true });
    expect(daemon.signals).toEqual([]);
  });

  it('an older daemon answering at once is given the runs’ budget + margin to exit, not a fixed 20 s', async () => {
    const daemon = fakeDaemon({
      answer: { kind: 'answered', reply: { stopping: true, activeRuns: 1 } },
      exitsAt: 45_000, // its run's 40 s budget, nearly spent
    });
    const result = await escalateStop(daemon.io, 40_000);
    expect(result).toMatchObject({ how: 'rpc', exited: true });
    expect(result.tookMs).toBeGreaterThanOrEqual(45_000);
    expect(daemon.signals).toEqual([]);
  });

  it('no answer within budget + margin: SIGTERM, and the budget + margin again before SIGKILL', async () => {
    const daemon = fakeDaemon({
      answer: { kind: 'answered', reply: { stopping: true, activeRuns: 1 } },
      answerAfterMs: Infinity,
    });
    const result = await escalateStop(daemon.io, 5_000);
    const wait = 5_000 + DAEMON_STOP_MARGIN_MS;
    expect(daemon.signals.map((s) => s.name)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(daemon.signals[0]?.at).toBe(wait);
    expect(daemon.signals[1]?.at).toBeGreaterThanOrEqual(2 * wait);
    expect(result).toMatchObject({ how: 'sigkill', signalledAt: wait, exited: true });
  });

  it('a daemon that exits on SIGTERM: how sigterm', async () => {
    const daemon = fakeDaemon({
      answer: { kind: 'answered', reply: { stopping: true, activeRuns: 0 } },
      answerAfterMs: Infinity,
      diesOn: 'SIGTERM',
      exitsAfterSignalMs: 300,
    });
    const result = await escalateStop(daemon.io, 0);
    expect(daemon.signals.map((s) => s.name)).toEqual(['SIGTERM']);
    expect(result).toMatchObject({ how: 'sigterm', exited: true });
  });

  it('an unreachable daemon is signalled at once', async () => {
    const daemon = fakeDaemon({
      answer: { kind: 'unreachable', message: 'connect ECONNREFUSED' },
      diesOn: 'SIGTERM',
    });
    const result = await escalateStop(daemon.io, 0);
    expect(daemon.signals).toEqual([{ name: 'SIGTERM', at: 0 }]);
    expect(result.how).toBe('sigterm');
  });

  it('a daemon that survives SIGKILL is reported as not exited', async () => {
    const daemon = fakeDaemon({ answer: { kind: 'unreachable', message: 'x' } });
    const io = { ...daemon.io, isAlive: () => true };
    const result = await escalateStop(io, 0);
    expect(result).toMatchObject({ how: 'sigkill', exited: false });
    expect(result.tookMs).toBeGreaterThanOrEqual(DAEMON_STOP_MARGIN_MS + DAEMON_STOP_KILL_WAIT_MS);
  });
});
