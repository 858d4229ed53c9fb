import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunRecord } from '../persistence/records.js';
import type { RunUsage, UsageLedger } from '../persistence/usage-ledger.js';
import { NO_USAGE, unknownCostWarning, type UsageTotals } from './budget-policy.js';
import { MODELS_WITHOUT_COST_LISTED } from './supervisor-options.js';

/** What {@link RunSpend} reads: the ledger, and the spend an active run keeps in memory. */
export interface RunSpendDeps {
  ledger: UsageLedger;
  persistence: PersistenceGuard;
  /** The spend of an active run (its stored spend plus what waits to be stored), if active. */
  active(runId: string): UsageTotals | undefined;
}

/**
 * A run's spend as `agent.list` and `agent.status` show it: from the run itself while it is
 * active, else from the usage ledger; a ledger that cannot be read (a failing disk) reads as
 * no spend, and persistence health says why.
 */
export class RunSpend {
  constructor(private readonly deps: RunSpendDeps) {}

  /** A run's spend over every attempt (active or not). */
  totals(runId: string): UsageTotals {
    return (
      this.deps.active(runId) ??
      this.deps.persistence.read('read usage', () => this.deps.ledger.runTotals(runId), {
        ...NO_USAGE,
      })
    );
  }

  /**
   * A run's spend with the models whose reports gave no cost (at most
   * MODELS_WITHOUT_COST_LISTED, 10) and, with a cost budget, the warning that it cannot see
   * them: `agent.status`'s `usage`.
   */
  ofRun(run: Pick<RunRecord, 'runId' | 'options'>): RunUsage {
    const totals = this.totals(run.runId);
    const found =
      totals.callsWithoutCost === 0
        ? { models: [], total: 0 }
        : this.deps.persistence.read(
            'read usage',
            () => this.deps.ledger.modelsWithoutCost(run.runId, MODELS_WITHOUT_COST_LISTED),
            { models: [], total: 0 },
          );
    const warning = unknownCostWarning(
      run.options.budget,
      found.models.map((entry) => entry.model),
      found.total - found.models.length,
    );
    return {
      ...totals,
      modelsWithoutCost: found.models,
      modelsWithoutCostTotal: found.total,
      costBudgetWarning: warning ?? null,
    };
  }
}
