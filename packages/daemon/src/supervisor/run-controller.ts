import type {
  AttemptRecord,
  PermissionRecord,
  RunExit,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import { mergeRunFields, type RunFields } from '../persistence/run-fields.js';
import { PauseControl } from './pause-control.js';
import type { RestartHistory } from './restart-history.js';
import { RunRestarts } from './run-restarts.js';
import { RunAttempt, type RunAttemptDeps } from './run-attempt.js';
import type { RunResources } from './resource-meter.js';
import { RunDurability, type RunDurabilityDeps } from './run-durability.js';
import { stoppedInBackoff, supervisorFailure } from './run-exits.js';
import { RunPermissions } from './run-permissions.js';
import { RunRecords, type RunRecordsDeps } from './run-records.js';
import type { RunSpec, StopBudget } from './run-spec.js';
import { canTransition, isActiveState, type RunState } from './run-state.js';
import { RunTurns } from './run-turns.js';
import { StartReport } from './start-report.js';
import type { SupervisorEvent } from './supervisor-events.js';

export { SETUP_REPORT_WAIT_MS } from './start-report.js';

/** How many recent exit reasons a run keeps. */
const LAST_REASONS_KEPT = 10;

/** Collaborators of a run: its attempts' (the listener is the run itself), and its own. */
export interface RunControllerDeps extends Omit<RunAttemptDeps, 'listener'> {
  /** Checkpoints and spend of the run (see RunDurability). */
  durability: Pick<RunDurabilityDeps, 'checkpoints' | 'usage' | 'fleet'>;
  /** The run's record store (protocol `store`, see RunRecords); absent: the run has none. */
  records?: Pick<RunRecordsDeps, 'records' | 'maxBytes'> | undefined;
  /** Clock and randomness, injectable for tests. */
  now?: () => number;
  random?: () => number;
}

/**
 * One supervised run: starts attempts, and after each exit asks the restart policy
 * (`decideRestart`) whether to start another after a backoff or to end the run
 * (`exited` or `failed`, both terminal; the restart history and the pending restart are
 * {@link RunRestarts}). `stop()` ends it from any active state, cancelling
 * a pending restart. The run id stays the same across attempts. It owns the run's state
 * machine; its turns ({@link RunTurns}), permission requests ({@link RunPermissions}) and
 * pauses ({@link PauseControl}) are kept apart and ask it for transitions.
 */
export class RunController {
  readonly #deps: RunControllerDeps;
  /** Spec of the next attempt (its `attempt` is bumped per restart). */
  readonly #spec: RunSpec;
  #record: RunRecord;
  #attempt: RunAttempt | undefined;
  readonly #restarts: RunRestarts;
  #stopRequested = false;
  /** An operator asked for a restart (`agent.restart`): the attempt's exit starts the next. */
  #restartRequested = false;
  readonly #turns: RunTurns;
  readonly #permissions: RunPermissions;
  readonly #durability: RunDurability;
  readonly #pausing: PauseControl;
  readonly #records: RunRecords | undefined;
  /** What `agent.start` (then each `agent.restart`) reports: replaced by each restart. */
  #startReport = new StartReport();
  #settleEnded!: (record: RunRecord) => void;
  /** Settles at the first ready, backoff, or terminal state: what `agent start` reports. */
  readonly started: Promise<RunRecord>;
  /** Settles when the run reaches a terminal state. */
  readonly ended: Promise<RunRecord>;

  /**
   * @param record the run as it starts (state `starting`); for a run resumed after a daemon
   *   crash, its stored record with `attempt` set to the attempt to start next.
   */
  constructor(spec: RunSpec, record: RunRecord, deps: RunControllerDeps, history?: RestartHistory) {
    this.#spec = spec;
    // A copy: the caller's object must not change under it (events carry snapshots).
    this.#record = { ...record, lastReasons: [...record.lastReasons] };
    this.#deps = deps;
    this.#restarts = new RunRestarts(spec.restart, history, deps.random);
    this.started = this.#startReport.settled;
    this.ended = new Promise((resolve) => (this.#settleEnded = resolve));
    this.#durability = new RunDurability({
      runId: record.runId,
      ...deps.durability,
      persistence: deps.persistence,
      options: () => this.#record.options,
      now: () => this.#now(),
    });
    this.#records =
      deps.records === undefined
        ? undefined
        : new RunRecords({ runId: record.runId, persistence: deps.persistence, ...deps.records });
    const { store, persistence, log } = deps;
    // What the parts share: the live record and the current attempt's runner (read as they
    // stand), the outlets.
    const shared = {
      run: () => this.#record,
      runner: () => this.#attempt?.link,
      store,
      persistence,
      log,
      emit: (event: SupervisorEvent) => deps.emit(event),
      now: () => this.#now(),
    };
    this.#pausing = new PauseControl({
      ...shared,
      durability: this.#durability,
      transition: (to, fields) => this.#transition(to, fields),
      stop: (budget, reason) => void this.stop(budget, reason),
      persist: (fields) => this.#persist(fields),
    });
    this.#turns = new RunTurns({
      ...shared,
      spend: (attempt, usage) => this.#pausing.spend(attempt, usage),
    });
    this.#permissions = new RunPermissions(shared);
  }

  get record(): RunRecord {
    return { ...this.#record };
  }

  get state(): RunState {
    return this.#record.state;
  }

  /** The iteration the current attempt is running (since `startedAt`, ms epoch), or null. */
  get currentIteration(): { iteration: number; startedAt: number } | null {
    return this.#attempt?.currentIteration ?? null;
  }

  /** CPU and memory of the current attempt as last sampled, or null (none running, not yet sampled). */
  get resources(): RunResources | null {
    return this.#attempt?.resources ?? null;
  }

  /** ms since the epoch of the current attempt's last heartbeat, or null. */
  get lastHeartbeatAt(): number | null {
    return this.#attempt?.lastHeartbeatAt ?? null;
  }

  /**
   * Submits a turn to the running attempt. Without `wait`, resolves at once with the turn
   * (`pending`); with `wait`, once it ends, or with its `pending` snapshot after `timeoutMs`.
   * @throws RpcError TURNS_NOT_ACCEPTED (-32020) unless the run is running and its runner
   *   announced `capabilities.turns`; TOO_MANY_TURNS (-32021) at MAX_TURNS_IN_FLIGHT.
   */
  send(
    input: unknown,
    options: { wait?: boolean | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<TurnRecord> {
    return this.#turns.send(input, options);
  }

  /**
   * Asks the runner to cancel a turn in flight; it ends as `cancelled` when the runner answers
   * (or when the attempt ends). Returns the turn as it stands (a finished turn unchanged).
   * @throws RpcError TURN_NOT_FOUND (-32022).
   */
  cancelTurn(turnId: string, reason?: string): TurnRecord {
    return this.#turns.cancel(turnId, reason);
  }

  /**
   * A client's answer to a pending permission request: sent to the runner, persisted,
   * published. Returns the decided request, or `not_pending` when none with that id is pending.
   */
  answerPermission(
    requestId: string,
    decision: 'granted' | 'denied',
    reason?: string,
  ): PermissionRecord | 'not_pending' {
    return this.#permissions.answer(requestId, decision, reason);
  }

  /** The pending permission requests, oldest first. */
  get pendingPermissions(): PermissionRecord[] {
    return this.#permissions.pending();
  }

  /** Starts the first attempt (or, for a resumed run, the next one). */
  start(): void {
    this.#guard('starting an attempt', () => this.#startAttempt());
  }

  /**
   * Starts the next attempt after `delayMs` (state `backoff` meanwhile). With `operator` (an
   * `agent.restart` of a finished run), the restart is not counted against the restart
   * intensity and the backoff is not reported: {@link started} reports the attempt's ready.
   */
  restartAfter(delayMs: number, explanation: string, operator = false): void {
    this.#enterBackoff(delayMs, explanation, operator);
  }

  /**
   * Restarts the run now, at an operator's request (`agent.restart`): a new attempt of the same
   * run, with the same settings, resuming from the newest acknowledged checkpoint like any later
   * attempt. A running, paused or starting run is stopped first in three phases (state
   * `stopping`; its pending permission requests are denied, its unstarted turns wait for the
   * next attempt as after a crash); a run in `backoff` skips the rest of its wait. An operator's
   * restart resets the run's consecutive failures and does not count toward its restart
   * intensity. A paused run comes back paused. Resolves like `agent.start`: at the new
   * attempt's ready (after its setup), backoff, or terminal state. A run being stopped is not
   * restarted: this resolves with its terminal record.
   */
  restart(budget: StopBudget, reason = 'restart requested by an operator'): Promise<RunRecord> {
    const { state } = this.#record;
    if (state === 'stopping' || !isActiveState(state)) {
      return this.ended;
    }
    this.#startReport = new StartReport();
    this.#restarts.resetFailures();
    if (state === 'backoff') {
      this.#restarts.cancel();
      this.#deps.log.line('x', `${reason}: restarting now instead of after the backoff`);
      this.#nextAttempt(false);
      return this.#startReport.settled;
    }
    this.#restartRequested = true;
    this.#transition('stopping');
    this.#permissions.denyAll('stopped: the run is restarting');
    void this.#attempt?.stop(budget, reason);
    return this.#startReport.settled;
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
      this.#restarts.cancel();
      this.#deps.log.line(
        'x',
        `stopped during backoff: ${reason}; the pending restart is cancelled`,
      );
      this.#finish('exited', stoppedInBackoff(this.#record.exit?.reason ?? null));
      return this.ended;
    }
    if (this.#record.state !== 'stopping') {
      this.#transition('stopping');
    }
    // Answered before `stop` goes out, so the agent can unwind within the IPC phase.
    this.#permissions.denyAll('stopped');
    void this.#attempt?.stop(budget, reason);
    return this.ended;
  }

  #startAttempt(): void {
    if (this.#record.state !== 'starting') {
      this.#transition('starting');
    }
    const records = this.#records;
    const spec: RunSpec = {
      ...this.#spec,
      attempt: this.#record.attempt,
      restored: this.#durability.restored(),
      checkpointMaxBytes: this.#durability.maxBytes,
      storeMaxBytes: this.#deps.records?.maxBytes,
      paused: this.#record.pause?.reason ?? undefined,
      budgeted: this.#durability.budgeted(),
    };
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
          if (iteration.usage !== null) {
            this.#pausing.spend(spec.attempt, iteration.usage);
          }
        },
        exited: (record, exit) => this.#onAttemptExit(record, exit),
        turnResult: (message) => this.#turns.settle(message),
        permissionRequest: (message) => this.#permissions.request(spec.attempt, message),
        permissionCancel: (message) =>
          this.#permissions.withdraw(message.requestId, message.reason),
        setupDone: () => this.#startReport.settle(this.record),
        checkpoint: (message) =>
          attempt.link.ackCheckpoint(
            // Stored while stopping too: a teardown may save the last state before it exits.
            this.#durability.checkpoint(spec.attempt, message, undefined),
          ),
        usage: (message) => {
          const { type: _type, ack, ...usage } = message;
          this.#pausing.spend(spec.attempt, usage);
          // After the pause the report caused, if any (same channel, in order).
          if (ack !== undefined) {
            attempt.link.ackUsage(ack, this.#durability.headroom());
          }
        },
        ...(records === undefined
          ? {}
          : { store: (message) => attempt.link.answerStore(records.answer(message)) }),
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
      // A run paused before its restart comes back paused (its budget is still spent).
      if (this.#record.pause != null) {
        this.#transition('paused');
        this.#attempt?.link.setPaused(true, this.#record.pause.reason);
      } else {
        this.#transition('running');
      }
    }
    this.#turns.deliverKept();
    // `agent start` reports the setup's outcome, or a run still setting up after a while.
    this.#startReport.ready(this.#attempt?.awaitingSetup === true, () => this.record);
  }

  #onAttemptExit(attempt: AttemptRecord, exit: RunExit): void {
    // Its unanswered turns and pending permission requests end with it (unless it restarts).
    const restarting = this.#restartRequested && !this.#stopRequested;
    this.#restartRequested = false;
    const stopped = this.#stopRequested || (exit.reason === 'stopped' && !restarting);
    this.#turns.endAtExit(exit, stopped);
    this.#permissions.denyAll(stopped ? 'stopped' : `stopped: the runner exited (${exit.reason})`);
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
    if (restarting) {
      this.#enterBackoff(0, 'restart requested by an operator', true);
      return;
    }
    if (this.#attempt?.setupFailed === true && attempt.attempt === 1) {
      // A run whose first setup failed never started: `agent start` reports it, and a restart
      // loop would only repeat it (no respawn loop for a bootstrap failure, as in piscina).
      this.#finish('failed', {
        ...exit,
        explanation: `${exit.explanation}; not restarted: the first attempt's setup failed, fix it and start the agent again`,
      });
      return;
    }
    const decision = this.#restarts.decide(
      exit.reason,
      attempt.readyAt === null ? 0 : (attempt.endedAt ?? now) - attempt.readyAt,
      now,
    );
    if (decision.action === 'terminal') {
      const gaveUp = this.#spec.restart.mode !== 'no' && decision.state === 'failed';
      this.#finish(
        decision.state,
        gaveUp ? { ...exit, explanation: `${exit.explanation}; ${decision.explanation}` } : exit,
      );
      return;
    }
    this.#enterBackoff(decision.delayMs, decision.explanation);
  }

  /** `operator`: see {@link restartAfter}. */
  #enterBackoff(delayMs: number, explanation: string, operator = false): void {
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
    if (!operator) {
      this.#startReport.settle(this.record);
    }
    this.#restarts.schedule(() => this.#nextAttempt(!operator), delayMs);
  }

  /** Starts the next attempt (`counted`: toward the restart intensity, as a policy restart). */
  #nextAttempt(counted: boolean): void {
    if (counted) {
      this.#restarts.counted(this.#now());
    }
    this.#record.attempt += 1;
    this.#record.restarts += 1;
    this.#record.nextRestartAt = null;
    this.#persist({
      attempt: this.#record.attempt,
      restarts: this.#record.restarts,
      nextRestartAt: null,
    });
    this.#guard('restarting', () => this.#startAttempt());
  }

  /** The run's spend over every attempt (tokens, USD, reports). */
  get usage() {
    return this.#durability.totals();
  }

  /**
   * Pauses a running run: its runner finishes the iteration or turn in progress and starts no
   * new one (it keeps its process, state and heartbeats); turns sent meanwhile queue. Pausing a
   * paused run keeps the first reason.
   * @throws RpcError RUN_NOT_PAUSABLE (-32025) unless the run is running.
   */
  pause(pause: NonNullable<RunRecord['pause']>): RunRecord {
    this.#pausing.pause(pause);
    return this.record;
  }

  /**
   * Resumes a paused run, with its budget changed first (`options.budget`).
   * @throws RpcError RUN_NOT_PAUSABLE (-32025) unless paused; -32602 when the run would still
   *   be over its budget (naming the limit and the spend).
   */
  resume(budget?: NonNullable<RunRecord['options']['budget']>): RunRecord {
    this.#pausing.resume(budget);
    return this.record;
  }

  /** Changes the run's budget while it runs or is paused (see PauseControl.setBudget). */
  setBudget(budget: NonNullable<RunRecord['options']['budget']>): RunRecord {
    this.#pausing.setBudget(budget);
    return this.record;
  }

  /** Takes the turns a previous daemon left pending: the next attempt runs them, in order. */
  adoptTurns(turns: readonly TurnRecord[]): void {
    this.#turns.adopt(turns);
  }

  /**
   * Runs `fn` at the run's boundary: a throw is a fault of x's own code. It ends this run
   * (`supervisor_error`, the stack in the run log and the daemon log), never the daemon: the
   * attempt's runner is killed and its exit ends the run, or, with no runner, the run ends now.
   */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      const attempt = this.#attempt;
      if (attempt?.live === true) {
        attempt.abort(what, error);
        return;
      }
      const trace = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#deps.log.line('x', `internal error while ${what}: ${trace}`);
      this.#deps.logger.error(`run ${this.#record.runId}: internal error while ${what}: ${trace}`);
      if (isActiveState(this.#record.state)) {
        this.#stopRequested = true;
        this.#finish('failed', supervisorFailure(what, trace));
      }
    }
  }

  #finish(state: 'exited' | 'failed', exit: RunExit): void {
    this.#turns.endWithRun(exit);
    this.#record.exit = exit;
    this.#record.endedAt = this.#now();
    this.#record.nextRestartAt = null;
    this.#transition(state, { exit, endedAt: this.#record.endedAt, nextRestartAt: null });
    this.#deps.log.line('x', `run ${state}: ${exit.reason}: ${exit.explanation}`);
    this.#deps.log.close();
    this.#startReport.settle(this.record);
    this.#settleEnded(this.record);
  }

  #transition(to: RunState, fields: RunFields = {}): void {
    const from = this.#record.state;
    if (!canTransition(from, to)) {
      throw new Error(`x: internal: run ${this.#record.runId} cannot go from ${from} to ${to}`);
    }
    this.#record.state = to;
    this.#persist({ ...fields, state: to });
    this.#deps.emit({ type: 'run_state', run: this.record });
  }

  #persist(fields: RunFields): void {
    const runId = this.#record.runId;
    this.#deps.persistence.persist(
      'update run',
      fields,
      (latest) => this.#deps.store.updateRun(runId, latest),
      { key: `run:${runId}`, merge: mergeRunFields },
    );
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}
