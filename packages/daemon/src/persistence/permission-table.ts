import type Database from 'better-sqlite3';
import { jsonOrNull, parseOrNull } from './json-columns.js';
import type { PermissionDecidedBy, PermissionRecord } from './records.js';

type Row = Record<string, unknown>;

/**
 * The `agent_permissions` table of a RunStore's connection: the permission requests of runs
 * and their answers. Statements are prepared once. Synchronous; throws the driver's error.
 */
export class PermissionTable {
  readonly #sql: {
    upsert: Database.Statement;
    get: Database.Statement<[string, string], Row>;
    recent: Database.Statement<[string, number], Row>;
    denyPending: Database.Statement<[string, number, string]>;
  };

  constructor(db: Database.Database) {
    this.#sql = {
      upsert: db.prepare(
        `INSERT INTO agent_permissions (run_id, attempt, request_id, tool, input, rationale, requested_at,
                                        decision, decided_by, reason, decided_at)
         VALUES (@runId, @attempt, @requestId, @tool, @input, @rationale, @requestedAt,
                 @decision, @decidedBy, @reason, @decidedAt)
         ON CONFLICT (run_id, attempt, request_id) DO UPDATE SET
           decision = excluded.decision, decided_by = excluded.decided_by, reason = excluded.reason,
           decided_at = excluded.decided_at`,
      ),
      get: db.prepare(
        'SELECT * FROM agent_permissions WHERE run_id = ? AND request_id = ? ORDER BY attempt DESC LIMIT 1',
      ),
      recent: db.prepare(
        'SELECT * FROM agent_permissions WHERE run_id = ? ORDER BY requested_at DESC, attempt DESC LIMIT ?',
      ),
      denyPending: db.prepare(
        "UPDATE agent_permissions SET decision = 'denied', decided_by = 'stopped', reason = ?, decided_at = ? WHERE run_id = ? AND decision IS NULL",
      ),
    };
  }

  /** Records a permission request, or its answer (same run, attempt and request id). */
  upsert(request: PermissionRecord): void {
    this.#sql.upsert.run({
      runId: request.runId,
      attempt: request.attempt,
      requestId: request.requestId,
      tool: request.tool,
      input: jsonOrNull(request.input),
      rationale: request.rationale,
      requestedAt: request.requestedAt,
      decision: request.decision,
      decidedBy: request.decidedBy,
      reason: request.reason,
      decidedAt: request.decidedAt,
    });
  }

  /** The latest stored request with this id in the run (any attempt), or undefined. */
  get(runId: string, requestId: string): PermissionRecord | undefined {
    const row = this.#sql.get.get(runId, requestId);
    return row === undefined ? undefined : toPermission(row);
  }

  /** The run's requests, newest first: the last `limit` of them. */
  recent(runId: string, limit: number): PermissionRecord[] {
    return this.#sql.recent.all(runId, limit).map(toPermission);
  }

  /** Records the run's pending requests as `denied` by `stopped`; returns how many. */
  denyPending(runId: string, reason: string, at: number): number {
    return this.#sql.denyPending.run(reason, at, runId).changes;
  }
}

function toPermission(row: Row): PermissionRecord {
  return {
    runId: row.run_id as string,
    attempt: row.attempt as number,
    requestId: row.request_id as string,
    tool: row.tool as string,
    input: parseOrNull(row.input),
    rationale: row.rationale as string | null,
    requestedAt: row.requested_at as number,
    decision: row.decision as PermissionRecord['decision'],
    decidedBy: row.decided_by as PermissionDecidedBy | null,
    reason: row.reason as string | null,
    decidedAt: row.decided_at as number | null,
    expiresAt: null,
  };
}
