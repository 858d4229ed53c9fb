import type { ExitReason as RunnerExitReason } from '@x/ipc';
import { EX_CONFIG } from '../constants.js';

/**
 * Phase of a stop. A subprocess runner: IPC `stop`, then SIGTERM, then SIGKILL (to the
 * process group). A thread runner has no signals: IPC `stop`, then `terminate`
 * (`worker.terminate()`, which interrupts running JavaScript): its last phase.
 */
export type StopPhase = 'ipc' | 'sigterm' | 'sigkill' | 'terminate';

/** Why a run ended: one reason per exit, from a documented taxonomy. */
export const EXIT_REASONS = [
  'completed',
  'stopped',
  'failed',
  'crashed',
  'signaled',
  'oom',
  'hung',
  'unhealthy',
  'protocol_error',
  'config_error',
  'handshake_failed',
  'spawn_failed',
  'daemon_lost',
  'supervisor_error',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** What is known when a runner's exit is observed. */
export interface ExitEvidence {
  /** Exit code, or null when the process was killed by a signal or never started. */
  exitCode: number | null;
  /** Signal name that killed the process (`SIGKILL`), or null. */
  signal: string | null;
  /** Set when the process could not be spawned at all. */
  spawnError?: { code?: string | undefined; message: string } | undefined;
  /**
   * A thread runner's uncaught error (the worker's `error` event); code
   * `ERR_WORKER_OUT_OF_MEMORY` when it reached its heap limit (`resourceLimits`).
   */
  workerError?:
    { code?: string | undefined; name?: string | undefined; message: string } | undefined;
  /** True when a thread runner ended by `worker.terminate()` (x's stop or kill). */
  terminated?: boolean | undefined;
  /** Whether `ready` was received; `failed` when the handshake was refused or timed out. */
  handshake: 'pending' | 'completed' | 'failed';
  /** Why the handshake failed (timeout, version mismatch), for the explanation. */
  handshakeError?: string | undefined;
  /** The stop phase in force when the exit was observed, if a stop was asked. */
  stopPhase?: StopPhase | undefined;
  /** Set when x killed the runner for breaking the protocol (too many invalid frames). */
  protocolError?: string | undefined;
  /** Set when x killed the runner because its heartbeats stopped (liveness lost). */
  liveness?: { lastHeartbeatAgeMs: number; timeoutMs: number } | undefined;
  /** Set when x killed the runner for exceeding its memory limit (RSS sampled from /proc). */
  memory?: { rssBytes: number; limitBytes: number } | undefined;
  /** The runner's stderr ended with V8's heap-exhaustion message (it hit --max-old-space-size). */
  heapExhausted?: boolean | undefined;
  /** Set when x killed a service whose liveness probe failed `failureThreshold` times in a row. */
  unhealthy?: string | undefined;
  /** True for a service (a program that does not speak the protocol): exit 0 means completed. */
  service?: boolean | undefined;
  /**
   * Set when x's own code failed while supervising this run (a bug in x, caught at the run's
   * boundary): the runner was killed so that the daemon and the other runs go on.
   */
  supervisorError?: string | undefined;
  /** The runner's own `exit` frame, if it sent one. */
  exitFrame?:
    { reason: RunnerExitReason; iterations: number; summary?: string | undefined } | undefined;
}

/** The classification stored with the run and shown by `x agent status`. */
export interface ExitClassification {
  reason: ExitReason;
  /** For `stopped`: the phase that ended the run. Otherwise null. */
  stopPhase: StopPhase | null;
  /** One line for humans. */
  explanation: string;
}

/**
 * Classifies a runner exit. Pure; the rules apply in this order:
 * 0. `supervisor_error`: x failed while supervising the run and killed the runner.
 * 1. `spawn_failed`: the process never started (ENOENT, EACCES…).
 * 2. `config_error`: exit code 78 (EX_CONFIG): never worth restarting.
 * 3. x killed it for breaking the protocol (too many invalid frames): `protocol_error`.
 * 3a. x killed it because its heartbeats stopped: `hung`; a service whose liveness probe
 *     kept failing: `unhealthy`.
 * 3b. x killed it for its memory limit (sampled RSS), or a thread's worker ended with
 *     ERR_WORKER_OUT_OF_MEMORY: `oom`.
 * 4. a stop was asked: `stopped`, with the phase that ended it (a SIGTERM death is the
 *    `sigterm` phase even when the SIGKILL timer had fired, as with a 0 ms SIGTERM grace).
 *    A stop outranks what the runner printed: only x's own measurements (3, 3a, 3b) do.
 * 4a. V8's heap-exhaustion message in stderr and a non-zero exit: `oom`.
 * 5. no `ready` before the exit: `handshake_failed`, explained by who ended it: x (the
 *    handshake failed), a signal x did not send (named: the runner was killed, not broken), a
 *    thread's uncaught error, or the runner's own exit code.
 * 5a. a thread runner ended by an uncaught error: `crashed`, explained by the error.
 * 6. exit 0 after an `exit` frame (`done`, `max_iterations`, or `stopped` when x did not ask,
 *    e.g. the runner saw its supervisor vanish): `completed`.
 * 7. an `exit` frame with reason `error`: `failed` (the agent reported it).
 * 8. killed by a signal x did not send: `signaled` (SIGKILL from outside: likely the OOM killer).
 * 9. any other exit, including exit 0 without an `exit` frame: `crashed`.
 */
export function classifyExit(evidence: ExitEvidence): ExitClassification {
  const { exitCode, signal, spawnError, handshake, stopPhase, exitFrame } = evidence;
  const how =
    signal !== null
      ? `killed by ${signal}`
      : evidence.terminated === true
        ? 'worker terminated'
        : `exit code ${exitCode ?? 'unknown'}`;
  const workerError = evidence.workerError;
  const thrown = workerError === undefined ? undefined : describeThrown(workerError);
  if (evidence.supervisorError !== undefined) {
    return {
      reason: 'supervisor_error',
      stopPhase: null,
      explanation: `x failed while supervising this run and killed the runner (${how}): ${evidence.supervisorError}; the stack is in the run log (a bug in x: please report it)`,
    };
  }
  if (spawnError !== undefined) {
    return {
      reason: 'spawn_failed',
      stopPhase: null,
      explanation: `could not start the runner process: ${spawnError.code ?? 'error'}: ${spawnError.message}`,
    };
  }
  if (exitCode === EX_CONFIG) {
    return {
      reason: 'config_error',
      stopPhase: null,
      explanation:
        'exit code 78 (EX_CONFIG): the agent configuration is invalid; a restart will not fix it',
    };
  }
  if (evidence.protocolError !== undefined) {
    return {
      reason: 'protocol_error',
      stopPhase: null,
      explanation: `killed for breaking the protocol: ${evidence.protocolError}`,
    };
  }
  if (evidence.liveness !== undefined) {
    const { lastHeartbeatAgeMs, timeoutMs } = evidence.liveness;
    return {
      reason: 'hung',
      stopPhase: null,
      explanation: `no heartbeat for ${lastHeartbeatAgeMs} ms (limit ${timeoutMs} ms); killed by x (${how})`,
    };
  }
  if (evidence.unhealthy !== undefined) {
    return {
      reason: 'unhealthy',
      stopPhase: null,
      explanation: `${evidence.unhealthy}; killed by x (${how})`,
    };
  }
  if (evidence.memory !== undefined) {
    const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
    return {
      reason: 'oom',
      stopPhase: null,
      explanation: `out of memory: RSS ${mib(evidence.memory.rssBytes)} over the limit of ${mib(evidence.memory.limitBytes)}; killed by x (${how})`,
    };
  }
  if (workerError?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      reason: 'oom',
      stopPhase: null,
      explanation: `out of memory: the worker's V8 heap reached its limit (resourceLimits; ERR_WORKER_OUT_OF_MEMORY)`,
    };
  }
  if (stopPhase !== undefined) {
    const phase = stopPhase === 'sigkill' && signal === 'SIGTERM' ? 'sigterm' : stopPhase;
    const by =
      phase === 'ipc'
        ? 'exited on IPC stop'
        : phase === 'sigterm'
          ? evidence.service === true
            ? 'ended after SIGTERM to its process group'
            : 'did not exit on IPC stop; ended after SIGTERM to its process group'
          : phase === 'terminate'
            ? 'did not exit on IPC stop; ended by worker.terminate()'
            : 'did not exit on IPC stop or SIGTERM; SIGKILLed';
    const stopped = evidence.terminated === true ? by : `${by} (${how})`;
    // The kernel says so in its exit frame when the stop budget cut its teardown short.
    const teardown = /^teardown abandoned[^;]*/.exec(exitFrame?.summary ?? '')?.[0];
    const explanation = teardown === undefined ? stopped : `${stopped}; ${teardown}`;
    return { reason: 'stopped', stopPhase: phase, explanation };
  }
  if (evidence.heapExhausted === true && exitCode !== 0) {
    return {
      reason: 'oom',
      stopPhase: null,
      explanation: `out of memory: the V8 heap reached its limit (JavaScript heap out of memory) (${how})`,
    };
  }
  if (handshake !== 'completed') {
    return { reason: 'handshake_failed', stopPhase: null, explanation: handshakeFailure(evidence) };
  }
  if (thrown !== undefined) {
    return { reason: 'crashed', stopPhase: null, explanation: `uncaught error: ${thrown}` };
  }
  if (evidence.service === true && exitCode === 0) {
    return { reason: 'completed', stopPhase: null, explanation: 'the service exited with code 0' };
  }
  if (
    exitFrame !== undefined &&
    exitCode === 0 &&
    (exitFrame.reason === 'done' ||
      exitFrame.reason === 'max_iterations' ||
      exitFrame.reason === 'stopped')
  ) {
    return {
      reason: 'completed',
      stopPhase: null,
      explanation: `completed (${exitFrame.reason}) after ${exitFrame.iterations} iteration(s)`,
    };
  }
  if (exitFrame?.reason === 'error') {
    return {
      reason: 'failed',
      stopPhase: null,
      explanation: `the agent failed: ${exitFrame.summary ?? 'no detail'} (${how})`,
    };
  }
  if (signal !== null) {
    const hint = outsideSignalHint(signal);
    return {
      reason: 'signaled',
      stopPhase: null,
      explanation: `killed by ${signal}, not sent by x${hint}`,
    };
  }
  return {
    reason: 'crashed',
    stopPhase: null,
    explanation:
      exitCode === 0
        ? 'exited with code 0 without reporting exit over IPC'
        : `crashed with exit code ${exitCode ?? 'unknown'}`,
  };
}

/**
 * The explanation of a `handshake_failed` exit. It says who ended the runner: x, after the
 * handshake failed (`handshakeError`: no `ready` in time, a refused `ready`), or a signal x did
 * not send, which killed a runner that was not broken (an operator, the OOM killer), or the
 * runner itself (its exit code, or a thread's uncaught error).
 */
function handshakeFailure(evidence: ExitEvidence): string {
  const { signal, exitCode, handshakeError, workerError } = evidence;
  if (handshakeError !== undefined) {
    const how = signal !== null ? `; killed by x (${signal})` : '';
    return `handshake failed: ${handshakeError}${how}`;
  }
  if (signal !== null) {
    return `killed by ${signal} during the handshake, before it sent ready; not sent by x${outsideSignalHint(signal)}`;
  }
  if (workerError !== undefined) {
    return `handshake failed: the worker threw before sending ready: ${describeThrown(workerError)}`;
  }
  const how =
    evidence.terminated === true ? 'worker terminated' : `exit code ${exitCode ?? 'unknown'}`;
  return `handshake failed: exited before sending ready (${how})`;
}

/** A thread's uncaught error on one line: `name [code]: message`. */
function describeThrown(error: NonNullable<ExitEvidence['workerError']>): string {
  return `${error.name ?? 'Error'}${error.code === undefined ? '' : ` [${error.code}]`}: ${error.message}`;
}

/** Who likely sent a signal x did not send. */
function outsideSignalHint(signal: string): string {
  return signal === 'SIGKILL' ? ' (probably the kernel OOM killer, or an operator)' : '';
}

/** V8's messages when a heap limit is reached (--max-old-space-size or resourceLimits). */
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY/;

/** True when a stderr tail shows V8 heap exhaustion. */
export function isHeapExhausted(stderrTail: string): boolean {
  return HEAP_EXHAUSTED.test(stderrTail);
}
