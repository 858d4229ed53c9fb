import type { RunBudgetOptions } from '../persistence/records.js';
import type { UsageTotals } from './budget-policy.js';

/** How `agent.resume` changes a budget: set a limit, or add to the cost already spent. */
export interface BudgetChange {
  /** New lifetime cost limit, USD. */
  maxCostUsd?: number | undefined;
  /** Allow this much more cost than spent so far, USD: the limit becomes spent + this. */
  addCostUsd?: number | undefined;
  /** New lifetime token limit (input + output). */
  maxTokens?: number | undefined;
  /** New cost limit per UTC day, USD. */
  maxCostPerDayUsd?: number | undefined;
  /** What reaching a budget does from now on. */
  onBudget?: 'pause' | 'stop' | undefined;
}

/**
 * The budget after `change`. `addCostUsd` raises the cost limit to what was spent plus it
 * (`x agent resume --add-cost 5`: five more dollars from now), and wins over `maxCostUsd`. A
 * change with no field returns the budget unchanged (a plain resume). Pure but for `spent`,
 * read only when `addCostUsd` is given.
 */
export function changedBudget(
  budget: RunBudgetOptions,
  change: BudgetChange,
  spent: () => UsageTotals,
): RunBudgetOptions {
  const next: RunBudgetOptions = { ...budget };
  if (change.maxCostUsd !== undefined) {
    next.maxCostUsd = change.maxCostUsd;
  }
  if (change.addCostUsd !== undefined) {
    // Rounded to the ledger's nano-dollars, so that "spent + n" is exactly reachable.
    next.maxCostUsd = Math.round((spent().costUsd + change.addCostUsd) * 1e9) / 1e9;
  }
  if (change.maxTokens !== undefined) {
    next.maxTokens = change.maxTokens;
  }
  if (change.maxCostPerDayUsd !== undefined) {
    next.maxCostPerDayUsd = change.maxCostPerDayUsd;
  }
  if (change.onBudget !== undefined) {
    next.onBudget = change.onBudget;
  }
  return next;
}
