import { describe, expect, it } from 'vitest';
import { classifyExit, type ExitEvidence } from './classify-exit.js';

const base: ExitEvidence = { exitCode: 0, signal: null, handshake: 'completed' };

describe('classifyExit', () => {
  const table: [string, Partial<ExitEvidence>, string, string | null][] = [
    [
      'x failing while supervising is supervisor_error, whatever else is known',
      { exitCode: null, signal: 'SIGKILL', stopPhase: 'ipc', supervisorError: 'TypeError: x' },
      'supervisor_error',
      null,
    ],
    [
      'a SIGTERM death after a 0 ms SIGTERM grace is the sigterm phase, not sigkill',
      { exitCode: null, signal: 'SIGTERM', stopPhase: 'sigkill' },
      'stopped',
      'sigterm',
    ],
    [
      'a teardown cut short by the stop budget is still stopped/ipc, and says so',
      {
        stopPhase: 'ipc',
        exitFrame: {
          reason: 'stopped',
          iterations: 3,
          summary: 'teardown abandoned after 1800 ms: the stop grace period ran out; count=3',
        },
      },
      'stopped',
      'ipc',
    ],
    [
      'a stop outranks "Reached heap limit" printed by the agent',
      { stopPhase: 'ipc', heapExhausted: true, exitFrame: { reason: 'stopped', iterations: 3 } },
      'stopped',
      'ipc',
    ],
    [
      'a heap-exhaustion message with exit 0 and an exit frame is not oom',
      { heapExhausted: true, exitFrame: { reason: 'done', iterations: 3 } },
      'completed',
      null,
    ],
    [
      'a heap-exhaustion message with SIGABRT is oom',
      { exitCode: null, signal: 'SIGABRT', heapExhausted: true },
      'oom',
      null,
    ],
    [
      'ENOENT at spawn is spawn_failed',
      {
        exitCode: null,
        spawnError: { code: 'ENOENT', message: 'no such file' },
        handshake: 'pending',
      },
      'spawn_failed',
      null,
    ],
    [
      'exit 78 before ready is config_error',
      { exitCode: 78, handshake: 'pending' },
      'config_error',
      null,
    ],
    ['exit 78 after ready is still config_error', { exitCode: 78 }, 'config_error', null],
    [
      'killed for too many invalid frames is protocol_error',
      {
        exitCode: null,
        signal: 'SIGKILL',
        protocolError: 'more than 20 invalid frames within 60 s',
      },
      'protocol_error',
      null,
    ],
    [
      'protocol_error wins over a stop in progress',
      { exitCode: null, signal: 'SIGKILL', stopPhase: 'ipc', protocolError: 'x' },
      'protocol_error',
      null,
    ],
    [
      'exit 0 during the IPC phase is stopped/ipc',
      { stopPhase: 'ipc', exitFrame: { reason: 'stopped', iterations: 3 } },
      'stopped',
      'ipc',
    ],
    [
      'SIGTERM during the sigterm phase is stopped/sigterm',
      { exitCode: null, signal: 'SIGTERM', stopPhase: 'sigterm' },
      'stopped',
      'sigterm',
    ],
    [
      'SIGKILL during the sigkill phase is stopped/sigkill',
      { exitCode: null, signal: 'SIGKILL', stopPhase: 'sigkill' },
      'stopped',
      'sigkill',
    ],
    [
      'a stop during the handshake is stopped',
      { exitCode: null, signal: 'SIGTERM', handshake: 'pending', stopPhase: 'sigterm' },
      'stopped',
      'sigterm',
    ],
    [
      'exit 1 before ready is handshake_failed',
      { exitCode: 1, handshake: 'pending' },
      'handshake_failed',
      null,
    ],
    [
      'killed after a handshake timeout is handshake_failed',
      {
        exitCode: null,
        signal: 'SIGKILL',
        handshake: 'failed',
        handshakeError: 'no ready within 100 ms',
      },
      'handshake_failed',
      null,
    ],
    [
      'exit 0 with exit frame done is completed',
      { exitFrame: { reason: 'done', iterations: 3 } },
      'completed',
      null,
    ],
    [
      'exit 0 with exit frame max_iterations is completed',
      { exitFrame: { reason: 'max_iterations', iterations: 5 } },
      'completed',
      null,
    ],
    [
      'exit frame error is failed',
      { exitCode: 1, exitFrame: { reason: 'error', iterations: 0, summary: 'setup failed: boom' } },
      'failed',
      null,
    ],
    ['SIGKILL not sent by x is signaled', { exitCode: null, signal: 'SIGKILL' }, 'signaled', null],
    ['SIGSEGV is signaled', { exitCode: null, signal: 'SIGSEGV' }, 'signaled', null],
    ['exit 3 is crashed', { exitCode: 3 }, 'crashed', null],
    ['exit 0 without an exit frame is crashed', { exitCode: 0 }, 'crashed', null],
    // Thread runners (worker_threads): no signals, an `error` event instead of a stderr trace.
    [
      'a worker that reached its resourceLimits (ERR_WORKER_OUT_OF_MEMORY) is oom',
      { exitCode: 1, workerError: { code: 'ERR_WORKER_OUT_OF_MEMORY', message: 'heap' } },
      'oom',
      null,
    ],
    [
      'a worker out of memory while stopping is still oom',
      {
        exitCode: 1,
        stopPhase: 'ipc',
        workerError: { code: 'ERR_WORKER_OUT_OF_MEMORY', message: 'heap' },
      },
      'oom',
      null,
    ],
    [
      'a worker with an uncaught error after ready is crashed',
      { exitCode: 1, workerError: { name: 'Error', message: 'boom' } },
      'crashed',
      null,
    ],
    [
      'a worker with an uncaught error before ready is handshake_failed',
      { exitCode: 1, handshake: 'pending', workerError: { name: 'Error', message: 'boom' } },
      'handshake_failed',
      null,
    ],
    [
      'a worker terminated in the terminate phase is stopped/terminate',
      { exitCode: 1, terminated: true, stopPhase: 'terminate' },
      'stopped',
      'terminate',
    ],
    [
      'a worker that exits on IPC stop is stopped/ipc',
      { exitCode: 0, stopPhase: 'ipc', exitFrame: { reason: 'stopped', iterations: 2 } },
      'stopped',
      'ipc',
    ],
    [
      'a worker terminated for missing heartbeats is hung',
      { exitCode: 1, terminated: true, liveness: { lastHeartbeatAgeMs: 1200, timeoutMs: 1000 } },
      'hung',
      null,
    ],
    [
      'a worker that calls process.exit(78) is config_error',
      { exitCode: 78, handshake: 'pending' },
      'config_error',
      null,
    ],
  ];
  it.each(table)('%s', (_title, evidence, reason, phase) => {
    const result = classifyExit({ ...base, ...evidence });
    expect(result.reason).toBe(reason);
    expect(result.stopPhase).toBe(phase);
    expect(result.explanation.length).toBeGreaterThan(10);
  });

  it('names an abandoned teardown in the explanation', () => {
    expect(
      classifyExit({
        ...base,
        stopPhase: 'ipc',
        exitFrame: {
          reason: 'stopped',
          iterations: 3,
          summary: 'teardown abandoned after 1800 ms: the stop grace period ran out; count=3',
        },
      }).explanation,
    ).toBe(
      'exited on IPC stop (exit code 0); teardown abandoned after 1800 ms: the stop grace period ran out',
    );
  });

  it('names the signal and hints at the OOM killer for an outside SIGKILL', () => {
    expect(classifyExit({ ...base, exitCode: null, signal: 'SIGKILL' }).explanation).toMatch(
      /SIGKILL.*OOM/,
    );
  });

  it('explains a worker crash by its uncaught error, and a terminate as such', () => {
    expect(
      classifyExit({
        ...base,
        exitCode: 1,
        workerError: { name: 'TypeError', message: 'x is not a function' },
      }).explanation,
    ).toBe('uncaught error: TypeError: x is not a function');
    expect(
      classifyExit({ ...base, exitCode: 1, terminated: true, stopPhase: 'terminate' }).explanation,
    ).toBe('did not exit on IPC stop; ended by worker.terminate()');
    expect(
      classifyExit({
        ...base,
        exitCode: 1,
        workerError: { code: 'ERR_WORKER_OUT_OF_MEMORY', message: 'heap' },
      }).explanation,
    ).toMatch(/resourceLimits.*ERR_WORKER_OUT_OF_MEMORY/);
  });

  it('names a signal x did not send during the handshake: killed, not broken', () => {
    expect(
      classifyExit({ ...base, exitCode: null, signal: 'SIGKILL', handshake: 'pending' }),
    ).toEqual({
      reason: 'handshake_failed',
      stopPhase: null,
      explanation:
        'killed by SIGKILL during the handshake, before it sent ready; not sent by x (probably the kernel OOM killer, or an operator)',
    });
    expect(
      classifyExit({ ...base, exitCode: null, signal: 'SIGTERM', handshake: 'pending' })
        .explanation,
    ).toBe('killed by SIGTERM during the handshake, before it sent ready; not sent by x');
  });

  it('says x killed a runner whose handshake failed, and a runner exit code before ready', () => {
    expect(
      classifyExit({
        ...base,
        exitCode: null,
        signal: 'SIGKILL',
        handshake: 'failed',
        handshakeError: 'no ready within 100 ms of init',
      }).explanation,
    ).toBe('handshake failed: no ready within 100 ms of init; killed by x (SIGKILL)');
    expect(classifyExit({ ...base, exitCode: 1, handshake: 'pending' }).explanation).toBe(
      'handshake failed: exited before sending ready (exit code 1)',
    );
  });

  it('names the handshake error', () => {
    const result = classifyExit({
      ...base,
      exitCode: null,
      signal: 'SIGKILL',
      handshake: 'failed',
      handshakeError: 'runner speaks protocol version 99',
    });
    expect(result.explanation).toContain('protocol version 99');
  });
});
