import type { ErrorDetail, Usage } from '@x/ipc';
import type Database from 'better-sqlite3';
import { jsonOrNull, parseOrNull } from './json-columns.js';
import type { TurnRecord } from './records.js';

type Row = Record<string, unknown>;

/** A turn's number from its id (`t-12` → 12): the order turns were submitted in (agent_turns has no rowid). */
const TURN_NUMBER = 'CAST(substr(turn_id, 3) AS INTEGER)';

/**
 * The `agent_turns` table of a RunStore's connection: turns submitted to runs and how they
 * ended. Statements are prepared once. Synchronous; throws the driver's error.
 */
export class TurnTable {
  readonly #sql: {
    upsert: Database.Statement;
    get: Database.Statement<[string, string], Row>;
    recent: Database.Statement<[string, number], Row>;
    lastNumber: Database.Statement<[string], { n: number | null }>;
    endPending: Database.Statement<[string, number, string]>;
    endOldestPending: Database.Statement<[string, number, string, string]>;
    pending: Database.Statement<[string], Row>;
  };

  constructor(db: Database.Database) {
    this.#sql = {
      upsert: db.prepare(
        `INSERT INTO agent_turns (run_id, turn_id, attempt, input, status, output, error, error_detail,
                                  duration_ms, usage, submitted_at, finished_at)
         VALUES (@runId, @turnId, @attempt, @input, @status, @output, @error, @errorDetail,
                 @durationMs, @usage, @submittedAt, @finishedAt)
         ON CONFLICT (run_id, turn_id) DO UPDATE SET
           attempt = excluded.attempt, status = excluded.status, output = excluded.output,
           error = excluded.error, error_detail = excluded.error_detail,
           duration_ms = excluded.duration_ms, usage = excluded.usage,
           finished_at = excluded.finished_at`,
      ),
      get: db.prepare('SELECT * FROM agent_turns WHERE run_id = ? AND turn_id = ?'),
      recent: db.prepare(
        `SELECT * FROM agent_turns WHERE run_id = ?
         ORDER BY submitted_at DESC, length(turn_id) DESC, turn_id DESC LIMIT ?`,
      ),
      lastNumber: db.prepare(
        "SELECT max(CAST(substr(turn_id, 3) AS INTEGER)) AS n FROM agent_turns WHERE run_id = ? AND turn_id LIKE 't-%'",
      ),
      endPending: db.prepare(
        "UPDATE agent_turns SET status = 'error', error = ?, finished_at = ? WHERE run_id = ? AND status = 'pending'",
      ),
      endOldestPending: db.prepare(
        `UPDATE agent_turns SET status = 'error', error = ?, finished_at = ?
         WHERE run_id = ? AND turn_id = (
           SELECT turn_id FROM agent_turns WHERE run_id = ? AND status = 'pending'
           ORDER BY submitted_at, ${TURN_NUMBER} LIMIT 1)`,
      ),
      pending: db.prepare(
        `SELECT * FROM agent_turns WHERE run_id = ? AND status = 'pending' ORDER BY submitted_at, ${TURN_NUMBER}`,
      ),
    };
  }

  /** Records a submitted turn (or replaces the row of the same id: a finished turn). */
  upsert(turn: TurnRecord): void {
    this.#sql.upsert.run({
      ...turn,
      input: jsonOrNull(turn.input),
      output: jsonOrNull(turn.output),
      errorDetail: jsonOrNull(turn.errorDetail),
      usage: turn.usage === null ? null : JSON.stringify(turn.usage),
    });
  }

  /** One turn of a run, or undefined. */
  get(runId: string, turnId: string): TurnRecord | undefined {
    const row = this.#sql.get.get(runId, turnId);
    return row === undefined ? undefined : toTurn(row);
  }

  /** The last `limit` turns of a run, newest first. */
  recent(runId: string, limit: number): TurnRecord[] {
    return this.#sql.recent.all(runId, limit).map(toTurn);
  }

  /** The highest `n` of the run's `t-<n>` turn ids, 0 when it has none. */
  lastNumber(runId: string): number {
    return this.#sql.lastNumber.get(runId)?.n ?? 0;
  }

  /** Ends the run's turns still stored `pending` with status `error`; returns how many. */
  endPending(runId: string, error: string, at: number): number {
    return this.#sql.endPending.run(error, at, runId).changes;
  }

  /** Ends a run's oldest pending turn as `error`; returns how many rows changed (0 or 1). */
  endOldestPending(runId: string, error: string, at: number): number {
    return this.#sql.endOldestPending.run(error, at, runId, runId).changes;
  }

  /** A run's pending turns, oldest first. */
  pending(runId: string): TurnRecord[] {
    return this.#sql.pending.all(runId).map(toTurn);
  }
}

function toTurn(row: Row): TurnRecord {
  return {
    runId: row.run_id as string,
    turnId: row.turn_id as string,
    attempt: row.attempt as number | null,
    input: parseOrNull(row.input),
    status: row.status as TurnRecord['status'],
    output: parseOrNull(row.output),
    error: row.error as string | null,
    ...(row.error_detail == null
      ? {}
      : { errorDetail: parseOrNull(row.error_detail) as ErrorDetail }),
    durationMs: row.duration_ms as number | null,
    usage: parseOrNull(row.usage) as Usage | null,
    submittedAt: row.submitted_at as number,
    finishedAt: row.finished_at as number | null,
  };
}
