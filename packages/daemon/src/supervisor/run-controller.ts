import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { PermissionRequestMessage, TurnResultMessage } from '@x/ipc';
import { tooManyTurns, turnNotFound, turnsNotAccepted } from '../errors.js';
import { RpcError } from '@x/ipc';
import type {
  AttemptRecord,
  PermissionRecord,
  RunExit,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import { decideRestart } from './restart-policy.js';
import { RunAttempt } from './run-attempt.js';
import type { RunSpec, StopBudget } from './run-spec.js';
import { canTransition, isActiveState, type RunState } from './run-state.js';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { SupervisorEvent } from './supervisor-events.js';
import { PERMISSION_TIMEOUT_MS, PermissionBroker } from './permission-broker.js';
import { TurnTracker } from './turn-tracker.js';
import { RunDurability, type RunDurabilityDeps } from './run-durability.js';
import type { BudgetDecision } from './budget-policy.js';
import type { UsageReport } from '../persistence/usage-ledger.js';
import { runNotPaused } from '../errors.js';

/**
 * How long `agent start` waits for a runner's `setup_done` after its `ready`: 60 000 ms. Past
 * it, the start is reported with the run running and its setup still going on.
 */
export const SETUP_REPORT_WAIT_MS = 60_000;

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
  /** Checkpoints and spend of the run (see RunDurability). */
  durability: Pick<RunDurabilityDeps, 'checkpoints' | 'usage' | 'fleet'>;
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
  readonly #turns: TurnTracker;
  readonly #permissions: PermissionBroker;
  readonly #durability: RunDurability;
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
    const runId = record.runId;
    this.#durability = new RunDurability({
      runId,
      ...deps.durability,
      persistence: deps.persistence,
      options: () => this.#record.options,
      now: () => this.#now(),
    });
    const lastTurn = deps.persistence.run('read turns', () => deps.store.lastTurnNumber(runId), 0);
    this.#turns = new TurnTracker(runId, lastTurn + 1, () => this.#now());
    this.#permissions = new PermissionBroker(
      runId,
      {
        autoApprove: record.options.autoApprove ?? null,
        timeoutMs: record.options.permissionTimeoutMs ?? PERMISSION_TIMEOUT_MS,
      },
      {
        requested: (request) => this.#onPermissionRequested(request),
        decided: (request) => this.#onPermissionDecided(request),
      },
      () => this.#now(),
    );
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
  async send(
    input: unknown,
    options: { wait?: boolean | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<TurnRecord> {
    const attempt = this.#attempt;
    // A paused runner queues turns and runs them on resume (it said it can pause).
    const accepting =
      this.#record.state === 'running' ||
      (this.#record.state === 'paused' && attempt?.pausable === true);
    if (!accepting || attempt === undefined || !attempt.acceptsTurns) {
      throw turnsNotAccepted(this.#record, attempt?.turnsCapable ?? false);
    }
    if (this.#turns.full) {
      throw tooManyTurns(this.#record.runId, this.#turns.inFlight);
    }
    const turn = this.#turns.submit(input, attempt.record.attempt);
    this.#persistTurn(turn);
    attempt.sendTurn(turn.turnId, input).catch((error: Error) => this.#undeliverable(turn, error));
    if (options.wait !== true) {
      return turn;
    }
    return (await this.#turns.wait(turn.turnId, options.timeoutMs)) ?? this.#storedTurn(turn);
  }

  /**
   * Asks the runner to cancel a turn in flight; it ends as `cancelled` when the runner answers
   * (or when the attempt ends). Returns the turn as it stands (a finished turn unchanged).
   * @throws RpcError TURN_NOT_FOUND (-32022).
   */
  cancelTurn(turnId: string, reason?: string): TurnRecord {
    const turn = this.#turns.get(turnId);
    if (turn === undefined) {
      const runId = this.#record.runId;
      const stored = this.#deps.persistence.run(
        'read turn',
        () => this.#deps.store.getTurn(runId, turnId),
        undefined,
      );
      if (stored === undefined) {
        throw turnNotFound(runId, turnId);
      }
      return stored;
    }
    this.#deps.log.line('x', `turn ${turnId}: cancel requested${reason ? `: ${reason}` : ''}`);
    this.#attempt?.cancelTurn(turnId, reason);
    return turn;
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
    // Answered before `stop` goes out, so the agent can unwind within the IPC phase.
    this.#permissions.denyAll('stopped', 'stopped');
    void this.#attempt?.stop(budget, reason);
    return this.ended;
  }

  #startAttempt(): void {
    if (this.#record.state !== 'starting') {
      this.#transition('starting');
    }
    const spec: RunSpec = {
      ...this.#spec,
      attempt: this.#record.attempt,
      restored: this.#durability.restored(),
      checkpointMaxBytes: this.#durability.maxBytes,
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
            this.#spend(spec.attempt, iteration.usage);
          }
        },
        exited: (record, exit) => this.#onAttemptExit(record, exit),
        turnResult: (message) => this.#onTurnResult(message),
        permissionRequest: (message) => this.#onPermissionRequest(spec.attempt, message),
        permissionCancel: (message) =>
          this.#permissions.withdraw(message.requestId, message.reason),
        setupDone: () => this.#settleStarted(this.record),
        checkpoint: (message) =>
          attempt.ackCheckpoint(
            // Stored while stopping too: a teardown may save the last state before it exits.
            this.#durability.checkpoint(spec.attempt, message, undefined),
          ),
        usage: (message) => {
          const { type: _type, ...usage } = message;
          this.#spend(spec.attempt, usage);
        },
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
        this.#attempt?.setPaused(true, this.#record.pause.reason);
      } else {
        this.#transition('running');
      }
    }
    this.#deliverKept();
    if (this.#attempt?.awaitingSetup === true) {
      // `agent start` reports the setup's outcome, or, after SETUP_REPORT_WAIT_MS, a run still
      // setting up (as systemd's start job waits for READY=1, within TimeoutStartSec).
      const timer = setTimeout(() => this.#settleStarted(this.record), SETUP_REPORT_WAIT_MS);
      timer.unref();
      void this.started.then(() => clearTimeout(timer));
      return;
    }
    this.#settleStarted(this.record);
  }

  #onAttemptExit(attempt: AttemptRecord, exit: RunExit): void {
    this.#endInFlight(exit);
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
    if (this.#attempt?.setupFailed === true && attempt.attempt === 1) {
      // A run whose first setup failed never started: `agent start` reports it, and a restart
      // loop would only repeat it (no respawn loop for a bootstrap failure, as in piscina).
      this.#finish('failed', {
        ...exit,
        explanation: `${exit.explanation}; not restarted: the first attempt's setup failed, fix it and start the agent again`,
      });
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

  #onTurnResult(message: TurnResultMessage): void {
    if (message.usage !== undefined && this.#attempt !== undefined) {
      this.#spend(this.#attempt.record.attempt, message.usage);
    }
    const turn = this.#turns.settle(message);
    if (turn === undefined) {
      this.#deps.log.line(
        'x',
        `protocol: turn_result for ${message.turnId}, not in flight: ignored`,
      );
      return;
    }
    this.#endTurn(turn);
  }

  /**
   * A turn the runner's channel refused (the runner is not reading, the input cannot be
   * encoded, the channel closed): ends it as `error` now, since no answer can come.
   */
  #undeliverable(turn: TurnRecord, error: Error): void {
    const ended = this.#turns.fail(
      turn.turnId,
      `could not be delivered to the runner: ${error.message}`,
    );
    if (ended !== undefined) {
      this.#endTurn(ended);
    }
  }

  /** The attempt exited: its unanswered turns and pending permission requests end with it. */
  #endInFlight(exit: RunExit): void {
    const stopped = this.#stopRequested || exit.reason === 'stopped';
    // Not a stop: the turns that had not started outlive the runner (the next attempt gets
    // them, if there is one: #finish ends them otherwise).
    const turns = stopped
      ? this.#turns.endAll('cancelled', `cancelled: the run was stopped (${exit.reason})`)
      : this.#turns.carryOver(
          `the runner exited (${exit.reason}) while it may have been running this turn: ${exit.explanation}`,
          this.#attempt?.retryTurns === true,
        );
    for (const turn of turns) {
      this.#endTurn(turn);
    }
    this.#permissions.denyAll(
      'stopped',
      stopped ? 'stopped' : `stopped: the runner exited (${exit.reason})`,
    );
  }

  #endTurn(turn: TurnRecord): void {
    this.#persistTurn(turn);
    this.#deps.log.line(
      'x',
      `turn ${turn.turnId}: ${turn.status}${turn.error === null ? '' : `: ${turn.error}`}`,
    );
    const { runId, name } = this.#record;
    this.#deps.emit({ type: 'turn_result', runId, name, turn });
  }

  #onPermissionRequest(attempt: number, message: PermissionRequestMessage): void {
    if (!this.#permissions.request(attempt, message)) {
      this.#deps.log.line(
        'x',
        `protocol: permission request ${message.requestId} is already pending: duplicate ignored`,
      );
    }
  }

  #onPermissionRequested(request: PermissionRecord): void {
    this.#persistPermission(request);
    const { runId, name } = this.#record;
    this.#deps.emit({ type: 'permission_request', runId, name, request });
  }

  #onPermissionDecided(request: PermissionRecord): void {
    this.#persistPermission(request);
    const reason = request.reason ?? undefined;
    // A request the runner withdrew needs no answer: it has stopped waiting for one.
    if (this.#attempt?.record.attempt === request.attempt && request.decidedBy !== 'runner') {
      this.#attempt.answerPermission(request.requestId, request.decision ?? 'denied', reason);
    }
    this.#deps.log.line(
      'x',
      `permission request ${request.requestId} (${request.tool}): ${request.decision ?? '?'} by ${request.decidedBy ?? '?'}${reason === undefined ? '' : ` (${reason})`}`,
    );
    const { runId, name } = this.#record;
    this.#deps.emit({ type: 'permission_answer', runId, name, request });
  }

  #persistTurn(turn: TurnRecord): void {
    this.#deps.persistence.run('record turn', () => this.#deps.store.upsertTurn(turn), undefined);
  }

  #persistPermission(request: PermissionRecord): void {
    this.#deps.persistence.run(
      'record permission request',
      () => this.#deps.store.upsertPermission(request),
      undefined,
    );
  }

  /** A turn that ended while nobody could wait on it (it cannot happen in flight): as stored. */
  #storedTurn(turn: TurnRecord): TurnRecord {
    const runId = this.#record.runId;
    return (
      this.#deps.persistence.run(
        'read turn',
        () => this.#deps.store.getTurn(runId, turn.turnId),
        undefined,
      ) ?? turn
    );
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
      this.#guard('restarting', () => this.#startAttempt());
    }, delayMs);
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
    if (this.#record.state === 'paused') {
      return this.record;
    }
    if (this.#record.state !== 'running') {
      throw runNotPaused(this.#record, 'pause');
    }
    this.#record.pause = pause;
    this.#deps.log.line('x', `paused (${pause.by}): ${pause.reason}`);
    if (this.#attempt?.pausable !== true) {
      this.#deps.log.line(
        'x',
        'the runner does not announce capabilities.pause: it is not told, and takes no turn until resumed',
      );
    }
    this.#transition('paused', { pause });
    this.#attempt?.setPaused(true, pause.reason);
    return this.record;
  }

  /**
   * Resumes a paused run, with its budget changed first (`options.budget`).
   * @throws RpcError RUN_NOT_PAUSABLE (-32025) unless paused; -32602 when the run would still
   *   be over its budget (naming the limit and the spend).
   */
  resume(budget?: NonNullable<RunRecord['options']['budget']>): RunRecord {
    if (this.#record.state !== 'paused') {
      throw runNotPaused(this.#record, 'resume');
    }
    const previous = this.#record.options;
    if (budget !== undefined) {
      this.#record.options = { ...previous, budget };
    }
    const decision = this.#durability.decide();
    if (decision.exceeded) {
      this.#record.options = previous;
      throw new RpcError(
        -32602,
        `Invalid params: ${this.#record.name} would still be over its budget: ${decision.explanation}; raise the limit (--max-cost, --add-cost, --max-tokens, --max-cost-per-day)`,
        { field: `/${decision.limit}`, limit: decision.limit, spent: decision.spent },
      );
    }
    this.#record.pause = null;
    this.#deps.log.line('x', 'resumed');
    this.#transition('running', { pause: null, options: this.#record.options });
    this.#attempt?.setPaused(false);
    return this.record;
  }

  /** Takes the turns a previous daemon left pending: the next attempt runs them, in order. */
  adoptTurns(turns: readonly TurnRecord[]): void {
    this.#turns.adopt(turns);
  }

  /** Sends the turns an earlier attempt left unstarted to this one, in order. */
  #deliverKept(): void {
    const attempt = this.#attempt;
    if (attempt === undefined || !attempt.acceptsTurns) {
      return;
    }
    for (const turn of this.#turns.kept(attempt.record.attempt)) {
      this.#persistTurn(turn);
      this.#deps.log.line('x', `turn ${turn.turnId}: sent to attempt ${turn.attempt ?? '?'}`);
      attempt
        .sendTurn(turn.turnId, turn.input)
        .catch((error: Error) => this.#undeliverable(turn, error));
    }
  }

  /** Adds usage to the run's spend and acts on a budget it reaches (pause, or stop). */
  #spend(attempt: number, usage: UsageReport): void {
    const decision = this.#durability.recordUsage(attempt, usage);
    if (decision.exceeded && this.#record.state === 'running') {
      this.#onBudget(decision);
    }
  }

  #onBudget(decision: Extract<BudgetDecision, { exceeded: true }>): void {
    if (this.#record.options.budget?.onBudget === 'stop') {
      this.#deps.log.line(
        'x',
        `budget reached: ${decision.explanation}; stopping (--on-budget stop)`,
      );
      void this.stop(this.#record.options.stopBudget, `budget reached: ${decision.explanation}`);
      return;
    }
    this.pause({
      by: 'budget',
      reason: decision.explanation,
      at: this.#now(),
      limit: decision.limit,
      limitValue: decision.limitValue,
      spent: decision.spent,
    });
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
        this.#finish('failed', {
          reason: 'supervisor_error',
          stopPhase: null,
          explanation: `x failed while ${what}: ${trace.split('\n')[0]}; the stack is in the run log (a bug in x: please report it)`,
          exitCode: null,
          signal: null,
          stderrTail: '',
          evidence: {},
        });
      }
    }
  }

  #finish(state: 'exited' | 'failed', exit: RunExit): void {
    for (const turn of this.#turns.endAll(
      'error',
      `the run ended (${exit.reason}) before the turn could run: ${exit.explanation}`,
    )) {
      this.#endTurn(turn);
    }
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
