import { describe, expect, it } from 'vitest';
import {
  buildAttemptExit,
  supervisorErrorExit,
  workerErrorTrace,
  type AttemptExitInput,
} from './attempt-exit.js';

/** A ready agent attempt that exited 0 after 5 s, with no stop, fault or setup failure. */
const base: AttemptExitInput = {
  exit: { exitCode: 0, signal: null },
  handshake: 'completed',
  handshakeError: undefined,
  stopPhase: undefined,
  protocolError: undefined,
  liveness: undefined,
  memory: undefined,
  unhealthy: undefined,
  service: false,
  exitFrame: { reason: 'done', iterations: 2 },
  supervisorError: undefined,
  setupError: undefined,
  stderrTail: '',
  readyAt: 1_000,
  endedAt: 6_000,
  lastHeartbeatAt: null,
};

describe('buildAttemptExit', () => {
  const table: [
    string,
    Partial<AttemptExitInput>,
    { reason: string; stopPhase: string | null; explanation?: RegExp; evidence?: object },
  ][] = [
    [
      'a clean exit 0 is completed, with its uptime since ready',
      {},
      {
        reason: 'completed',
        stopPhase: null,
        evidence: { uptimeMs: 5_000, handshake: 'completed' },
      },
    ],
    [
      'an attempt that never became ready has an uptime of 0',
      {
        readyAt: null,
        handshake: 'failed',
        handshakeError: 'no ready',
        exit: { exitCode: null, signal: 'SIGKILL' },
      },
      {
        reason: 'handshake_failed',
        stopPhase: null,
        evidence: { uptimeMs: 0, handshakeError: 'no ready' },
      },
    ],
    [
      'V8 heap exhaustion in the stderr tail is evidence of oom',
      {
        exit: { exitCode: null, signal: 'SIGABRT' },
        exitFrame: undefined,
        stderrTail:
          'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n',
      },
      { reason: 'oom', stopPhase: null, evidence: { heapExhausted: true } },
    ],
    [
      "a thread's uncaught error becomes workerError, without its stack",
      {
        exit: {
          exitCode: 1,
          signal: null,
          error: {
            code: 'ERR_WORKER_OUT_OF_MEMORY',
            name: 'Error',
            message: 'heap',
            stack: 'at x',
          },
        },
        exitFrame: undefined,
      },
      {
        reason: 'oom',
        stopPhase: null,
        evidence: {
          workerError: { code: 'ERR_WORKER_OUT_OF_MEMORY', name: 'Error', message: 'heap' },
        },
      },
    ],
    [
      'a failed setup prefixes the explanation and is kept as evidence.error',
      {
        exit: { exitCode: 1, signal: null },
        exitFrame: undefined,
        setupError: { name: 'TypeError', message: 'no key' },
      },
      {
        reason: 'crashed',
        stopPhase: null,
        explanation: /^setup failed: TypeError: no key \(/,
        evidence: { error: { name: 'TypeError', message: 'no key' } },
      },
    ],
    [
      'a stopped attempt keeps its explanation even after a failed setup',
      {
        stopPhase: 'ipc',
        exitFrame: { reason: 'stopped', iterations: 1 },
        setupError: { name: 'Error', message: 'late' },
      },
      { reason: 'stopped', stopPhase: 'ipc', explanation: /^(?!setup failed)/ },
    ],
    [
      'a service killed by its liveness probe is unhealthy',
      {
        service: true,
        exitFrame: undefined,
        unhealthy: 'liveness probe failed 3 times',
        exit: { exitCode: null, signal: 'SIGKILL' },
      },
      { reason: 'unhealthy', stopPhase: null, evidence: { service: true } },
    ],
    [
      "x's own fault outranks everything else",
      {
        supervisorError: 'TypeError: boom',
        stopPhase: 'ipc',
        exit: { exitCode: null, signal: 'SIGKILL' },
      },
      {
        reason: 'supervisor_error',
        stopPhase: null,
        evidence: { supervisorError: 'TypeError: boom' },
      },
    ],
  ];

  it.each(table)('%s', (_title, change, expected) => {
    const { runExit, attemptExit } = buildAttemptExit({ ...base, ...change });
    expect(runExit.reason).toBe(expected.reason);
    expect(runExit.stopPhase).toBe(expected.stopPhase);
    if (expected.explanation !== undefined) {
      expect(runExit.explanation).toMatch(expected.explanation);
    }
    if (expected.evidence !== undefined) {
      expect(runExit.evidence).toMatchObject(expected.evidence);
    }
    // The attempt row stores the same exit, less the stderr tail.
    const { stderrTail, ...rest } = runExit;
    expect(stderrTail).toBe(change.stderrTail ?? '');
    expect(attemptExit).toEqual(rest);
  });

  it('keeps the exit code, the signal and the last heartbeat', () => {
    const { runExit } = buildAttemptExit({
      ...base,
      exit: { exitCode: null, signal: 'SIGKILL' },
      lastHeartbeatAt: 5_500,
    });
    expect(runExit).toMatchObject({
      exitCode: null,
      signal: 'SIGKILL',
      evidence: { exitCode: null, signal: 'SIGKILL', lastHeartbeatAt: 5_500 },
    });
  });
});

describe('supervisorErrorExit', () => {
  it.each([
    [
      'names what failed',
      'TypeError: x is undefined',
      /handling the runner's exit: TypeError: x is undefined;/,
    ],
    ['says unknown when nothing was recorded', undefined, /handling the runner's exit: unknown;/],
  ] as const)('%s', (_title, supervisorError, explanation) => {
    const exit = supervisorErrorExit(supervisorError, 'tail');
    expect(exit).toMatchObject({
      reason: 'supervisor_error',
      stopPhase: null,
      exitCode: null,
      signal: null,
      stderrTail: 'tail',
      evidence: { supervisorError },
    });
    expect(exit.explanation).toMatch(explanation);
  });
});

describe('workerErrorTrace', () => {
  it.each([
    ['a stack is the trace', { message: 'm', stack: 'Error: m\n    at f' }, 'Error: m\n    at f'],
    [
      'without a stack: name [code]: message',
      { name: 'RangeError', code: 'E_X', message: 'm' },
      'RangeError [E_X]: m',
    ],
    ['without a name or code: Error: message', { message: 'm' }, 'Error: m'],
  ] as const)('%s', (_title, error, trace) => {
    expect(workerErrorTrace(error)).toBe(trace);
  });
});
