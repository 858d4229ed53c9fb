/** Usage summed over some scope (a run, an attempt, a UTC day): what budgets are checked against. */
export interface UsageTotals {
  /** Input (prompt) tokens. */
  inputTokens: number;
  /** Output (completion) tokens. */
  outputTokens: number;
  /** USD, summed over the reports that gave a cost. */
  costUsd: number;
  /** Usage reports counted (one per iteration or turn that reported usage). */
  calls: number;
  /** Reports that gave no cost: their tokens are counted, their cost is unknown (not in `costUsd`). */
  callsWithoutCost: number;
}

/** Totals of nothing. */
export const NO_USAGE: Readonly<UsageTotals> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  calls: 0,
  callsWithoutCost: 0,
});

/** A run's budget. Absent (or undefined) limits do not apply. */
export interface RunBudget {
  /** The run's whole cost, every attempt, USD. */
  maxCostUsd?: number | undefined;
  /** The run's input + output tokens, every attempt. */
  maxTokens?: number | undefined;
  /** The run's cost within one UTC calendar day, USD (see `UsageLedger` for why UTC days). */
  maxCostPerDayUsd?: number | undefined;
}

/** The daemon's budget, over every run. */
export interface FleetBudget {
  /** The cost of all runs within one UTC calendar day, USD. */
  maxCostPerDayUsd?: number | undefined;
}

/** Which limit was reached: a field of {@link RunBudget}, or the fleet's daily cost. */
export type BudgetLimit = 'maxCostUsd' | 'maxTokens' | 'maxCostPerDayUsd' | 'fleetCostPerDayUsd';

/**
 * Where each limit is set, as named in explanations and warnings: the `x agent start` options
 * and the daemon's. Change them here if the CLI names them otherwise.
 */
export const BUDGET_LIMIT_OPTIONS: Readonly<Record<BudgetLimit, string>> = {
  maxCostUsd: '--max-cost',
  maxTokens: '--max-tokens',
  maxCostPerDayUsd: '--max-cost-per-day',
  fleetCostPerDayUsd: 'x daemon start --max-cost-per-day',
};

/** What a budget decision is made from. */
export interface BudgetInput {
  /** The run's limits. */
  budget: RunBudget;
  /** The daemon's limits; absent: none. */
  fleet?: FleetBudget | undefined;
  spend: {
    /** The run's totals, every attempt and day (`UsageLedger.runTotals`). */
    run: UsageTotals;
    /** The run's totals of the current UTC day (`UsageLedger.runDayTotals`). */
    runToday: UsageTotals;
    /** Every run's totals of the current UTC day (`UsageLedger.fleetDayTotals`). */
    fleetToday: UsageTotals;
  };
}

/** The decision: within budget, or which limit was reached (`spent` ≥ `limitValue`). */
export type BudgetDecision =
  | { exceeded: false }
  | {
      exceeded: true;
      limit: BudgetLimit;
      /** The limit, USD or tokens. */
      limitValue: number;
      /** What was spent against it, USD or tokens (input + output). */
      spent: number;
      /** One line, e.g. `cost $1.02 reached the budget of $1.00 (--max-cost)`. */
      explanation: string;
    };

/**
 * Decides whether a run has reached its budget. Pure.
 *
 * A limit is reached when the spend is at or over it (a limit of 0 is reached at once).
 * Tokens are input + output. Cost counts only the reports that gave one (see
 * {@link budgetWarning}). When several limits are reached, the first in this order is
 * reported: `maxCostUsd`, `maxTokens` (the run's lifetime: no waiting lifts them), then
 * `maxCostPerDayUsd`, `fleetCostPerDayUsd` (lifted at the next 00:00 UTC). Limits are expected
 * to be checked where they are given ({@link budgetProblem}); here a NaN limit is never reached.
 */
export function decideBudget(input: BudgetInput): BudgetDecision {
  const { budget, fleet, spend } = input;
  // Each limit, the totals it is checked against, and what was spent against it.
  const checks: [BudgetLimit, number | undefined, UsageTotals, number][] = [
    ['maxCostUsd', budget.maxCostUsd, spend.run, spend.run.costUsd],
    ['maxTokens', budget.maxTokens, spend.run, spend.run.inputTokens + spend.run.outputTokens],
    ['maxCostPerDayUsd', budget.maxCostPerDayUsd, spend.runToday, spend.runToday.costUsd],
    ['fleetCostPerDayUsd', fleet?.maxCostPerDayUsd, spend.fleetToday, spend.fleetToday.costUsd],
  ];
  for (const [limit, limitValue, totals, spent] of checks) {
    if (limitValue !== undefined && spent >= limitValue) {
      const explanation = explain(limit, limitValue, spent, totals);
      return { exceeded: true, limit, limitValue, spent, explanation };
    }
  }
  return { exceeded: false };
}

/**
 * Whether any limit applies to a run: one of its own or the fleet's that can be reached (a
 * number below `Infinity`; null, undefined, `Infinity`: no limit). A run under none cannot be
 * paused by its usage, so its runner need not wait for its reports to be counted
 * (`init.budgeted`, `budget_state`). Pure.
 */
export function budgetApplies(
  budget: RunBudget | null | undefined,
  fleet: FleetBudget | undefined,
): boolean {
  return [
    budget?.maxCostUsd,
    budget?.maxTokens,
    budget?.maxCostPerDayUsd,
    fleet?.maxCostPerDayUsd,
  ].some((limit) => typeof limit === 'number' && limit < Infinity);
}

/** How much more a run may spend before one of its limits is reached (`usage_ack.headroom`). */
export interface BudgetHeadroom {
  /** USD; absent: no cost limit applies. */
  costUsd?: number;
  /** Input + output tokens; absent: no token limit applies. */
  tokens?: number;
}

const reachable = (limit: number | undefined): limit is number =>
  typeof limit === 'number' && limit < Infinity;

/**
 * The run's headroom under its own limits, after the spend in `input`: the least of
 * `maxCostUsd` and `maxCostPerDayUsd` less what each was checked against, and `maxTokens`
 * less the tokens (rounded up: a report is reached at `spent ≥ limit`), never below 0.
 * Undefined while the fleet's daily limit applies: other runs spend from it too, so no run can
 * be told how much is left for it. Pure.
 */
export function budgetHeadroom(input: BudgetInput): BudgetHeadroom | undefined {
  const { budget, fleet, spend } = input;
  if (reachable(fleet?.maxCostPerDayUsd)) {
    return undefined;
  }
  const headroom: BudgetHeadroom = {};
  const costs: number[] = [];
  if (reachable(budget.maxCostUsd)) {
    costs.push(budget.maxCostUsd - spend.run.costUsd);
  }
  if (reachable(budget.maxCostPerDayUsd)) {
    costs.push(budget.maxCostPerDayUsd - spend.runToday.costUsd);
  }
  if (costs.length > 0) {
    headroom.costUsd = Math.max(0, Math.min(...costs));
  }
  if (reachable(budget.maxTokens)) {
    const spent = spend.run.inputTokens + spend.run.outputTokens;
    headroom.tokens = Math.max(0, Math.ceil(budget.maxTokens - spent));
  }
  return headroom;
}

/**
 * A one-line warning when a cost budget applies but some usage reports gave no cost (the
 * budget cannot count them), e.g. `3 of 40 usage report(s) gave no cost: the cost budget
 * (--max-cost $1.00) does not count them`; undefined otherwise. `totals` are the run's.
 */
export function budgetWarning(budget: RunBudget, totals: UsageTotals): string | undefined {
  const limits = (['maxCostUsd', 'maxCostPerDayUsd'] as const)
    .filter((limit) => budget[limit] !== undefined)
    .map((limit) => `${BUDGET_LIMIT_OPTIONS[limit]} ${formatUsd(budget[limit] as number)}`);
  if (limits.length === 0 || totals.callsWithoutCost === 0) {
    return undefined;
  }
  return `${totals.callsWithoutCost} of ${totals.calls} usage report(s) gave no cost: the cost budget (${limits.join(', ')}) does not count them`;
}

/**
 * The cost limits of a budget as the CLI names them (`--max-cost $1.00`), empty when it has
 * none: the limits that cannot see a report without a cost.
 */
export function costLimits(budget: RunBudget | null | undefined): string[] {
  return (['maxCostUsd', 'maxCostPerDayUsd'] as const)
    .filter((limit) => budget?.[limit] != null)
    .map((limit) => `${BUDGET_LIMIT_OPTIONS[limit]} ${formatUsd(budget?.[limit] as number)}`);
}

/**
 * The warning that a run's cost budget cannot see some models (their reports gave no cost:
 * missing from the price catalog and the operator's prices), e.g. `the cost budget
 * (--max-cost $1.00) cannot see model my-llm-7b: its price is unknown, so its calls are not
 * counted against it (their tokens are); …`; undefined without a cost limit or a model.
 * `models`: names (null: reports that named none); `more`: further models not named here.
 */
export function unknownCostWarning(
  budget: RunBudget | null | undefined,
  models: readonly (string | null)[],
  more = 0,
): string | undefined {
  const limits = costLimits(budget);
  if (limits.length === 0 || models.length === 0) {
    return undefined;
  }
  const names = models.map((model) => (model === null ? '(reports naming no model)' : model));
  const listed = `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const one = models.length === 1 && more === 0;
  return `the cost budget (${limits.join(', ')}) cannot see ${one ? 'model' : 'models'} ${listed}: ${one ? 'its price is' : 'their prices are'} unknown, so ${one ? 'its' : 'their'} calls are not counted against it (their tokens are); price ${one ? 'it' : 'them'} in the "modelPrices" of the daemon's x.config.json, or bound the run with --max-tokens`;
}

/**
 * What is wrong with a budget, in one line naming the field and the value it got, or
 * undefined when every limit given is a number ≥ 0 (`Infinity` allowed: no limit). For the
 * place where budgets come in (CLI options, control requests).
 */
export function budgetProblem(budget: RunBudget, fleet: FleetBudget = {}): string | undefined {
  const fields: [string, unknown][] = [
    ['maxCostUsd', budget.maxCostUsd],
    ['maxTokens', budget.maxTokens],
    ['maxCostPerDayUsd', budget.maxCostPerDayUsd],
    ['fleet.maxCostPerDayUsd', fleet.maxCostPerDayUsd],
  ];
  for (const [field, value] of fields) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      return `budget ${field} must be a number ≥ 0, got ${typeof value === 'number' ? value : JSON.stringify(value)}`;
    }
  }
  return undefined;
}

function explain(
  limit: BudgetLimit,
  limitValue: number,
  spent: number,
  totals: UsageTotals,
): string {
  const option = BUDGET_LIMIT_OPTIONS[limit];
  if (limit === 'maxTokens') {
    return `tokens ${formatCount(spent)} reached the budget of ${formatCount(limitValue)} (${option})`;
  }
  const [what, budget] = {
    maxCostUsd: ['cost', 'the budget'],
    maxCostPerDayUsd: ['cost today (UTC)', 'the daily budget'],
    fleetCostPerDayUsd: ['cost of all runs today (UTC)', "the daemon's daily budget"],
  }[limit];
  const unknown =
    totals.callsWithoutCost === 0
      ? ''
      : `; ${totals.callsWithoutCost} report(s) without a cost not counted`;
  return `${what} ${formatUsd(spent)} reached ${budget} of ${formatUsd(limitValue)} (${option})${unknown}`;
}

/**
 * Dollars and cents ($1.02), unless cents would hide the amount (a budget of $0.005): then up
 * to 6 decimals.
 */
function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) {
    return `$${usd}`;
  }
  if (Math.abs(usd) >= 1 || Number(usd.toFixed(2)) === usd) {
    return `$${usd.toFixed(2)}`;
  }
  return `$${usd.toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

function formatCount(count: number): string {
  return Number.isFinite(count) ? count.toLocaleString('en-US') : String(count);
}
