import { RpcError } from '@x/ipc';
import { runNotPaused } from '../errors.js';
import type { RunLog } from '../logs/run-log.js';
import type { RunBudgetOptions, RunPause, RunRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { UsageReport } from '../persistence/usage-ledger.js';
import { costLimits, unknownCostWarning, type BudgetDecision } from './budget-policy.js';
import type { SupervisorEvent } from './supervisor-events.js';
import type { RunDurability } from './run-durability.js';
import type { RunnerLink } from './runner-link.js';
import type { StopBudget } from './run-spec.js';

/** Models remembered per run as already warned of (a cost budget cannot see them): 1000. */
const MAX_MODELS_REMEMBERED = 1000;

/** What {@link PauseControl} uses of an attempt's runner: a {@link RunnerLink}, or a fake in tests. */
export type PauseRunner = Pick<RunnerLink, 'pausable' | 'setPaused' | 'setBudgeted'>;

/** What {@link PauseControl} works with. */
export interface PauseControlDeps {
  /**
   * The run's live record (not a copy): read for its state, name and options; PauseControl sets
   * its `pause`, and its `options` when a resume changes the budget (RunDurability reads them).
   */
  run(): RunRecord;
  /** The runner of the run's current attempt, or undefined before the first. */
  runner(): PauseRunner | undefined;
  /** The run's spend and its budget decisions. */
  durability: Pick<
    RunDurability,
    'recordUsage' | 'decide' | 'budgeted' | 'hasReportWithoutCost' | 'modelsWithoutCost'
  >;
  log: Pick<RunLog, 'line'>;
  /** Publishes an event (the warning that a cost budget cannot see a model, as a `log`). */
  emit(event: SupervisorEvent): void;
  /** Clock, ms since the epoch. */
  now(): number;
  /** Moves the run to `to`, persisting `fields` with the state, and publishes it. */
  transition(to: 'paused' | 'running', fields: Parameters<RunStore['updateRun']>[1]): void;
  /** Stops the run gracefully (`RunController.stop`). */
  stop(budget: StopBudget, reason: string): void;
  /** Persists run fields without a state change. */
  persist(fields: Parameters<RunStore['updateRun']>[1]): void;
}

/**
 * Pausing and resuming a run, by an operator or by its budget: counts each usage report
 * against the budgets (RunDurability) and, when one is reached while running, pauses the run
 * or, with `onBudget: 'stop'`, stops it. The run's state machine stays with the run: this
 * asks it for the transitions.
 */
export class PauseControl {
  readonly #deps: PauseControlDeps;
  /** Models (`''`: none named) whose first report without a cost was seen: not looked up again. */
  readonly #withoutCost = new Set<string>();

  constructor(deps: PauseControlDeps) {
    this.#deps = deps;
  }

  /**
   * Pauses a running run: its runner finishes the iteration or turn in progress and starts no
   * new one (it keeps its process, state and heartbeats); turns sent meanwhile queue. Pausing a
   * paused run keeps the first reason.
   * @throws RpcError RUN_NOT_PAUSABLE (-32025) unless the run is running or paused.
   */
  pause(pause: RunPause): void {
    const run = this.#deps.run();
    if (run.state === 'paused') {
      return;
    }
    if (run.state !== 'running') {
      throw runNotPaused(run, 'pause');
    }
    run.pause = pause;
    this.#deps.log.line('x', `paused (${pause.by}): ${pause.reason}`);
    const attempt = this.#deps.runner();
    if (attempt?.pausable !== true) {
      this.#deps.log.line(
        'x',
        'the runner does not announce capabilities.pause: it is not told, and takes no turn until resumed',
      );
    }
    this.#deps.transition('paused', { pause });
    attempt?.setPaused(true, pause.reason);
  }

  /**
   * Resumes a paused run, with its budget changed first (`budget`).
   * @throws RpcError RUN_NOT_PAUSABLE (-32025) unless paused; -32602 when the run would still
   *   be over its budget (naming the limit and the spend); the budget is then left unchanged.
   */
  resume(budget?: RunBudgetOptions): void {
    const run = this.#deps.run();
    if (run.state !== 'paused') {
      throw runNotPaused(run, 'resume');
    }
    const previous = run.options;
    if (budget !== undefined) {
      // Set before deciding: RunDurability judges the options as the run holds them.
      run.options = { ...previous, budget };
    }
    const decision = this.#deps.durability.decide();
    if (decision.exceeded) {
      run.options = previous;
      throw new RpcError(
        -32602,
        `Invalid params: ${run.name} would still be over its budget: ${decision.explanation}; raise the limit (--max-cost, --add-cost, --max-tokens, --max-cost-per-day)`,
        { field: `/${decision.limit}`, limit: decision.limit, spent: decision.spent },
      );
    }
    run.pause = null;
    this.#deps.log.line('x', 'resumed');
    this.#warnOfKnownModels(previous.budget);
    this.#deps.transition('running', { pause: null, options: run.options });
    if (budget !== undefined) {
      // Before the resume: the runner asks for usage acks from its first call on.
      this.#deps.runner()?.setBudgeted(this.#deps.durability.budgeted());
    }
    this.#deps.runner()?.setPaused(false);
  }

  /**
   * Changes the budget of an active run without resuming it (`agent.budget`). A running run
   * already over its new budget is paused (or stopped) at once; a paused one stays paused
   * until resumed.
   */
  setBudget(budget: RunBudgetOptions): void {
    const run = this.#deps.run();
    const previous = run.options.budget;
    run.options = { ...run.options, budget };
    this.#deps.persist({ options: run.options });
    this.#deps.log.line('x', `budget changed: ${JSON.stringify(budget)}`);
    this.#warnOfKnownModels(previous);
    this.#deps.runner()?.setBudgeted(this.#deps.durability.budgeted());
    if (run.state === 'running') {
      const decision = this.#deps.durability.decide();
      if (decision.exceeded) {
        this.#onBudget(decision);
      }
    }
  }

  /**
   * Adds usage of attempt `attempt` to the run's spend and acts on a budget it reaches. The
   * first report without a cost of each model (its price unknown) in a run with a cost budget
   * gets one warning, in the run log and as a `log` event (level `warn`): the budget cannot
   * see that model. Once per run and model, across attempts and daemon restarts (the ledger
   * says whether the model had such a report before).
   */
  spend(attempt: number, usage: UsageReport): void {
    const warn = usage.costUsd === undefined && this.#firstWithoutCost(usage.model);
    const decision = this.#deps.durability.recordUsage(attempt, usage);
    const warning = warn
      ? unknownCostWarning(this.#deps.run().options.budget, [usage.model ?? null])
      : undefined;
    if (warning !== undefined) {
      this.#warn(warning);
    }
    if (decision.exceeded && this.#deps.run().state === 'running') {
      this.#onBudget(decision);
    }
  }

  /**
   * A cost limit given to a run that had none: the models it already reported without a cost
   * (at most 10 named) are warned of now, as their next reports will not be.
   */
  #warnOfKnownModels(previous: RunBudgetOptions | null | undefined): void {
    const run = this.#deps.run();
    if (costLimits(previous).length > 0 || costLimits(run.options.budget).length === 0) {
      return;
    }
    const found = this.#deps.durability.modelsWithoutCost(10);
    const fresh = found.models.filter(({ model }) => !this.#withoutCost.has(model ?? ''));
    fresh.forEach(({ model }) => this.#withoutCost.add(model ?? ''));
    const warning = unknownCostWarning(
      run.options.budget,
      fresh.map(({ model }) => model),
      found.total - found.models.length,
    );
    if (warning !== undefined) {
      this.#warn(warning);
    }
  }

  /** The warning in the run log and as a `log` event of level `warn`. */
  #warn(warning: string): void {
    const run = this.#deps.run();
    const message = `warning: ${warning}`;
    this.#deps.log.line('x', message);
    this.#deps.emit({
      type: 'log',
      runId: run.runId,
      name: run.name,
      level: 'warn',
      message: `x: ${message}`,
    });
  }

  /**
   * True for the first report without a cost of `model` in a run with a cost budget: not seen
   * by this controller, nor stored before (an earlier attempt, or daemon, warned then).
   */
  #firstWithoutCost(model: string | undefined): boolean {
    if (costLimits(this.#deps.run().options.budget).length === 0) {
      return false;
    }
    const key = model ?? '';
    if (this.#withoutCost.has(key)) {
      return false;
    }
    if (this.#withoutCost.size >= MAX_MODELS_REMEMBERED) {
      this.#withoutCost.clear(); // bounded: the ledger still says which were warned of
    }
    this.#withoutCost.add(key);
    return !this.#deps.durability.hasReportWithoutCost(model);
  }

  #onBudget(decision: Extract<BudgetDecision, { exceeded: true }>): void {
    const { options } = this.#deps.run();
    if (options.budget?.onBudget === 'stop') {
      this.#deps.log.line(
        'x',
        `budget reached: ${decision.explanation}; stopping (--on-budget stop)`,
      );
      this.#deps.stop(options.stopBudget, `budget reached: ${decision.explanation}`);
      return;
    }
    this.pause({
      by: 'budget',
      reason: decision.explanation,
      at: this.#deps.now(),
      limit: decision.limit,
      limitValue: decision.limitValue,
      spent: decision.spent,
    });
  }
}
