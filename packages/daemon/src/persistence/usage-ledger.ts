import type Database from 'better-sqlite3';
import type { UsageTotals } from '../supervisor/budget-policy.js';

/** One usage report: the protocol's `Usage` (tokens, USD) plus the model, when known. */
export interface UsageReport {
  /** A non-negative integer; absent: 0. */
  inputTokens?: number | undefined;
  /** A non-negative integer; absent: 0. */
  outputTokens?: number | undefined;
  /** USD, ≥ 0; absent: unknown (counted in `callsWithoutCost`). */
  costUsd?: number | undefined;
  /** The model's name; absent: `''`. */
  model?: string | undefined;
}

/** A model whose usage reports gave no cost, in one run. */
export interface ModelWithoutCost {
  /** The model's name; null for reports that named none. */
  model: string | null;
  /** Its reports without a cost, every attempt and day. */
  calls: number;
}

/** The models of a run whose reports gave no cost: the first few, and how many in all. */
export interface ModelsWithoutCost {
  /** Most reports first (then by name), at most the `limit` asked. */
  models: ModelWithoutCost[];
  /** Distinct models without a cost, listed or not. */
  total: number;
}

/**
 * A run's spend as `agent.status` gives it: its totals, the models whose reports gave no cost
 * (price unknown: missing from the catalog and the operator's prices) and, with a cost budget,
 * the warning that the budget cannot see them.
 */
export interface RunUsage extends UsageTotals {
  /** At most 10 (MODELS_WITHOUT_COST_LISTED), most reports first; [] when every report gave a cost. */
  modelsWithoutCost: ModelWithoutCost[];
  /** Distinct models without a cost, listed or not. */
  modelsWithoutCostTotal: number;
  /** With a cost budget (`--max-cost`, `--max-cost-per-day`) and such models: why it cannot see them; else null. */
  costBudgetWarning: string | null;
}

/** Costs are stored as integer nano-dollars (1e-9 USD), so sums are exact: 10 × $0.10 is $1.00. */
const NANO_PER_USD = 1e9;

type TotalsRow = {
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: number;
  calls: number;
  callsWithoutCost: number;
};

const SUMS = `coalesce(sum(input_tokens), 0) AS inputTokens, coalesce(sum(output_tokens), 0) AS outputTokens,
  coalesce(sum(cost_nano_usd), 0) AS costNanoUsd, coalesce(sum(calls), 0) AS calls,
  coalesce(sum(calls_without_cost), 0) AS callsWithoutCost`;

/**
 * The UTC calendar day of a time, `YYYY-MM-DD`: the ledger's day bucket.
 * @param at ms since the Unix epoch.
 */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Token and cost usage behind budgets: the `agent_usage` table (migration 7) on the RunStore's
 * connection, one row per run, attempt, UTC day and model, summed by an upsert per report.
 * Totals are rows, so they survive daemon restarts; a run's rows go when retention deletes
 * the run (HistoryPruner), so keep runs at least a day for the fleet's daily total to hold.
 *
 * Days are UTC calendar days, not a rolling 24 hours: the reset time is one a user can
 * predict (00:00 UTC), it matches how model providers bill and report usage, and it keeps one
 * row per run·attempt·day·model. The price: a daily cap can be spent twice within minutes
 * across midnight. A rolling window would need hourly rows (24 times as many), so none is offered.
 *
 * Costs are kept as integer nano-dollars (1e-9 USD, a report rounded to the nearest), so sums
 * are exact and a $1.00 budget is reached by 10 reports of $0.10. Writes use the connection's
 * `synchronous = NORMAL`: one that a power loss takes back is a few reports under-counted.
 * Each report is one upsert; reads are indexed sums over a few rows. Methods are synchronous
 * and throw the driver's error (`SQLITE_FULL`; `SQLITE_CONSTRAINT_FOREIGNKEY` for a run not in
 * `agent_runs`).
 */
export class UsageLedger {
  readonly #upsert: Database.Statement;
  readonly #run: Database.Statement<[string], TotalsRow>;
  readonly #attempt: Database.Statement<[string, number], TotalsRow>;
  readonly #runDay: Database.Statement<[string, string], TotalsRow>;
  readonly #fleetDay: Database.Statement<[{ day: string }], TotalsRow>;
  readonly #withoutCost: Database.Statement<
    [string, number],
    { model: string; calls: number; total: number }
  >;
  readonly #modelWithoutCost: Database.Statement<[string, string], { found: number }>;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(
      `INSERT INTO agent_usage (run_id, attempt, day, model, input_tokens, output_tokens, cost_nano_usd,
                                calls, calls_without_cost)
       VALUES (@runId, @attempt, @day, @model, @inputTokens, @outputTokens, @costNanoUsd, 1, @withoutCost)
       ON CONFLICT (run_id, day, attempt, model) DO UPDATE SET
         input_tokens = input_tokens + excluded.input_tokens,
         output_tokens = output_tokens + excluded.output_tokens,
         cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd,
         calls = calls + 1,
         calls_without_cost = calls_without_cost + excluded.calls_without_cost`,
    );
    this.#run = db.prepare(`SELECT ${SUMS} FROM agent_usage WHERE run_id = ?`);
    this.#attempt = db.prepare(`SELECT ${SUMS} FROM agent_usage WHERE run_id = ? AND attempt = ?`);
    this.#runDay = db.prepare(`SELECT ${SUMS} FROM agent_usage WHERE run_id = ? AND day = ?`);
    // Removed runs' spend (agent_usage_removed, migration 9) still counts toward the day.
    this.#fleetDay = db.prepare(
      `SELECT ${SUMS} FROM (
         SELECT input_tokens, output_tokens, cost_nano_usd, calls, calls_without_cost
         FROM agent_usage WHERE day = @day
         UNION ALL
         SELECT input_tokens, output_tokens, cost_nano_usd, calls, calls_without_cost
         FROM agent_usage_removed WHERE day = @day)`,
    );
    // The run's rows are one range of the primary key (run_id first): a scan of its rows only.
    this.#withoutCost = db.prepare(
      `SELECT model, sum(calls_without_cost) AS calls, count(*) OVER () AS total
       FROM agent_usage WHERE run_id = ?
       GROUP BY model HAVING sum(calls_without_cost) > 0
       ORDER BY calls DESC, model LIMIT ?`,
    );
    this.#modelWithoutCost = db.prepare(
      `SELECT 1 AS found FROM agent_usage
       WHERE run_id = ? AND model = ? AND calls_without_cost > 0 LIMIT 1`,
    );
  }

  /**
   * Adds one usage report of `runId`'s attempt `attempt`, at `at` (ms since the Unix epoch;
   * it picks the UTC day). Not idempotent: record a report once (e.g. only when
   * `RunStore.recordIteration` returned true). Throws a RangeError naming the field for a
   * token count that is not a non-negative integer or a cost that is not a finite number ≥ 0
   * (the protocol's `Usage` already guarantees both); nothing is written then.
   */
  record(runId: string, attempt: number, usage: UsageReport, at: number): void {
    const costUsd = usage.costUsd;
    this.#upsert.run({
      runId,
      attempt,
      day: utcDay(at),
      model: usage.model ?? '',
      inputTokens: tokens('inputTokens', usage.inputTokens),
      outputTokens: tokens('outputTokens', usage.outputTokens),
      costNanoUsd: costUsd === undefined ? 0 : nanoUsd(costUsd),
      withoutCost: costUsd === undefined ? 1 : 0,
    });
  }

  /** The run's totals over every attempt and day; zeros for a run with no usage. */
  runTotals(runId: string): UsageTotals {
    return toTotals(this.#run.get(runId));
  }

  /**
   * The run's models whose reports gave no cost (every attempt and day): at most `limit`, most
   * reports first, and how many in all. Reports that named no model count as model null.
   */
  modelsWithoutCost(runId: string, limit: number): ModelsWithoutCost {
    const rows = this.#withoutCost.all(runId, limit);
    return {
      models: rows.map((row) => ({ model: row.model === '' ? null : row.model, calls: row.calls })),
      total: rows[0]?.total ?? 0,
    };
  }

  /** Whether the run already has a report without a cost of `model` (undefined: none named). */
  hasReportWithoutCost(runId: string, model: string | undefined): boolean {
    return this.#modelWithoutCost.get(runId, model ?? '') !== undefined;
  }

  /** The totals of one attempt of the run (attempts count from 1). */
  attemptTotals(runId: string, attempt: number): UsageTotals {
    return toTotals(this.#attempt.get(runId, attempt));
  }

  /** The run's totals on one UTC day, `YYYY-MM-DD` (see {@link utcDay}). */
  runDayTotals(runId: string, day: string): UsageTotals {
    return toTotals(this.#runDay.get(runId, day));
  }

  /**
   * Every run's totals on one UTC day, `YYYY-MM-DD`, runs removed since included (see
   * RunRemoval): for a daemon-wide daily cap. Reads the day's rows (one per run·attempt·model active that day) through the day index; a daemon
   * checking it after every report may rather keep the sum in memory, read once at start.
   */
  fleetDayTotals(day: string): UsageTotals {
    return toTotals(this.#fleetDay.get({ day }));
  }
}

function tokens(field: string, value: number | undefined): number {
  if (value === undefined) {
    return 0;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`x: usage ${field} must be an integer ≥ 0, got ${value}`);
  }
  return value;
}

function nanoUsd(costUsd: number): number {
  if (!Number.isFinite(costUsd) || costUsd < 0) {
    throw new RangeError(`x: usage costUsd must be a finite number ≥ 0, got ${costUsd}`);
  }
  return Math.round(costUsd * NANO_PER_USD);
}

function toTotals(row: TotalsRow | undefined): UsageTotals {
  return {
    inputTokens: row?.inputTokens ?? 0,
    outputTokens: row?.outputTokens ?? 0,
    costUsd: (row?.costNanoUsd ?? 0) / NANO_PER_USD,
    calls: row?.calls ?? 0,
    callsWithoutCost: row?.callsWithoutCost ?? 0,
  };
}
