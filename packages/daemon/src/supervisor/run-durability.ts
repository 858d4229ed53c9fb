import type { CheckpointAckMessage, CheckpointMessage, RestoredCheckpoint } from '@x/ipc';
import type { CheckpointStore } from '../persistence/checkpoint-store.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunOptions } from '../persistence/records.js';
import {
  utcDay,
  type ModelsWithoutCost,
  type UsageLedger,
  type UsageReport,
} from '../persistence/usage-ledger.js';
import {
  NO_USAGE,
  budgetApplies,
  budgetHeadroom,
  decideBudget,
  type BudgetDecision,
  type BudgetHeadroom,
  type BudgetInput,
  type FleetBudget,
  type UsageTotals,
} from './budget-policy.js';

/** Largest JSON of one checkpoint's state, unless a run says otherwise: 1 MiB. */
export const CHECKPOINT_MAX_BYTES = 1024 * 1024;

/** What {@link RunDurability} works with. */
export interface RunDurabilityDeps {
  runId: string;
  checkpoints: CheckpointStore;
  usage: UsageLedger;
  persistence: PersistenceGuard;
  /** The daemon-wide budget, if any. */
  fleet?: FleetBudget | undefined;
  /** The run's options as they stand (its budget changes on `agent.resume`). */
  options(): RunOptions;
  now(): number;
}

/**
 * A run's durable side: its checkpoints (stored before they are acknowledged, and while the run
 * stops too, until its runner exits, so a teardown can save its last state; refused while
 * persistence is failing: nothing is reported saved that is not on disk), and its spend (every usage report summed in SQLite, then judged against its budgets by
 * {@link decideBudget}). A thin actor over CheckpointStore and UsageLedger; the run acts on
 * the decisions (pause, stop).
 */
export class RunDurability {
  readonly #deps: RunDurabilityDeps;
  /**
   * Usage reported while SQLite refused it (it waits in memory, or was lost): added to what
   * SQLite says when budgets are judged, until persistence is ok with nothing waiting. Judged
   * twice meanwhile once a part of it is written: a run may pause early, never late.
   */
  #unsaved: UsageTotals = { ...NO_USAGE };
  /** What the last {@link decide} judged (the budget and the spend), for {@link headroom}. */
  #judged: BudgetInput | undefined;

  constructor(deps: RunDurabilityDeps) {
    this.#deps = deps;
  }

  /** The checkpoint an attempt resumes from (`init.restored`): the run's newest, or none. */
  restored(): RestoredCheckpoint | undefined {
    const { runId, checkpoints, persistence } = this.#deps;
    const newest = persistence.read('read checkpoint', () => checkpoints.newest(runId), undefined);
    if (newest === undefined) {
      return undefined;
    }
    // A run forked from another's checkpoint stores it as attempt 0: its own first attempt.
    const { seq, state, savedAt } = newest;
    return { seq, state, savedAt, attempt: Math.max(1, newest.attempt) };
  }

  /** Largest JSON of a checkpoint's state for this run, bytes. */
  get maxBytes(): number {
    return this.#deps.options().checkpointMaxBytes ?? CHECKPOINT_MAX_BYTES;
  }

  /**
   * Stores a runner's checkpoint and answers it: `ok` with its sequence number once committed
   * (durably: CheckpointStore commits with synchronous = FULL), or a refusal that says why
   * (`refuse` set: the run is stopping; persistence failing; the state over the size bound).
   */
  checkpoint(
    attempt: number,
    message: CheckpointMessage,
    refuse: string | undefined,
  ): CheckpointAckMessage {
    const { requestId } = message;
    const refused = (error: string): CheckpointAckMessage => ({
      type: 'checkpoint_ack',
      requestId,
      ok: false,
      error: error.slice(0, 4096),
    });
    if (refuse !== undefined) {
      return refused(refuse);
    }
    const { runId, checkpoints, persistence } = this.#deps;
    const health = persistence.health;
    if (!health.ok) {
      return refused(
        `not stored: persistence is failing (${health.lastError ?? 'unknown error'}); nothing is acknowledged that is not on disk`,
      );
    }
    let stateJson: string;
    try {
      stateJson = JSON.stringify(message.state) ?? 'null';
    } catch (error) {
      return refused(
        `not stored: the state cannot be written as JSON: ${(error as Error).message}`,
      );
    }
    const bytes = Buffer.byteLength(stateJson);
    if (bytes > this.maxBytes) {
      return refused(
        `not stored: the state is ${bytes} bytes of JSON, over checkpointMaxBytes ${this.maxBytes}`,
      );
    }
    const savedAt = this.#deps.now();
    let failure: string | undefined;
    const saved = persistence.run(
      'store checkpoint',
      () =>
        checkpoints.save({
          runId,
          attempt,
          iteration: message.iteration ?? null,
          stateJson,
          savedAt,
        }),
      undefined,
    );
    if (saved === undefined) {
      failure = persistence.health.lastError ?? 'the write failed';
      return refused(`not stored: ${failure}`);
    }
    return { type: 'checkpoint_ack', requestId, ok: true, seq: saved.seq, savedAt: saved.savedAt };
  }

  /** Adds a usage report to the run's totals (SQLite), then judges the budgets. */
  recordUsage(attempt: number, usage: UsageReport): BudgetDecision {
    const { runId, usage: ledger, persistence } = this.#deps;
    const now = this.#deps.now();
    const written = persistence.persist('record usage', { attempt, usage, now }, (entry) => {
      ledger.record(runId, entry.attempt, entry.usage, entry.now);
      return true;
    });
    if (written === undefined) {
      this.#unsaved = addUsage(this.#unsaved, usage);
    }
    return this.decide();
  }

  /** Whether any budget applies to the run (its own or the fleet's): see {@link budgetApplies}. */
  budgeted(): boolean {
    return budgetApplies(this.#deps.options().budget, this.#deps.fleet);
  }

  /**
   * The run's headroom as of the last {@link decide} (`usage_ack.headroom`, see
   * {@link budgetHeadroom}); undefined when it judged no budget.
   */
  headroom(): BudgetHeadroom | undefined {
    return this.#judged === undefined ? undefined : budgetHeadroom(this.#judged);
  }

  /** Whether the run is over one of its budgets now. */
  decide(): BudgetDecision {
    const budget = this.#deps.options().budget;
    const fleet = this.#deps.fleet;
    this.#judged = undefined;
    if ((budget === undefined || budget === null) && fleet?.maxCostPerDayUsd === undefined) {
      return { exceeded: false };
    }
    const { runId, usage: ledger, persistence } = this.#deps;
    const day = utcDay(this.#deps.now());
    if (this.#unsaved.calls > 0 && !persistence.degraded && persistence.waiting === 0) {
      this.#unsaved = { ...NO_USAGE };
    }
    const unsaved = this.#unsaved;
    const read = (what: string, fn: () => UsageTotals) =>
      sumUsage(persistence.read(what, fn, { ...NO_USAGE }), unsaved);
    this.#judged = {
      budget: budget ?? {},
      fleet,
      spend: {
        run: read('read usage', () => ledger.runTotals(runId)),
        runToday: read('read usage', () => ledger.runDayTotals(runId, day)),
        fleetToday:
          fleet?.maxCostPerDayUsd === undefined
            ? { ...NO_USAGE }
            : read('read usage', () => ledger.fleetDayTotals(day)),
      },
    };
    return decideBudget(this.#judged);
  }

  /**
   * Whether the run has a stored report without a cost of `model` (undefined: named none):
   * false while persistence fails to read (a warning may then be given twice, never lost).
   */
  hasReportWithoutCost(model: string | undefined): boolean {
    const { runId, usage: ledger, persistence } = this.#deps;
    return persistence.read('read usage', () => ledger.hasReportWithoutCost(runId, model), false);
  }

  /** The run's models whose reports gave no cost: at most `limit`, and how many in all. */
  modelsWithoutCost(limit: number): ModelsWithoutCost {
    const { runId, usage: ledger, persistence } = this.#deps;
    return persistence.read('read usage', () => ledger.modelsWithoutCost(runId, limit), {
      models: [],
      total: 0,
    });
  }

  /** The run's spend over every attempt. */
  totals(): UsageTotals {
    const { runId, usage: ledger, persistence } = this.#deps;
    return persistence.read('read usage', () => ledger.runTotals(runId), { ...NO_USAGE });
  }
}

/** `totals` with one more report. */
function addUsage(totals: UsageTotals, usage: UsageReport): UsageTotals {
  return sumUsage(totals, {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    costUsd: usage.costUsd ?? 0,
    calls: 1,
    callsWithoutCost: usage.costUsd === undefined ? 1 : 0,
  });
}

function sumUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
    calls: a.calls + b.calls,
    callsWithoutCost: a.callsWithoutCost + b.callsWithoutCost,
  };
}
