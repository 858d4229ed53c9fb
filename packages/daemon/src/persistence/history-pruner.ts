import type Database from 'better-sqlite3';

/**
 * Rows deleted per transaction: 500. Such a batch takes about 1 ms (0.8 ms median on 2 loaded
 * cores); larger ones save little in all and hold the event loop longer.
 */
export const PRUNE_BATCH_ROWS = 500;

/**
 * A run's checkpoints deleted per transaction: as many of the oldest as fit in 4 MiB of
 * state (at least one), within `PRUNE_BATCH_ROWS`. A checkpoint can be MiBs, and deleting it
 * reads each of its overflow pages: the bytes, not the rows, are the cost.
 */
export const PRUNE_CHECKPOINT_BATCH_BYTES = 4 * 1024 * 1024;

/** What to delete. Times are ms since the Unix epoch. */
export interface PruneRule {
  /** Iterations of any run, active ones included, that finished before this. */
  iterationsBefore: number;
  /** Terminal (`exited`, `failed`) runs, with everything of theirs, that ended before this. */
  runsBefore: number;
  /**
   * Turns finished and permission requests decided before this (and submitted, requested,
   * before it too), of any run; pending ones and each run's newest turn are kept.
   * @default iterationsBefore
   */
  turnsBefore?: number | undefined;
  /**
   * Keep at most this many of each run's newest iterations, and as many turns and permission
   * requests (pending ones are never deleted). `Infinity` or absent: no count bound.
   */
  maxPerRun?: number | undefined;
  /**
   * Apply the count bound to active runs and to runs that ended at or after this time only
   * (the others cannot have grown since an earlier pass); absent: to every run.
   */
  boundSince?: number | undefined;
}

/** A table retention deletes from. */
export type PruneTable = 'iterations' | 'turns' | 'permissions' | 'runs';

/** One step of a pass: at most one write transaction, or one read. */
export interface PruneStep {
  table: PruneTable;
  /**
   * Rows of `table` deleted by this step (0 for a read). The rows deleted with a run are
   * not counted, like its attempts: its checkpoints, records and usage rows, deleted in steps of
   * table `runs` before the run.
   */
  deleted: number;
}

/** Rows deleted, by table. */
export type PruneCounts = Record<PruneTable, number>;

type Bound = { keep: number; limit: number };

/**
 * Retention as a sequence of small steps over the RunStore's database: a generator that
 * runs one bounded transaction (at most `batchRows` rows, found through an index) per step,
 * so that a driver can yield to the event loop between steps. Synchronous; throws the
 * driver's error (`SQLITE_BUSY`, `SQLITE_FULL`).
 */
export class HistoryPruner {
  readonly #batchRows: number;
  readonly #sql: Record<string, Database.Statement>;

  constructor(db: Database.Database, batchRows = PRUNE_BATCH_ROWS) {
    this.#batchRows = batchRows;
    const prepare = (text: string) => db.prepare(text);
    this.#sql = {
      expiredRuns: prepare(
        "SELECT run_id FROM agent_runs WHERE state IN ('exited', 'failed') AND ended_at < ? LIMIT ?",
      ).pluck(),
      runIterations: prepare(
        `DELETE FROM agent_iterations WHERE run_id = @runId AND (attempt, iteration) IN
           (SELECT attempt, iteration FROM agent_iterations WHERE run_id = @runId LIMIT @limit)`,
      ),
      runTurns: prepare(
        `DELETE FROM agent_turns WHERE run_id = @runId AND turn_id IN
           (SELECT turn_id FROM agent_turns WHERE run_id = @runId LIMIT @limit)`,
      ),
      runPermissions: prepare(
        `DELETE FROM agent_permissions WHERE run_id = @runId AND (attempt, request_id) IN
           (SELECT attempt, request_id FROM agent_permissions WHERE run_id = @runId LIMIT @limit)`,
      ),
      // Oldest first, so that the newest (which gives the next seq) goes last.
      runCheckpoints: prepare(
        `DELETE FROM agent_checkpoints WHERE run_id = @runId AND seq IN
           (SELECT seq FROM
              (SELECT seq, row_number() OVER win AS n, sum(bytes) OVER win AS upTo
               FROM agent_checkpoints WHERE run_id = @runId
               WINDOW win AS (ORDER BY seq) ORDER BY seq LIMIT @limit)
            WHERE n = 1 OR upTo <= @maxBytes)`,
      ),
      // Records (protocol `store`), bounded by bytes like checkpoints: a record can be MiBs.
      runRecords: prepare(
        `DELETE FROM agent_records WHERE rowid IN
           (SELECT rowid FROM
              (SELECT rowid, row_number() OVER win AS n, sum(bytes) OVER win AS upTo
               FROM agent_records WHERE run_id = @runId
               WINDOW win AS (ORDER BY ns, key) ORDER BY ns, key LIMIT @limit)
            WHERE n = 1 OR upTo <= @maxBytes)`,
      ),
      runUsage: prepare(
        `DELETE FROM agent_usage WHERE run_id = @runId AND (day, attempt, model) IN
           (SELECT day, attempt, model FROM agent_usage WHERE run_id = @runId LIMIT @limit)`,
      ),
      // Attempts go with the run (ON DELETE CASCADE): a few rows per restart.
      run: prepare('DELETE FROM agent_runs WHERE run_id = ?'),
      oldIterations: prepare(
        `DELETE FROM agent_iterations WHERE (run_id, attempt, iteration) IN
           (SELECT run_id, attempt, iteration FROM agent_iterations WHERE finished_at < @before
            ORDER BY finished_at LIMIT @limit)`,
      ),
      oldTurns: prepare(
        `DELETE FROM agent_turns WHERE (run_id, turn_id) IN
           (SELECT run_id, turn_id FROM agent_turns AS t
            WHERE submitted_at < @before AND finished_at < @before
              AND submitted_at < (SELECT max(submitted_at) FROM agent_turns AS newest
                                  WHERE newest.run_id = t.run_id)
            ORDER BY submitted_at LIMIT @limit)`,
      ),
      oldPermissions: prepare(
        `DELETE FROM agent_permissions WHERE (run_id, attempt, request_id) IN
           (SELECT run_id, attempt, request_id FROM agent_permissions
            WHERE requested_at < @before AND decided_at < @before
            ORDER BY requested_at LIMIT @limit)`,
      ),
      allRuns: prepare('SELECT run_id, iterations FROM agent_runs'),
      recentRuns: prepare(
        `SELECT run_id, iterations FROM agent_runs
         WHERE state NOT IN ('exited', 'failed') OR ended_at >= ?`,
      ),
      iterationCutoff: prepare(
        `SELECT attempt, iteration FROM agent_iterations WHERE run_id = ?
         ORDER BY attempt DESC, iteration DESC LIMIT 1 OFFSET ?`,
      ),
      iterationsUpTo: prepare(
        `DELETE FROM agent_iterations WHERE run_id = @runId AND (attempt, iteration) IN
           (SELECT attempt, iteration FROM agent_iterations
            WHERE run_id = @runId AND (attempt, iteration) <= (@attempt, @iteration)
            ORDER BY attempt, iteration LIMIT @limit)`,
      ),
      turnCutoff: prepare(
        `SELECT submitted_at AS at FROM agent_turns WHERE run_id = ?
         ORDER BY submitted_at DESC LIMIT 1 OFFSET ?`,
      ),
      // Strictly before the N-th newest: a tie keeps a row too many rather than one too few.
      turnsBefore: prepare(
        `DELETE FROM agent_turns WHERE run_id = @runId AND turn_id IN
           (SELECT turn_id FROM agent_turns
            WHERE run_id = @runId AND submitted_at < @at AND status <> 'pending'
            ORDER BY submitted_at LIMIT @limit)`,
      ),
      permissionCutoff: prepare(
        `SELECT requested_at AS at FROM agent_permissions WHERE run_id = ?
         ORDER BY requested_at DESC LIMIT 1 OFFSET ?`,
      ),
      permissionsBefore: prepare(
        `DELETE FROM agent_permissions WHERE run_id = @runId AND (attempt, request_id) IN
           (SELECT attempt, request_id FROM agent_permissions
            WHERE run_id = @runId AND requested_at < @at AND decision IS NOT NULL
            ORDER BY requested_at LIMIT @limit)`,
      ),
    };
  }

  /**
   * One pass of `rule`, a step at a time: expired runs (their rows in batches, then the
   * run), old iterations, turns and requests, then each run's count bound. Rows written while
   * the pass is suspended are newer than what it deletes, so interleaving is safe.
   */
  *pass(rule: PruneRule): Generator<PruneStep, void, void> {
    const limit = this.#batchRows;
    yield* this.#expiredRuns(rule.runsBefore, limit);
    const turnsBefore = rule.turnsBefore ?? rule.iterationsBefore;
    yield* this.#drain('iterations', this.#sql.oldIterations, {
      before: rule.iterationsBefore,
      limit,
    });
    yield* this.#drain('turns', this.#sql.oldTurns, { before: turnsBefore, limit });
    yield* this.#drain('permissions', this.#sql.oldPermissions, { before: turnsBefore, limit });
    const keep = rule.maxPerRun ?? Infinity;
    if (Number.isFinite(keep)) {
      yield* this.#countBound(rule.boundSince, { keep, limit });
    }
  }

  /** Runs a whole pass at once: for tests and tools (a daemon drives `pass` step by step). */
  pruneAll(rule: PruneRule): PruneCounts {
    const counts: PruneCounts = { iterations: 0, turns: 0, permissions: 0, runs: 0 };
    for (const step of this.pass(rule)) {
      counts[step.table] += step.deleted;
    }
    return counts;
  }

  *#expiredRuns(before: number, limit: number): Generator<PruneStep, void, void> {
    for (;;) {
      const runIds = this.#sql.expiredRuns.all(before, limit) as string[];
      yield { table: 'runs', deleted: 0 };
      for (const runId of runIds) {
        yield* this.#drain('iterations', this.#sql.runIterations, { runId, limit });
        yield* this.#drain('turns', this.#sql.runTurns, { runId, limit });
        yield* this.#drain('permissions', this.#sql.runPermissions, { runId, limit });
        // A batch of checkpoints is bounded by bytes too: it may come short with more left.
        const checkpoints = { runId, limit, maxBytes: PRUNE_CHECKPOINT_BATCH_BYTES };
        yield* this.#drainWithRun(this.#sql.runCheckpoints, checkpoints, (n) => n > 0);
        yield* this.#drainWithRun(this.#sql.runRecords, checkpoints, (n) => n > 0);
        yield* this.#drainWithRun(this.#sql.runUsage, { runId, limit }, (n) => n === limit);
        yield { table: 'runs', deleted: this.#sql.run.run(runId).changes };
      }
      if (runIds.length < limit) {
        return;
      }
    }
  }

  /**
   * Deletes rows that go with a run (checkpoints, records, usage), a batch a step, while `more` says
   * so of the last batch. Its steps count 0: see {@link PruneStep.deleted}.
   */
  *#drainWithRun(
    statement: Database.Statement,
    params: Record<string, unknown>,
    more: (deleted: number) => boolean,
  ): Generator<PruneStep, void, void> {
    for (;;) {
      const deleted = statement.run(params).changes;
      yield { table: 'runs', deleted: 0 };
      if (!more(deleted)) {
        return;
      }
    }
  }

  *#countBound(since: number | undefined, bound: Bound): Generator<PruneStep, void, void> {
    // Only runs that can have grown since `since` (the start of the previous pass).
    const runs = (
      since === undefined ? this.#sql.allRuns.all() : this.#sql.recentRuns.all(since)
    ) as { run_id: string; iterations: number }[];
    yield { table: 'runs', deleted: 0 };
    for (const { run_id: runId, iterations } of runs) {
      // `iterations` counts every iteration ever recorded (agent_runs, bumped with each
      // insert): a run that recorded no more than `keep` cannot hold more rows.
      if (iterations > bound.keep) {
        yield* this.#iterationBound(runId, bound);
      }
      yield* this.#timeBound('turns', runId, bound);
      yield* this.#timeBound('permissions', runId, bound);
    }
  }

  *#iterationBound(runId: string, bound: Bound): Generator<PruneStep, void, void> {
    const cutoff = this.#sql.iterationCutoff.get(runId, bound.keep) as
      { attempt: number; iteration: number } | undefined;
    yield { table: 'iterations', deleted: 0 };
    if (cutoff !== undefined) {
      yield* this.#drain('iterations', this.#sql.iterationsUpTo, {
        runId,
        ...cutoff,
        limit: bound.limit,
      });
    }
  }

  *#timeBound(
    table: 'turns' | 'permissions',
    runId: string,
    bound: Bound,
  ): Generator<PruneStep, void, void> {
    const [cutoffSql, deleteSql] =
      table === 'turns'
        ? [this.#sql.turnCutoff, this.#sql.turnsBefore]
        : [this.#sql.permissionCutoff, this.#sql.permissionsBefore];
    const cutoff = cutoffSql.get(runId, bound.keep - 1) as { at: number } | undefined;
    yield { table, deleted: 0 };
    if (cutoff !== undefined) {
      yield* this.#drain(table, deleteSql, { runId, at: cutoff.at, limit: bound.limit });
    }
  }

  /** Runs a batched DELETE until it deletes fewer than `limit` rows: one transaction a step. */
  *#drain(
    table: PruneTable,
    statement: Database.Statement,
    params: Record<string, unknown> & { limit: number },
  ): Generator<PruneStep, void, void> {
    for (;;) {
      const deleted = statement.run(params).changes;
      yield { table, deleted };
      if (deleted < params.limit) {
        return;
      }
    }
  }
}
