import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Emitter, RpcError, type Event } from '@x/ipc';
import {
  DAEMON_RPC_CODES,
  permissionAlreadyAnswered,
  permissionNotFound,
  runActive,
  runNotFound,
  runNotPaused,
  turnNotFound,
  turnsNotAccepted,
} from '../errors.js';
import { launcherModes } from '../launch/resolve-runner-mode.js';
import { RunLog } from '../logs/run-log.js';
import { RunRemoval } from '../persistence/run-removal.js';
import { PersistenceGuard, type PersistenceHealth } from '../persistence/persistence-guard.js';
import type {
  IterationRecord,
  PermissionRecord,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import { silentLogger, type Logger } from '../process/logger.js';
import type { StopBudget } from './run-spec.js';
import type { RestartHistory } from './restart-history.js';
import { recoverLostRuns } from './recovery.js';
import { parkRun, storeBackoff, type ParkingDeps } from './run-parking.js';
import { RunRegistry } from './run-registry.js';
import { CheckpointStore, DEFAULT_CHECKPOINTS_KEPT } from '../persistence/checkpoint-store.js';
import { DEFAULT_RECORDS_MAX_BYTES, RecordStore } from '../persistence/record-store.js';
import { ThreadRecords } from '../persistence/thread-records.js';
import { UsageLedger, type RunUsage } from '../persistence/usage-ledger.js';
import type { UsageTotals } from './budget-policy.js';
import { changedBudget, type BudgetChange } from './budget-change.js';
import { checkStartRequest } from './start-checks.js';
import { newRunRecord, type StartRequest } from './run-request.js';
import { RunController } from './run-controller.js';
import { RunFork } from './run-fork.js';
import { forgetRun } from './run-forget.js';
import { RunSpend } from './run-spend.js';
import { runSpecOf } from './run-spec-of.js';
import type { RunResources } from './resource-meter.js';
import type { SupervisorEvent } from './supervisor-events.js';
import type {
  RemovedRun,
  RunnerSupervisorOptions,
  SendOptions,
  ShutdownOptions,
} from './supervisor-options.js';

export type { ProbeInput, RestartPolicyInput, StartRequest } from './run-request.js';
export {
  MODELS_WITHOUT_COST_LISTED,
  type RemovedRun,
  type RunnerSupervisorOptions,
  type SendOptions,
  type ShutdownOptions,
} from './supervisor-options.js';

/**
 * Supervises agent runs: starts them through a {@link RunnerLauncher}, restarts them by
 * policy, keeps the active ones in memory (finished ones live in SQLite only, so memory
 * stays bounded), stops them in three phases, and publishes events after persisting them.
 */
export class RunnerSupervisor {
  readonly #runs: RunRegistry;
  // A listener that throws (the event hub, a test's) is logged: an event must never take the
  // daemon down (the Emitter's default rethrows, an uncaught exception).
  readonly #events = new Emitter<SupervisorEvent>((error) =>
    this.#logger.error(
      `event listener failed: ${(error as Error)?.stack ?? (error as Error)?.message ?? String(error)}`,
    ),
  );
  readonly #persistence: PersistenceGuard;
  readonly #logger: Logger;
  #closing = false;
  /** Where a parked or reopened run is stored (see run-parking.ts). */
  readonly #parking: ParkingDeps;

  constructor(private readonly options: RunnerSupervisorOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#persistence = options.persistence ?? new PersistenceGuard(this.#logger);
    this.#runs = new RunRegistry({ store: options.store, persistence: this.#persistence });
    this.#parking = { store: options.store, persistence: this.#persistence, logger: this.#logger };
    mkdirSync(options.logsDir, { recursive: true, mode: 0o700 });
    this.checkpoints = new CheckpointStore(options.store.database, {
      keep: options.checkpointsKept ?? DEFAULT_CHECKPOINTS_KEPT,
    });
    this.#usage = new UsageLedger(options.store.database);
    this.#spend = new RunSpend({
      ledger: this.#usage,
      persistence: this.#persistence,
      active: (runId) => this.#runs.activeById(runId)?.usage,
    });
    this.records = new RecordStore(options.store.database);
    this.threads = new ThreadRecords(options.store.database);
    this.#removal = new RunRemoval(options.store.database);
    this.#fork = new RunFork({
      store: options.store,
      persistence: this.#persistence,
      checkpoints: this.checkpoints,
      records: this.records,
      threads: this.threads,
      recordsMaxBytes: options.recordsMaxBytes ?? DEFAULT_RECORDS_MAX_BYTES,
      find: (ref) => this.get(ref),
    });
  }

  readonly #fork: RunFork;
  /** Every run's threads kept in its records (thread layout: LangGraph checkpoints). */
  readonly threads: ThreadRecords;

  readonly #removal: RunRemoval;

  /** Every run's stored checkpoints (the newest `checkpointsKept` of each). */
  readonly checkpoints: CheckpointStore;
  /** Every run's records (protocol `store`). */
  readonly records: RecordStore;
  readonly #usage: UsageLedger;
  readonly #spend: RunSpend;

  /** A run's spend over every attempt (active or not): {@link RunSpend.totals}. */
  usage(runId: string): UsageTotals {
    return this.#spend.totals(runId);
  }

  /** A run's spend as `agent.status` shows it: {@link RunSpend.ofRun}. */
  runUsage(run: Pick<RunRecord, 'runId' | 'options'>): RunUsage {
    return this.#spend.ofRun(run);
  }

  /**
   * Pauses a running run by hand (`x agent pause`); see {@link RunController.pause}.
   * @throws RpcError RUN_NOT_FOUND (-32001), RUN_NOT_PAUSABLE (-32025).
   */
  pause(ref: string, reason?: string): RunRecord {
    const run = this.#activeOrThrow(ref);
    return run.pause({ by: 'client', reason: reason ?? 'paused by an operator', at: Date.now() });
  }

  /**
   * Changes an active run's budget without resuming it (`agent.budget`): a running run already
   * over the new budget is paused (or stopped) at once.
   * @throws RpcError RUN_NOT_FOUND (-32001); RUN_NOT_PAUSABLE (-32025) for a finished run.
   */
  setBudget(ref: string, change: BudgetChange): RunRecord {
    const run = this.#activeOrThrow(ref);
    return run.setBudget(changedBudget(run.record.options.budget ?? {}, change, () => run.usage));
  }

  /**
   * Resumes a paused run, its budget changed first; see {@link RunController.resume}.
   * @throws RpcError RUN_NOT_FOUND (-32001), RUN_NOT_PAUSABLE (-32025), -32602 when still over budget.
   */
  resume(ref: string, change: BudgetChange = {}): RunRecord {
    const run = this.#activeOrThrow(ref);
    const budget = changedBudget(run.record.options.budget ?? {}, change, () => run.usage);
    return run.resume(budget);
  }

  /** Every state change, iteration, log line and notification, after it is persisted. */
  get onEvent(): Event<SupervisorEvent> {
    return this.#events.event;
  }

  /** Health of the SQLite store. */
  get persistence(): PersistenceHealth {
    return this.#persistence.health;
  }

  /** Number of runs not yet terminal (running, or waiting to restart). */
  get activeCount(): number {
    return this.#runs.activeCount;
  }

  /**
   * The launcher's default mode (`subprocess` or `thread`), with the other modes it offers and
   * why, e.g. `subprocess (default; also thread)` or
   * `thread (subprocesses are unavailable on win32)`: what `system.info` shows.
   */
  get launcherKind(): string {
    const { kind, modeNote } = this.options.launcher;
    const others = launcherModes(this.options.launcher).filter((mode) => mode !== kind);
    const notes = [
      ...(others.length === 0 ? [] : [`default; also ${others.join(', ')}`]),
      ...(modeNote === undefined ? [] : [modeNote]),
    ];
    return notes.length === 0 ? kind : `${kind} (${notes.join('; ')})`;
  }

  /**
   * Starts a run and resolves once it is ready, waiting to restart (`backoff`), or terminal
   * (then `exit` says why).
   * @throws RpcError NAME_IN_USE (-32002) when an active run has the name;
   *   SHUTTING_DOWN (-32004) during shutdown; -32602 for a bad name or module/command;
   *   for a start `from` a checkpoint, as RunFork's resolve and create (RUN_NOT_FOUND,
   *   CHECKPOINT_NOT_FOUND, -32603 while persistence is failing).
   */
  async start(request: StartRequest): Promise<RunRecord> {
    this.#refuseWhileClosing('start');
    const { kind, mode, name } = checkStartRequest(request, this.options);
    this.#runs.refuseNameInUse(name);
    const source = this.#fork.resolve(request.from);
    const runId = this.#runs.newRunId();
    const record = newRunRecord({
      request,
      runId,
      name,
      kind,
      mode,
      from: source === undefined ? undefined : this.#fork.origin(source, runId),
      logPath: join(this.options.logsDir, `${name}-${runId}.log`),
      now: Date.now(),
    });
    if (source === undefined) {
      this.#persistence.persist('insert run', record, (run) => this.options.store.insertRun(run));
    } else {
      this.#fork.create(record, source);
    }
    const run = this.#controller(record);
    this.#events.fire({ type: 'run_state', run: run.record });
    run.start();
    return run.started;
  }

  /**
   * Stops a run (3 phases, or cancels its pending restart) and resolves with its terminal
   * record once its exit was observed. Stopping a terminal run returns its record unchanged.
   * @throws RpcError RUN_NOT_FOUND (-32001).
   */
  async stop(ref: string, budget?: Partial<StopBudget>): Promise<RunRecord> {
    const run = this.#runs.findActive(ref);
    if (run === undefined) {
      const record = this.get(ref);
      if (record === undefined) {
        throw runNotFound(ref);
      }
      return record;
    }
    const defaults = run.record.options.stopBudget;
    return run.stop({
      ipcMs: budget?.ipcMs ?? defaults.ipcMs,
      sigtermMs: budget?.sigtermMs ?? defaults.sigtermMs,
    });
  }

  /**
   * Restarts a run at an operator's request (`agent.restart`): a new attempt of the same run
   * with the same settings, resuming from its newest acknowledged checkpoint. An active run is
   * stopped first (3 phases, `budget` or its own) and started again
   * ({@link RunController.restart}); one being stopped is restarted once its stop completes; a
   * finished run (`exited`, `failed`) becomes active again, its history, checkpoints and spend
   * kept. Resolves like {@link start}: at the new attempt's ready, backoff, or terminal state.
   * @throws RpcError RUN_NOT_FOUND (-32001); NAME_IN_USE (-32002) when another active run
   *   took a finished run's name; SHUTTING_DOWN (-32004) during shutdown.
   */
  async restart(ref: string, budget?: Partial<StopBudget>): Promise<RunRecord> {
    for (;;) {
      this.#refuseWhileClosing('restart');
      const active = this.#runs.findActive(ref);
      if (active === undefined) {
        break;
      }
      if (active.state !== 'stopping') {
        const defaults = active.record.options.stopBudget;
        return active.restart({
          ipcMs: budget?.ipcMs ?? defaults.ipcMs,
          sigtermMs: budget?.sigtermMs ?? defaults.sigtermMs,
        });
      }
      // A stop in progress completes first; then the run is finished and reopened below.
      ref = active.record.runId;
      await active.ended;
    }
    const stored = this.get(ref);
    if (stored === undefined) {
      throw runNotFound(ref);
    }
    this.#runs.refuseNameInUse(stored.name);
    // Reopened as after a daemon crash: stored in backoff, the controller starts the next attempt.
    const fields = storeBackoff(this.#parking, 'reopen run', stored.runId);
    const run = this.#controller({ ...stored, ...fields });
    run.restartAfter(0, `restart requested by an operator (the run had ${stored.state})`, true);
    return run.started;
  }

  /**
   * Forgets a finished run (`agent.remove`): its record, attempts, iterations, turns,
   * permission requests, checkpoints and events (see RunRemoval; its spend still counts toward
   * the day's daemon-wide cap), then its log files. Publishes `run_removed`.
   * @throws RpcError RUN_NOT_FOUND (-32001); RUN_ACTIVE (-32027) for a run not yet finished;
   *   -32603 when the database write fails (nothing is removed then).
   */
  remove(ref: string): RemovedRun {
    const active = this.#runs.findActive(ref);
    if (active !== undefined) {
      throw runActive(active.record);
    }
    const record = this.get(ref);
    if (record === undefined) {
      throw runNotFound(ref);
    }
    const removed = forgetRun(record, {
      removal: this.#removal,
      persistence: this.#persistence,
      logger: this.#logger,
    });
    this.#events.fire({ type: 'run_removed', runId: record.runId, name: record.name });
    return removed;
  }

  /**
   * Stops every active run in parallel and refuses new ones. Resolves when all have ended, with
   * their records. With `resume`, each run whose restart policy is not `no` is then parked:
   * stored `backoff` with no restart time, which the next daemon's {@link recover} restarts
   * (from its newest checkpoint); the records returned say so in `state`.
   */
  async stopAll(budget?: Partial<StopBudget>, options: ShutdownOptions = {}): Promise<RunRecord[]> {
    this.#closing = true;
    const runs = await Promise.all(
      this.#runs.active().map((run) => this.stop(run.record.runId, budget)),
    );
    return options.resume === true ? runs.map((record) => parkRun(this.#parking, record)) : runs;
  }

  /**
   * Takes over the runs a previous daemon left active (it died): reaps a survivor whose pid
   * and process start time match the stored attempt, then follows {@link planRecovery}: a run
   * that was `stopping` is ended as stopped (its stop is honoured); any other is `daemon_lost`
   * and restarted if its policy says so (with its restart history), or ends as `failed`.
   * Call once, before serving.
   */
  recover(): RunRecord[] {
    return recoverLostRuns({
      store: this.options.store,
      persistence: this.#persistence,
      logger: this.#logger,
      nameTaken: (name) => this.#runs.findActive(name) !== undefined,
      resume: (record, plan) => {
        const run = this.#controller(record, plan.history);
        run.adoptTurns(
          this.#persistence.read(
            'read turns',
            () => this.options.store.pendingTurns(record.runId),
            [],
          ),
        );
        run.restartAfter(
          plan.delayMs,
          plan.exit.reason === 'daemon_lost'
            ? `${plan.explanation}; resuming after the previous daemon died`
            : plan.explanation,
        );
        return run.record;
      },
    });
  }

  /** A run by id, or the active (else latest) run with that name: {@link RunRegistry.get}. */
  get(ref: string): RunRecord | undefined {
    return this.#runs.get(ref);
  }

  /** Active runs plus the most recent finished ones: {@link RunRegistry.list}. */
  list(options: { all?: boolean | undefined } = {}): RunRecord[] {
    return this.#runs.list(options);
  }

  /** The last `limit` stored iterations of a run, newest first. */
  iterations(runId: string, limit: number): IterationRecord[] {
    return this.#persistence.read(
      'read iterations',
      () => this.options.store.recentIterations(runId, limit),
      [],
    );
  }

  /**
   * Submits a turn (any JSON value) to a running run; see {@link RunController.send}.
   * @throws RpcError RUN_NOT_FOUND (-32001); TURNS_NOT_ACCEPTED (-32020) when the run is not
   *   running or its agent takes no turns; TOO_MANY_TURNS (-32021).
   */
  async send(ref: string, input: unknown, options: SendOptions = {}): Promise<TurnRecord> {
    const run = this.#runs.findActive(ref);
    if (run === undefined) {
      const record = this.get(ref);
      if (record === undefined) {
        throw runNotFound(ref);
      }
      throw turnsNotAccepted(record, false);
    }
    return run.send(input, options);
  }

  /**
   * Asks a run's runner to cancel a turn in flight; returns the turn as it stands.
   * @throws RpcError RUN_NOT_FOUND (-32001), TURN_NOT_FOUND (-32022).
   */
  cancelTurn(ref: string, turnId: string, reason?: string): TurnRecord {
    const run = this.#runs.findActive(ref);
    if (run !== undefined) {
      return run.cancelTurn(turnId, reason);
    }
    const record = this.get(ref);
    if (record === undefined) {
      throw runNotFound(ref);
    }
    const turn = this.turn(record.runId, turnId);
    if (turn === undefined) {
      throw turnNotFound(record.runId, turnId);
    }
    return turn;
  }

  /** One stored turn of a run, or undefined. */
  turn(runId: string, turnId: string): TurnRecord | undefined {
    return this.#persistence.read(
      'read turn',
      () => this.options.store.getTurn(runId, turnId),
      undefined,
    );
  }

  /** The last `limit` turns of a run, newest first (pending ones included). */
  turns(runId: string, limit: number): TurnRecord[] {
    return this.#persistence.read(
      'read turns',
      () => this.options.store.recentTurns(runId, limit),
      [],
    );
  }

  /**
   * Answers a pending permission request of a run (only a client of the daemon's user can
   * reach this: the control socket is mode 0600 in a 0700 directory).
   * @throws RpcError RUN_NOT_FOUND (-32001); PERMISSION_NOT_FOUND (-32023);
   *   PERMISSION_ALREADY_ANSWERED (-32024), with the earlier decision in `data.request`.
   */
  answerPermission(
    ref: string,
    requestId: string,
    decision: 'granted' | 'denied',
    reason?: string,
  ): PermissionRecord {
    const run = this.#runs.findActive(ref);
    const record = run?.record ?? this.get(ref);
    if (record === undefined) {
      throw runNotFound(ref);
    }
    const answered = run?.answerPermission(requestId, decision, reason) ?? 'not_pending';
    if (answered !== 'not_pending') {
      return answered;
    }
    const stored = this.#persistence.read(
      'read permission request',
      () => this.options.store.getPermission(record.runId, requestId),
      undefined,
    );
    if (stored === undefined) {
      throw permissionNotFound(record.runId, requestId);
    }
    throw permissionAlreadyAnswered(stored);
  }

  /** Pending permission requests of an active run, oldest first (none for a finished run). */
  pendingPermissions(runId: string): PermissionRecord[] {
    return this.#runs.activeById(runId)?.pendingPermissions ?? [];
  }

  /** The iteration an active run is in the middle of, or null. */
  currentIteration(runId: string): { iteration: number; startedAt: number } | null {
    return this.#runs.activeById(runId)?.currentIteration ?? null;
  }

  /**
   * CPU and memory of an active run's current attempt, sampled every `memorySampleMs`
   * (RunResources), or null: a finished run, one in backoff, or not sampled yet.
   */
  resources(runId: string): RunResources | null {
    return this.#runs.activeById(runId)?.resources ?? null;
  }

  /** Last heartbeat time of an active run (ms since the epoch), or null. */
  lastHeartbeatAt(runId: string): number | null {
    return this.#runs.activeById(runId)?.lastHeartbeatAt ?? null;
  }

  /** Creates and registers the controller of a run (new or resumed). */
  #controller(record: RunRecord, history?: RestartHistory): RunController {
    const spec = runSpecOf(record, this.options);
    const log = new RunLog(
      record.logPath ?? join(this.options.logsDir, `${record.name}-${record.runId}.log`),
      this.options.runLog,
    );
    const run = new RunController(
      spec,
      record,
      {
        launcher: this.options.launcher,
        store: this.options.store,
        persistence: this.#persistence,
        log,
        logger: this.#logger,
        emit: (event) => this.#events.fire(event),
        durability: {
          checkpoints: this.checkpoints,
          usage: this.#usage,
          fleet: this.options.fleetBudget,
        },
        records: {
          records: this.records,
          maxBytes: this.options.recordsMaxBytes ?? DEFAULT_RECORDS_MAX_BYTES,
        },
      },
      history,
    );
    this.#runs.register(run);
    return run;
  }

  /** @throws RpcError SHUTTING_DOWN (-32004) once shutdown began. */
  #refuseWhileClosing(what: string): void {
    if (this.#closing) {
      throw new RpcError(
        DAEMON_RPC_CODES.SHUTTING_DOWN,
        `x: the daemon is shutting down; ${what} the agent after it restarts`,
      );
    }
  }

  #activeOrThrow(ref: string): RunController {
    const run = this.#runs.findActive(ref);
    if (run === undefined) {
      const record = this.get(ref);
      if (record === undefined) {
        throw runNotFound(ref);
      }
      throw runNotPaused(record, record.state === 'paused' ? 'resume' : 'pause');
    }
    return run;
  }
}
