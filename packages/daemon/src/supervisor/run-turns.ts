import type { TurnResultMessage } from '@x/ipc';
import { tooManyTurns, turnNotFound, turnsNotAccepted } from '../errors.js';
import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunExit, RunRecord, TurnRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { UsageReport } from '../persistence/usage-ledger.js';
import type { RunnerLink } from './runner-link.js';
import type { SupervisorEvent } from './supervisor-events.js';
import { TurnTracker } from './turn-tracker.js';

/** What {@link RunTurns} uses of an attempt's runner: a {@link RunnerLink}, or a fake in tests. */
export type TurnRunner = Pick<
  RunnerLink,
  | 'attempt'
  | 'acceptsTurns'
  | 'turnsCapable'
  | 'pausable'
  | 'retryTurns'
  | 'sendTurn'
  | 'cancelTurn'
>;

/** What {@link RunTurns} works with. */
export interface RunTurnsDeps {
  /** The run as it stands: its id and name (in errors and events), its state (who takes turns). */
  run(): Pick<RunRecord, 'runId' | 'name' | 'state'>;
  /** The runner of the run's current attempt, or undefined before the first. */
  runner(): TurnRunner | undefined;
  store: Pick<RunStore, 'lastTurnNumber' | 'getTurn' | 'upsertTurn'>;
  persistence: Pick<PersistenceGuard, 'persist' | 'read'>;
  log: Pick<RunLog, 'line'>;
  emit(event: SupervisorEvent): void;
  /** Adds a turn's usage to the run's spend (the run acts on a budget it reaches). */
  spend(attempt: number, usage: UsageReport): void;
  /** Clock, ms since the epoch. */
  now(): number;
}

/**
 * The turns of one run, across its attempts: sends them to the current attempt, ends them
 * (the runner's `turn_result`, an undeliverable send, the attempt's exit, the run's end), keeps
 * the ones that had not started for the next attempt, and persists, logs and publishes each
 * change. The books are a {@link TurnTracker}; the run decides when attempts start and end.
 */
export class RunTurns {
  readonly #deps: RunTurnsDeps;
  readonly #tracker: TurnTracker;

  /** Reads the run's last stored turn number, so that ids are not reused after a daemon restart. */
  constructor(deps: RunTurnsDeps) {
    this.#deps = deps;
    const runId = deps.run().runId;
    const lastTurn = deps.persistence.read('read turns', () => deps.store.lastTurnNumber(runId), 0);
    this.#tracker = new TurnTracker(runId, lastTurn + 1, () => deps.now());
  }

  /**
   * Submits a turn to the current attempt. Without `wait`, resolves at once with the turn
   * (`pending`); with `wait`, once it ends, or with its `pending` snapshot after `timeoutMs`.
   * @throws RpcError TURNS_NOT_ACCEPTED (-32020) unless the run is running (or paused, with a
   *   runner that can pause) and its runner announced `capabilities.turns`; TOO_MANY_TURNS
   *   (-32021) at MAX_TURNS_IN_FLIGHT.
   */
  async send(
    input: unknown,
    options: { wait?: boolean | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<TurnRecord> {
    const run = this.#deps.run();
    const attempt = this.#deps.runner();
    // A paused runner queues turns and runs them on resume (it said it can pause).
    const accepting =
      run.state === 'running' || (run.state === 'paused' && attempt?.pausable === true);
    if (!accepting || attempt === undefined || !attempt.acceptsTurns) {
      throw turnsNotAccepted(run, attempt?.turnsCapable ?? false);
    }
    if (this.#tracker.full) {
      throw tooManyTurns(run.runId, this.#tracker.inFlight);
    }
    const turn = this.#tracker.submit(input, attempt.attempt);
    this.#persist(turn);
    attempt.sendTurn(turn.turnId, input).catch((error: Error) => this.#undeliverable(turn, error));
    if (options.wait !== true) {
      return turn;
    }
    return (await this.#tracker.wait(turn.turnId, options.timeoutMs)) ?? this.#stored(turn);
  }

  /**
   * Asks the runner to cancel a turn in flight; it ends as `cancelled` when the runner answers
   * (or when the attempt ends). Returns the turn as it stands (a finished turn as stored).
   * @throws RpcError TURN_NOT_FOUND (-32022).
   */
  cancel(turnId: string, reason?: string): TurnRecord {
    const turn = this.#tracker.get(turnId);
    if (turn === undefined) {
      const runId = this.#deps.run().runId;
      const stored = this.#read(runId, turnId);
      if (stored === undefined) {
        throw turnNotFound(runId, turnId);
      }
      return stored;
    }
    this.#deps.log.line('x', `turn ${turnId}: cancel requested${reason ? `: ${reason}` : ''}`);
    this.#deps.runner()?.cancelTurn(turnId, reason);
    return turn;
  }

  /**
   * Ends a turn with the runner's `turn_result` (one not in flight is logged and ignored),
   * after its usage, if any, is spent against the current attempt.
   */
  settle(message: TurnResultMessage): void {
    const attempt = this.#deps.runner();
    // `counted`: the runner reported it call by call already (usage messages naming the turn).
    if (message.usage !== undefined && message.usage.counted !== true && attempt !== undefined) {
      // Split by model when the runner says (a model without a price is then known by name).
      const { models, ...totals } = message.usage;
      for (const usage of models ?? [totals]) {
        this.#deps.spend(attempt.attempt, usage);
      }
    }
    const turn = this.#tracker.settle(message);
    if (turn === undefined) {
      this.#deps.log.line(
        'x',
        `protocol: turn_result for ${message.turnId}, not in flight: ignored`,
      );
      return;
    }
    this.#end(turn);
  }

  /**
   * The attempt exited. After a stop (`stopped`), every turn in flight ends `cancelled`.
   * Otherwise the turns that had not started outlive the runner, for the next attempt (or
   * {@link endWithRun} if there is none); see {@link TurnTracker.carryOver}.
   */
  endAtExit(exit: RunExit, stopped: boolean): void {
    const turns = stopped
      ? this.#tracker.endAll('cancelled', `cancelled: the run was stopped (${exit.reason})`)
      : this.#tracker.carryOver(
          `the runner exited (${exit.reason}) while it may have been running this turn: ${exit.explanation}`,
          this.#deps.runner()?.retryTurns === true,
        );
    for (const turn of turns) {
      this.#end(turn);
    }
  }

  /** The run ended: the turns still kept end as `error`, since no attempt will run them. */
  endWithRun(exit: RunExit): void {
    for (const turn of this.#tracker.endAll(
      'error',
      `the run ended (${exit.reason}) before the turn could run: ${exit.explanation}`,
    )) {
      this.#end(turn);
    }
  }

  /** Takes the turns a previous daemon left pending: the next attempt runs them, in order. */
  adopt(turns: readonly TurnRecord[]): void {
    this.#tracker.adopt(turns);
  }

  /** Sends the turns an earlier attempt left unstarted to the current one, in order. */
  deliverKept(): void {
    const attempt = this.#deps.runner();
    if (attempt === undefined || !attempt.acceptsTurns) {
      return;
    }
    for (const turn of this.#tracker.kept(attempt.attempt)) {
      this.#persist(turn);
      this.#deps.log.line('x', `turn ${turn.turnId}: sent to attempt ${turn.attempt ?? '?'}`);
      attempt
        .sendTurn(turn.turnId, turn.input)
        .catch((error: Error) => this.#undeliverable(turn, error));
    }
  }

  /**
   * A turn the runner's channel refused (the runner is not reading, the input cannot be
   * encoded, the channel closed): ends it as `error` now, since no answer can come.
   */
  #undeliverable(turn: TurnRecord, error: Error): void {
    const ended = this.#tracker.fail(
      turn.turnId,
      `could not be delivered to the runner: ${error.message}`,
    );
    if (ended !== undefined) {
      this.#end(ended);
    }
  }

  #end(turn: TurnRecord): void {
    this.#persist(turn);
    this.#deps.log.line(
      'x',
      `turn ${turn.turnId}: ${turn.status}${turn.error === null ? '' : `: ${turn.error}`}`,
    );
    const { runId, name } = this.#deps.run();
    this.#deps.emit({ type: 'turn_result', runId, name, turn });
  }

  #persist(turn: TurnRecord): void {
    this.#deps.persistence.persist(
      'record turn',
      turn,
      (latest) => this.#deps.store.upsertTurn(latest),
      {
        key: `turn:${turn.runId}:${turn.turnId}`,
      },
    );
  }

  /** A turn that ended while nobody could wait on it (it cannot happen in flight): as stored. */
  #stored(turn: TurnRecord): TurnRecord {
    return this.#read(turn.runId, turn.turnId) ?? turn;
  }

  #read(runId: string, turnId: string): TurnRecord | undefined {
    return this.#deps.persistence.read(
      'read turn',
      () => this.#deps.store.getTurn(runId, turnId),
      undefined,
    );
  }
}
