import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { AttemptRecord, RunExit, RunRecord, RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import { decideRestart } from './restart-policy.js';
import { RunAttempt, type RunSpec, type StopBudget } from './run-attempt.js';
import { canTransition, isActiveState, type RunState } from './run-state.js';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** How many recent exit reasons a run keeps. */
const LAST_REASONS_KEPT = 10;

/** Collaborators of a run. */
export interface RunControllerDeps {
  launcher: RunnerLauncher;
  store: RunStore;
  persistence: PersistenceGuard;
  log: RunLog;
  logger: Logger;
  emit(event: SupervisorEvent): void;
  /** Clock and randomness, injectable for tests. */
  now?: () => number;
  random?: () => number;
}

/**
 * One supervised run: starts attempts, and after each exit asks the restart policy
 * (`decideRestart`) whether to start another after a backoff or to end the run
 * (`exited` or `failed`, both terminal). `stop()` ends it from any active state, cancelling
 * a pending restart. The run id stays the same across attempts.
 */
export class RunController {
  readonly #deps: RunControllerDeps;
  /** Spec of the next attempt (its `attempt` is bumped per restart). */
  readonly #spec: RunSpec;
  #record: RunRecord;
  #attempt: RunAttempt | undefined;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #restartTimes: number[] = [];
  #consecutiveFailures = 0;
  #stopRequested = false;
  #settleStarted!: (record: RunRecord) => void;
  #settleEnded!: (record: RunRecord) => void;
  /** Settles at the first ready, backoff, or terminal state: what `agent start` reports. */
  readonly started: Promise<RunRecord>;
  /** Settles when the run reaches a terminal state. */
  readonly ended: Promise<RunRecord>;

  /**
   * @param record the run as it starts (state `starting`); for a run resumed after a daemon
   *   crash, its stored record with `attempt` set to the attempt to start next.
   */
  constructor(
    spec: RunSpec,
    record: RunRecord,
    deps: RunControllerDeps,
    history?: { restartTimes: number[]; consecutiveFailures: number },
  ) {
    this.#spec = spec;
    // A copy: the caller's object must not change under it (events carry snapshots).
    this.#record = { ...record, lastReasons: [...record.lastReasons] };
    this.#deps = deps;
    this.#restartTimes = history?.restartTimes ?? [];
    this.#consecutiveFailures = history?.consecutiveFailures ?? 0;
    this.started = new Promise((resolve) => (this.#settleStarted = resolve));
    this.ended = new Promise((resolve) => (this.#settleEnded = resolve));
  }

  get record(): RunRecord {
    return { ...this.#record };
  }

  get state(): RunState {
    return this.#record.state;
  }

  /** ms since the epoch of the current attempt's last heartbeat, or null. */
  get lastHeartbeatAt(): number | null {
    return this.#attempt?.lastHeartbeatAt ?? null;
  }

  /** Starts the first attempt (or, for a resumed run, the next one). */
  start(): void {
    this.#startAttempt();
  }

  /** Starts the next attempt after `delayMs` (state `backoff` meanwhile). */
  restartAfter(delayMs: number, explanation: string): void {
    this.#enterBackoff(delayMs, explanation);
  }

  /**
   * Ends the run: cancels a pending restart, or stops the running attempt in three phases.
   * Resolves with the terminal record once the exit was observed.
   */
  stop(budget: StopBudget, reason = 'stop requested'): Promise<RunRecord> {
    if (!isActiveState(this.#record.state)) {
      return this.ended;
    }
    this.#stopRequested = true;
    if (this.#record.state === 'backoff') {
      clearTimeout(this.#restartTimer);
      this.#deps.log.line(
        'x',
        `stopped during backoff: ${reason}; the pending restart is cancelled`,
      );
      this.#finish('exited', {
        reason: 'stopped',
        stopPhase: null,
        explanation: 'stopped while waiting to restart (backoff); no process was running',
        exitCode: null,
        signal: null,
        stderrTail: '',
        evidence: { previous: this.#record.exit?.reason ?? null },
      });
      return this.ended;
    }
    if (this.#record.state !== 'stopping') {
      this.#transition('stopping');
    }
    void this.#attempt?.stop(budget, reason);
    return this.ended;
  }

  #startAttempt(): void {
    if (this.#record.state !== 'starting') {
      this.#transition('starting');
    }
    const spec: RunSpec = { ...this.#spec, attempt: this.#record.attempt };
    const attempt = new RunAttempt(spec, {
      launcher: this.#deps.launcher,
      store: this.#deps.store,
      persistence: this.#deps.persistence,
      log: this.#deps.log,
      logger: this.#deps.logger,
      emit: (event) => this.#deps.emit(event),
      listener: {
        ready: (record) => this.#onReady(record),
        iteration: (iteration) => {
          this.#record.iterations += 1;
          if (iteration.summary !== null) {
            this.#record.lastSummary = iteration.summary;
          }
        },
        exited: (record, exit) => this.#onAttemptExit(record, exit),
      },
    });
    this.#attempt = attempt;
    // Reset before start: an attempt may become ready inside start() (a service with no probe).
    this.#record.readyAt = null;
    attempt.start();
    const { pid, pgid } = attempt.record;
    this.#record.pid = pid;
    this.#record.pgid = pgid;
    this.#persist({ pid, pgid, attempt: this.#record.attempt, readyAt: this.#record.readyAt });
  }

  #onReady(attempt: AttemptRecord): void {
    this.#record.readyAt = attempt.readyAt;
    this.#record.pid = attempt.pid;
    this.#persist({ readyAt: attempt.readyAt, pid: attempt.pid });
    if (this.#record.state === 'starting') {
      this.#transition('running');
    }
    this.#settleStarted(this.record);
  }

  #onAttemptExit(attempt: AttemptRecord, exit: RunExit): void {
    const now = this.#now();
    this.#record.exit = exit;
    this.#record.lastReasons = [
      ...this.#record.lastReasons,
      { attempt: attempt.attempt, reason: exit.reason, at: now },
    ].slice(-LAST_REASONS_KEPT);
    this.#persist({ exit, lastReasons: this.#record.lastReasons });
    if (this.#stopRequested) {
      this.#finish(
        exit.reason === 'stopped' || exit.reason === 'completed' ? 'exited' : 'failed',
        exit,
      );
      return;
    }
    const decision = decideRestart({
      policy: this.#spec.restart,
      reason: exit.reason,
      uptimeMs: attempt.readyAt === null ? 0 : (attempt.endedAt ?? now) - attempt.readyAt,
      consecutiveFailures: this.#consecutiveFailures,
      restartTimes: this.#restartTimes,
      now,
      random: (this.#deps.random ?? Math.random)(),
    });
    if (decision.action === 'terminal') {
      const gaveUp = this.#spec.restart.mode !== 'no' && decision.state === 'failed';
      this.#finish(
        decision.state,
        gaveUp ? { ...exit, explanation: `${exit.explanation}; ${decision.explanation}` } : exit,
      );
      return;
    }
    this.#consecutiveFailures = decision.consecutiveFailures;
    this.#enterBackoff(decision.delayMs, decision.explanation);
  }

  #enterBackoff(delayMs: number, explanation: string): void {
    const at = this.#now() + delayMs;
    this.#record.nextRestartAt = at;
    this.#deps.log.line('x', `backoff: ${explanation}`);
    if (this.#record.state === 'backoff') {
      // A run resumed after a daemon crash is stored in backoff already.
      this.#persist({ nextRestartAt: at });
      this.#deps.emit({ type: 'run_state', run: this.record });
    } else {
      this.#transition('backoff', { nextRestartAt: at });
    }
    this.#settleStarted(this.record);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimes = [...this.#restartTimes, this.#now()].slice(-100);
      this.#record.attempt += 1;
      this.#record.restarts += 1;
      this.#record.nextRestartAt = null;
      this.#persist({
        attempt: this.#record.attempt,
        restarts: this.#record.restarts,
        nextRestartAt: null,
      });
      this.#startAttempt();
    }, delayMs);
  }

  #finish(state: 'exited' | 'failed', exit: RunExit): void {
    this.#record.exit = exit;
    this.#record.endedAt = this.#now();
    this.#record.nextRestartAt = null;
    this.#transition(state, { exit, endedAt: this.#record.endedAt, nextRestartAt: null });
    this.#deps.log.line('x', `run ${state}: ${exit.reason}: ${exit.explanation}`);
    this.#deps.log.close();
    this.#settleStarted(this.record);
    this.#settleEnded(this.record);
  }

  #transition(to: RunState, fields: Parameters<RunStore['updateRun']>[1] = {}): void {
    const from = this.#record.state;
    if (!canTransition(from, to)) {
      throw new Error(`x: internal: run ${this.#record.runId} cannot go from ${from} to ${to}`);
    }
    this.#record.state = to;
    this.#persist({ ...fields, state: to });
    this.#deps.emit({ type: 'run_state', run: this.record });
  }

  #persist(fields: Parameters<RunStore['updateRun']>[1]): void {
    const runId = this.#record.runId;
    this.#deps.persistence.run(
      'update run',
      () => this.#deps.store.updateRun(runId, fields),
      undefined,
    );
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}
