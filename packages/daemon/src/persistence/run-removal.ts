import type Database from 'better-sqlite3';

/** Rows deleted with one run by {@link RunRemoval.remove}, by table. */
export interface RemovedRows {
  attempts: number;
  iterations: number;
  turns: number;
  permissions: number;
  checkpoints: number;
  /** Records of its record store (`agent_records`, protocol `store`). */
  records: number;
  /** `agent_usage` rows folded into the per-day totals of removed runs (see RunRemoval). */
  usage: number;
  /** Events of the run deleted from the `monitor.subscribe` backlog. */
  events: number;
}

/**
 * Forgets one finished run (`agent.remove`): its row in `agent_runs` and every row that goes
 * with it (attempts, iterations, turns, permission requests, checkpoints, records, its events in the
 * backlog), in one transaction on the RunStore's connection.
 *
 * Its spend is not forgotten: its `agent_usage` rows are summed, per UTC day, into
 * `agent_usage_removed` (migration 9) before they go, and `UsageLedger.fleetDayTotals` reads
 * that table too, so removing a run never lowers the day's total that a daemon-wide daily
 * cost cap (`--max-cost-per-day`) is judged against. The table holds one row per day on which
 * a removed run spent anything, so it stays small.
 *
 * A run with many rows (a long history) is deleted in one go: a run held at the retention
 * bounds (10 000 iterations, as many turns and requests) takes tens of ms. Synchronous; throws
 * the driver's error (`SQLITE_FULL`, `SQLITE_BUSY`), and nothing is deleted then.
 */
export class RunRemoval {
  readonly #remove: (runId: string) => RemovedRows | undefined;

  constructor(db: Database.Database) {
    const del = (table: string) => db.prepare(`DELETE FROM ${table} WHERE run_id = ?`);
    const statements = {
      attempts: del('agent_attempts'),
      iterations: del('agent_iterations'),
      turns: del('agent_turns'),
      permissions: del('agent_permissions'),
      checkpoints: del('agent_checkpoints'),
      records: del('agent_records'),
      events: del('events'),
      usage: del('agent_usage'),
      run: del('agent_runs'),
    };
    const keepUsage = db.prepare(
      `INSERT INTO agent_usage_removed (day, input_tokens, output_tokens, cost_nano_usd, calls, calls_without_cost)
       SELECT day, sum(input_tokens), sum(output_tokens), sum(cost_nano_usd), sum(calls), sum(calls_without_cost)
       FROM agent_usage WHERE run_id = ? GROUP BY day
       ON CONFLICT (day) DO UPDATE SET
         input_tokens = input_tokens + excluded.input_tokens,
         output_tokens = output_tokens + excluded.output_tokens,
         cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd,
         calls = calls + excluded.calls,
         calls_without_cost = calls_without_cost + excluded.calls_without_cost`,
    );
    this.#remove = db.transaction((runId: string): RemovedRows | undefined => {
      keepUsage.run(runId);
      const count = (statement: Database.Statement) => statement.run(runId).changes;
      const removed: RemovedRows = {
        attempts: count(statements.attempts),
        iterations: count(statements.iterations),
        turns: count(statements.turns),
        permissions: count(statements.permissions),
        checkpoints: count(statements.checkpoints),
        records: count(statements.records),
        usage: count(statements.usage),
        events: count(statements.events),
      };
      return statements.run.run(runId).changes === 0 ? undefined : removed;
    });
  }

  /**
   * Deletes the run `runId` and its rows (see the class); returns what was deleted, or
   * undefined when no run has that id. The caller checks that the run is finished.
   */
  remove(runId: string): RemovedRows | undefined {
    return this.#remove(runId);
  }
}
