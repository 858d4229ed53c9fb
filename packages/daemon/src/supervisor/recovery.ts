import type { AttemptRecord, IterationRecord, RunExit, RunRecord } from '../persistence/records.js';
import { mergeRunFields, type RunFields } from '../persistence/run-fields.js';
import type { RunStore } from '../persistence/run-store.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import { isProcessAlive } from '../process/descriptor.js';
import { readProcessStartTime } from '../process/proc-stat.js';
import type { Logger } from '../process/logger.js';
import { DEFAULT_RESTART_POLICY, decideRestart } from './restart-policy.js';
import { restartHistory, type RestartHistory } from './restart-history.js';

/** How many recent exit reasons a run keeps. */
const LAST_REASONS_KEPT = 10;

/** What to do with one run a dead daemon left active. */
export type RecoveryPlan =
  | {
      action: 'end';
      state: 'exited' | 'failed';
      exit: RunExit;
      lastReasons: RunRecord['lastReasons'];
    }
  | {
      action: 'restart';
      exit: RunExit;
      lastReasons: RunRecord['lastReasons'];
      delayMs: number;
      explanation: string;
      history: RestartHistory;
    };

/** What {@link planRecovery} decides from. */
export interface RecoveryInput {
  lost: RunRecord;
  attempts: AttemptRecord[];
  /** The run's newest stored iteration, if any. */
  lastIteration: IterationRecord | undefined;
  /** True when the lost attempt's runner was still alive and has been killed. */
  reaped: boolean;
  /** True when an active run already has this run's name (it cannot come back). */
  nameTaken: boolean;
  now: number;
  random: number;
}

/**
 * Decides what becomes of a run a dead daemon left active. Pure.
 * - A run that was `stopping` was meant to end: its stop is honoured (`exited`, reason
 *   `stopped`), never restarted, whatever its policy (the intent to stop is the state
 *   persisted before the stop began).
 * - Any other run lost its attempt (`daemon_lost`); the restart policy decides, with the dead
 *   daemon's restart history carried over (intensity and backoff are not reset by its death).
 */
export function planRecovery(input: RecoveryInput): RecoveryPlan {
  const { lost, attempts, reaped, now } = input;
  const last = attempts.at(-1);
  const survivor = reaped ? `; its surviving runner (pid ${last?.pid}) was killed` : '';
  const evidence = { previousState: lost.state, pid: last?.pid ?? null, survivorReaped: reaped };
  const addReason = (reason: RunExit['reason']) =>
    [...lost.lastReasons, { attempt: lost.attempt, reason, at: now }].slice(-LAST_REASONS_KEPT);
  if (lost.state === 'stopping') {
    const exit: RunExit = {
      reason: 'stopped',
      stopPhase: null,
      explanation: `stopped: the daemon died while stopping this run, and the next daemon completed the stop${reaped ? survivor : '; its runner had already exited'}`,
      exitCode: null,
      signal: null,
      stderrTail: '',
      evidence,
    };
    return { action: 'end', state: 'exited', exit, lastReasons: addReason('stopped') };
  }
  const policy = lost.options.restart ?? DEFAULT_RESTART_POLICY;
  if (isParked(lost, last) && last?.exit != null && !input.nameTaken) {
    // Stopped by its daemon's shutdown with `resume` (a SIGTERM at a reboot): it comes back
    // at once, and the shutdown counts as no failure and no restart of its policy.
    const history = restartHistory(attempts, policy);
    return {
      action: 'restart',
      exit: { stderrTail: '', ...last.exit },
      lastReasons: lost.lastReasons,
      delayMs: 0,
      explanation: `resumed: the daemon was shut down while this run was active, and its restart policy (${policy.mode}) brings it back`,
      history,
    };
  }
  const exit: RunExit = {
    reason: 'daemon_lost',
    stopPhase: null,
    explanation: `the daemon supervising this run died while it was ${lost.state}${survivor}`,
    exitCode: null,
    signal: null,
    stderrTail: '',
    evidence,
  };
  const lastReasons = addReason('daemon_lost');
  const history = restartHistory(attempts, policy);
  const decision = decideRestart({
    policy,
    reason: 'daemon_lost',
    uptimeMs: lostUptimeMs(last, input.lastIteration),
    consecutiveFailures: history.consecutiveFailures,
    restartTimes: history.restartTimes,
    now,
    random: input.random,
  });
  if (decision.action === 'terminal' || input.nameTaken) {
    return { action: 'end', state: 'failed', exit, lastReasons };
  }
  return {
    action: 'restart',
    exit,
    lastReasons,
    delayMs: decision.delayMs,
    explanation: decision.explanation,
    history: {
      restartTimes: history.restartTimes,
      consecutiveFailures: decision.consecutiveFailures,
    },
  };
}

/**
 * True for a run its daemon parked at shutdown (RunnerSupervisor.stopAll with `resume`), or
 * reopened by `agent.restart` an instant before its daemon died: stored `backoff` with no
 * restart time, its last attempt ended and stopped.
 */
function isParked(run: RunRecord, last: AttemptRecord | undefined): boolean {
  return run.state === 'backoff' && run.nextRestartAt === null && last?.exit?.reason === 'stopped';
}

/**
 * Kills the lost attempt's runner if it survived the daemon: only a process whose pid AND
 * start time match the stored attempt (never one that merely reuses the pid). Returns true
 * when one was killed.
 */
export function reapSurvivor(last: AttemptRecord | undefined): boolean {
  if (
    last?.pid == null ||
    last.procStart === null ||
    !isProcessAlive(last.pid) ||
    readProcessStartTime(last.pid) !== last.procStart
  ) {
    return false;
  }
  try {
    process.kill(-(last.pgid ?? last.pid), 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Records the plan's outcome for the lost attempt and the run's open permission requests
 * (their runner is gone: nobody will answer them) and turns: all end, unless `keepTurns` (the
 * run restarts), when only the oldest pending one does and the others wait for the next attempt.
 */
export function recordLostAttempt(
  store: RunStore,
  persistence: PersistenceGuard,
  lost: RunRecord,
  last: AttemptRecord | undefined,
  exit: RunExit,
  now: number,
  keepTurns = false,
): void {
  if (last !== undefined && last.exit === null) {
    persistence.persist(
      'record lost attempt',
      { ...last, endedAt: now, exit },
      (attempt) => store.upsertAttempt(attempt),
      { key: `attempt:${last.runId}:${last.attempt}` },
    );
  }
  const why =
    exit.reason === 'stopped'
      ? 'the run was stopped (the daemon died while stopping it)'
      : 'the daemon running this turn died (daemon_lost)';
  persistence.persist(
    'end lost turns',
    { runId: lost.runId, keepTurns, why, now },
    ({ runId, keepTurns, why, now }) => {
      if (keepTurns) {
        // Restarted: the turns that had not started wait for the next attempt; only the
        // oldest may have been running (turns run one at a time, oldest first).
        store.endOldestPendingTurn(
          runId,
          'the daemon running this turn died while the turn may have been running (daemon_lost)',
          now,
        );
      } else {
        store.endPendingTurns(runId, why, now);
      }
      store.denyPendingPermissions(runId, `stopped: ${why}`, now);
    },
  );
}

/** Logs what recovery decided for one run. */
export function logRecovery(logger: Logger, lost: RunRecord, plan: RecoveryPlan): void {
  logger.warn(
    `run ${lost.runId} (${lost.name}) was left ${lost.state} by a previous daemon: ${
      plan.action === 'restart' ? plan.explanation : `${plan.state}: ${plan.exit.explanation}`
    }`,
  );
}

/**
 * How long the attempt a dead daemon was running is known to have been up, ms: from its
 * ready to its last stored iteration (a lower bound: the daemon's time of death is unknown).
 */
function lostUptimeMs(
  attempt: AttemptRecord | undefined,
  lastIteration: IterationRecord | undefined,
): number {
  if (attempt?.readyAt == null || lastIteration?.attempt !== attempt.attempt) {
    return 0;
  }
  return Math.max(0, lastIteration.finishedAt - attempt.readyAt);
}

/** What {@link recoverLostRuns} works with. */
export interface RecoverDeps {
  store: RunStore;
  persistence: PersistenceGuard;
  logger: Logger;
  /** Whether an active run already has this name. */
  nameTaken(name: string): boolean;
  /**
   * Takes back a run to restart (stored as `backoff`): its controller, its pending turns, its
   * restart after `plan.delayMs`. Returns its record.
   */
  resume(record: RunRecord, plan: Extract<RecoveryPlan, { action: 'restart' }>): RunRecord;
}

/**
 * Takes over the runs a previous daemon left active (it died): reaps a survivor whose pid
 * and process start time match the stored attempt, then follows {@link planRecovery}: a run
 * that was `stopping` is ended as stopped (its stop is honoured); any other is `daemon_lost`
 * and restarted if its policy says so (with its restart history), or ends as `failed`.
 * Returns the runs as they now stand.
 */
export function recoverLostRuns(deps: RecoverDeps): RunRecord[] {
  const { store, persistence } = deps;
  const active = persistence.read('read lost runs', () => store.activeRuns(), [] as RunRecord[]);
  const recovered: RunRecord[] = [];
  for (const lost of active) {
    const attempts = persistence.read('read attempts', () => store.attempts(lost.runId), []);
    const last = attempts.at(-1);
    const reaped = reapSurvivor(last);
    const now = Date.now();
    const plan = planRecovery({
      lost,
      attempts,
      lastIteration: persistence.read(
        'read iterations',
        () => store.recentIterations(lost.runId, 1),
        [],
      )[0],
      reaped,
      nameTaken: deps.nameTaken(lost.name),
      now,
      random: Math.random(),
    });
    recordLostAttempt(store, persistence, lost, last, plan.exit, now, plan.action === 'restart');
    logRecovery(deps.logger, lost, plan);
    const { exit, lastReasons } = plan;
    if (plan.action === 'end') {
      const fields = { state: plan.state, endedAt: now, exit, lastReasons, nextRestartAt: null };
      persistence.persist('end lost run', fields, (latest) => store.updateRun(lost.runId, latest), {
        key: `run:${lost.runId}`,
        merge: mergeRunFields,
      });
      recovered.push({ ...lost, ...fields });
      continue;
    }
    // Stored as backoff; the controller's restart timer bumps attempt and restarts.
    persistence.persist(
      'resume lost run',
      { state: 'backoff', exit, lastReasons } satisfies RunFields,
      (latest) => store.updateRun(lost.runId, latest),
      { key: `run:${lost.runId}`, merge: mergeRunFields },
    );
    recovered.push(deps.resume({ ...lost, exit, lastReasons, state: 'backoff' }, plan));
  }
  return recovered;
}
