import type { ErrorDetail } from '@x/ipc';
import type { RunnerError, RunnerExit } from '../launch/runner-launcher.js';
import type { AttemptRecord, RunExit } from '../persistence/records.js';
import { classifyExit, isHeapExhausted, type ExitEvidence } from './classify-exit.js';

/** What an attempt knows when its runner's exit has been observed (and its output drained). */
export interface AttemptExitInput {
  /** The exit as the launcher observed it. */
  exit: RunnerExit;
  /** What the attempt saw before the exit (see ExitEvidence for each). */
  handshake: ExitEvidence['handshake'];
  handshakeError: string | undefined;
  stopPhase: ExitEvidence['stopPhase'];
  protocolError: string | undefined;
  liveness: ExitEvidence['liveness'];
  memory: ExitEvidence['memory'];
  unhealthy: string | undefined;
  service: boolean;
  exitFrame: ExitEvidence['exitFrame'];
  supervisorError: string | undefined;
  /** What a failed setup threw (`setup_done` with `ok: false`), if it failed. */
  setupError: ErrorDetail | undefined;
  /** The last bytes of the runner's stderr (with a worker's error trace appended). */
  stderrTail: string;
  /** When the attempt became ready, or null; ms since the Unix epoch. */
  readyAt: number | null;
  /** When the exit was observed, ms since the Unix epoch. */
  endedAt: number;
  /** ms since the Unix epoch of the last heartbeat, or null. */
  lastHeartbeatAt: number | null;
}

/** An attempt's exit, as told to its run and as stored with the attempt (no stderr tail). */
export interface AttemptExit {
  runExit: RunExit;
  attemptExit: NonNullable<AttemptRecord['exit']>;
}

/**
 * Classifies an observed exit (classifyExit) and builds what is told and stored: the evidence
 * it was decided from, with uptime (0 when never ready) and the last heartbeat. A failed setup
 * prefixes the explanation unless the attempt was `stopped`. Pure.
 */
export function buildAttemptExit(input: AttemptExitInput): AttemptExit {
  const { exit, setupError, stderrTail, readyAt, endedAt } = input;
  const evidence: ExitEvidence = {
    exitCode: exit.exitCode,
    signal: exit.signal,
    spawnError: exit.spawnError,
    ...(exit.error === undefined
      ? {}
      : {
          workerError: {
            code: exit.error.code,
            name: exit.error.name,
            message: exit.error.message,
          },
        }),
    ...(exit.terminated === true ? { terminated: true } : {}),
    handshake: input.handshake,
    handshakeError: input.handshakeError,
    stopPhase: input.stopPhase,
    protocolError: input.protocolError,
    liveness: input.liveness,
    memory: input.memory,
    unhealthy: input.unhealthy,
    service: input.service,
    heapExhausted: isHeapExhausted(stderrTail),
    exitFrame: input.exitFrame,
    supervisorError: input.supervisorError,
  };
  const classification = classifyExit(evidence);
  if (setupError !== undefined && classification.reason !== 'stopped') {
    classification.explanation = `setup failed: ${setupError.name}: ${setupError.message} (${classification.explanation})`;
  }
  const runExit: RunExit = {
    ...classification,
    exitCode: exit.exitCode,
    signal: exit.signal,
    stderrTail,
    evidence: {
      ...evidence,
      ...(setupError === undefined ? {} : { error: setupError }),
      uptimeMs: readyAt === null ? 0 : endedAt - readyAt,
      lastHeartbeatAt: input.lastHeartbeatAt,
    },
  };
  const attemptExit = {
    ...classification,
    exitCode: exit.exitCode,
    signal: exit.signal,
    evidence: runExit.evidence,
  };
  return { runExit, attemptExit };
}

/**
 * The exit of an attempt whose exit handling itself failed (a bug in x): `supervisor_error`,
 * with what failed (`supervisorError`, one line) and where to find the stack. Pure.
 */
export function supervisorErrorExit(
  supervisorError: string | undefined,
  stderrTail: string,
): RunExit {
  return {
    reason: 'supervisor_error',
    stopPhase: null,
    explanation: `x failed while handling the runner's exit: ${supervisorError ?? 'unknown'}; the stack is in the run log (a bug in x: please report it)`,
    exitCode: null,
    signal: null,
    stderrTail,
    evidence: { supervisorError },
  };
}

/**
 * A thread runner's uncaught error as a trace for the log and the stderr tail (a worker's
 * error goes to its parent, not to its stderr): its stack, else `name [code]: message`. Pure.
 */
export function workerErrorTrace(error: RunnerError): string {
  const { name = 'Error', code, message, stack } = error;
  return stack ?? `${name}${code === undefined ? '' : ` [${code}]`}: ${message}`;
}
