import { closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ErrorDetail, Usage } from '@x/ipc';
import { SQLITE_CACHE_KIB } from '../constants.js';
import type { ExitClassification, ExitReason } from '../supervisor/classify-exit.js';
import type { RunState } from '../supervisor/run-state.js';
import { HistoryPruner, type PruneCounts, type PruneRule } from './history-pruner.js';
import type {
  AttemptRecord,
  IterationRecord,
  PermissionRecord,
  RunOptions,
  RunPause,
  RunRecord,
  TurnRecord,
} from './records.js';
import { jsonOrNull, parseOrNull } from './json-columns.js';
import { PermissionTable } from './permission-table.js';
import { MIGRATIONS } from './schema.js';
import { TurnTable } from './turn-table.js';
import type { RunFields } from './run-fields.js';

type Row = Record<string, unknown>;

/** Prepared statements a RunStore keeps at most: 64. */
const MAX_STATEMENTS_KEPT = 64;

const RUN_COLUMNS: Record<string, string> = {
  state: 'state',
  pid: 'pid',
  pgid: 'pgid',
  readyAt: 'ready_at',
  endedAt: 'ended_at',
  attempt: 'attempt',
  restarts: 'restarts',
  nextRestartAt: 'next_restart_at',
};

/**
 * Run history in SQLite (WAL mode, `synchronous = NORMAL`: a committed write survives any
 * process crash; an OS crash may lose the last transactions). Methods are synchronous and
 * throw the driver's error (e.g. `SQLITE_FULL` on a full disk): callers decide if it is fatal.
 */
export class RunStore {
  readonly #db: Database.Database;
  readonly #insertIteration: Database.Statement;
  readonly #bumpIterations: Database.Statement;
  #pruner: HistoryPruner | undefined;
  readonly #turns: TurnTable;
  readonly #permissions: PermissionTable;
  /** Statements prepared on first use, by their SQL (see {@link #prepare}). */
  readonly #statements = new Map<string, Database.Statement<unknown[], unknown>>();

  /** Opens (creating and migrating as needed) the database at `path`, mode 0600. */
  constructor(readonly path: string) {
    // Created 0600 first: SQLite gives the -wal and -shm files the database file's mode.
    closeSync(openSync(path, 'a', 0o600));
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    // A bounded page cache (SQLITE_CACHE_KIB), not better-sqlite3's 16 MB: see the constant.
    this.#db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
    // Fold the WAL back into the database every 200 pages (~800 KiB) instead of SQLite's 1000
    // (~4 MiB), and truncate it to 4 MiB after: on a small or nearly full disk the WAL would
    // otherwise take all the space (on a 3 MiB filesystem, 2760 of 3000 small writes failed
    // with the default; none with this).
    this.#db.pragma('wal_autocheckpoint = 200');
    this.#db.pragma('journal_size_limit = 4194304');
    this.#migrate();
    this.#turns = new TurnTable(this.#db);
    this.#permissions = new PermissionTable(this.#db);
    this.#insertIteration = this.#db.prepare(`
      INSERT INTO agent_iterations (run_id, attempt, iteration, status, duration_ms, summary, error, error_detail, usage, finished_at)
      VALUES (@runId, @attempt, @iteration, @status, @durationMs, @summary, @error, @errorDetail, @usage, @finishedAt)
      ON CONFLICT (run_id, attempt, iteration) DO NOTHING`);
    this.#bumpIterations = this.#db.prepare(`
      UPDATE agent_runs SET iterations = iterations + 1, last_summary = coalesce(@summary, last_summary)
      WHERE run_id = @runId`);
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i += 1) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[i]);
        this.#db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  /** Records a new run (every field but `exit`, which `updateRun` sets). */
  insertRun(run: RunRecord): void {
    this.#prepare(
      `INSERT INTO agent_runs (run_id, name, module, params, options, launcher, state, pid, pgid, created_at, ready_at,
                                 ended_at, iterations, last_summary, log_path, attempt, restarts, next_restart_at, last_reasons)
         VALUES (@runId, @name, @module, @params, @options, @launcher, @state, @pid, @pgid, @createdAt, @readyAt,
                 @endedAt, @iterations, @lastSummary, @logPath, @attempt, @restarts, @nextRestartAt, @lastReasons)`,
    ).run({
      ...run,
      params: JSON.stringify(run.params),
      options: JSON.stringify(run.options),
      lastReasons: JSON.stringify(run.lastReasons),
    });
  }

  /**
   * Updates a run's live fields (those given: a field that is undefined, or an `exit` that is
   * null, is left as it is). See {@link mergeRunFields} to combine two updates into one.
   */
  updateRun(runId: string, fields: RunFields): void {
    const sets: string[] = [];
    const values: Row = { runId };
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = @${column}`);
      values[column] = value;
    };
    for (const [key, column] of Object.entries(RUN_COLUMNS)) {
      const value = (fields as Row)[key];
      if (value !== undefined) {
        put(column, value);
      }
    }
    if (fields.lastReasons !== undefined) {
      put('last_reasons', JSON.stringify(fields.lastReasons));
    }
    if (fields.pause !== undefined) {
      put('pause', fields.pause === null ? null : JSON.stringify(fields.pause));
    }
    if (fields.options !== undefined) {
      put('options', JSON.stringify(fields.options));
    }
    if (fields.exit !== undefined && fields.exit !== null) {
      put('exit_reason', fields.exit.reason);
      put('stop_phase', fields.exit.stopPhase);
      put('exit_code', fields.exit.exitCode);
      put('signal', fields.exit.signal);
      put('explanation', fields.exit.explanation);
      put('stderr_tail', fields.exit.stderrTail);
      put('evidence', JSON.stringify(fields.exit.evidence));
    }
    if (sets.length > 0) {
      this.#prepare(`UPDATE agent_runs SET ${sets.join(', ')} WHERE run_id = @runId`).run(values);
    }
  }

  /** Records an attempt's start (or replaces the row of the same attempt). */
  upsertAttempt(attempt: AttemptRecord): void {
    const exit = attempt.exit;
    this.#prepare(
      `INSERT INTO agent_attempts (run_id, attempt, pid, pgid, proc_start, started_at, ready_at, ended_at,
                                     exit_reason, stop_phase, exit_code, signal, explanation, evidence)
         VALUES (@runId, @attempt, @pid, @pgid, @procStart, @startedAt, @readyAt, @endedAt,
                 @reason, @stopPhase, @exitCode, @signal, @explanation, @evidence)
         ON CONFLICT (run_id, attempt) DO UPDATE SET
           pid = excluded.pid, pgid = excluded.pgid, proc_start = excluded.proc_start, ready_at = excluded.ready_at,
           ended_at = excluded.ended_at, exit_reason = excluded.exit_reason, stop_phase = excluded.stop_phase,
           exit_code = excluded.exit_code, signal = excluded.signal, explanation = excluded.explanation,
           evidence = excluded.evidence`,
    ).run({
      runId: attempt.runId,
      attempt: attempt.attempt,
      pid: attempt.pid,
      pgid: attempt.pgid,
      procStart: attempt.procStart,
      startedAt: attempt.startedAt,
      readyAt: attempt.readyAt,
      endedAt: attempt.endedAt,
      reason: exit?.reason ?? null,
      stopPhase: exit?.stopPhase ?? null,
      exitCode: exit?.exitCode ?? null,
      signal: exit?.signal ?? null,
      explanation: exit?.explanation ?? null,
      evidence: exit === null ? null : JSON.stringify(exit.evidence),
    });
  }

  /** The attempts of a run, oldest first. */
  attempts(runId: string): AttemptRecord[] {
    return this.#prepare<[string], Row>(
      'SELECT * FROM agent_attempts WHERE run_id = ? ORDER BY attempt',
    )
      .all(runId)
      .map((row) => ({
        runId: row.run_id as string,
        attempt: row.attempt as number,
        pid: row.pid as number | null,
        pgid: row.pgid as number | null,
        procStart: row.proc_start as number | null,
        startedAt: row.started_at as number,
        readyAt: row.ready_at as number | null,
        endedAt: row.ended_at as number | null,
        exit:
          row.exit_reason === null
            ? null
            : {
                reason: row.exit_reason as ExitReason,
                stopPhase: row.stop_phase as ExitClassification['stopPhase'],
                exitCode: row.exit_code as number | null,
                signal: row.signal as string | null,
                explanation: (row.explanation as string | null) ?? '',
                evidence:
                  row.evidence === null
                    ? {}
                    : (JSON.parse(row.evidence as string) as Record<string, unknown>),
              },
      }));
  }

  /**
   * Records a finished iteration. Idempotent on `(runId, attempt, iteration)`: a replayed
   * iteration is ignored. Returns true when the row is new.
   */
  recordIteration(record: IterationRecord): boolean {
    return this.#db.transaction(() => {
      const inserted = this.#insertIteration.run({
        ...record,
        errorDetail: jsonOrNull(record.errorDetail),
        usage: record.usage === null ? null : JSON.stringify(record.usage),
      });
      if (inserted.changes === 0) {
        return false;
      }
      this.#bumpIterations.run({ runId: record.runId, summary: record.summary });
      return true;
    })();
  }

  /** Records a submitted turn (or replaces the row of the same id: a finished turn). */
  upsertTurn(turn: TurnRecord): void {
    this.#turns.upsert(turn);
  }

  /** One turn of a run, or undefined. */
  getTurn(runId: string, turnId: string): TurnRecord | undefined {
    return this.#turns.get(runId, turnId);
  }

  /** The last `limit` turns of a run, newest first. */
  recentTurns(runId: string, limit: number): TurnRecord[] {
    return this.#turns.recent(runId, limit);
  }

  /** The highest `n` of the run's `t-<n>` turn ids, 0 when it has none. */
  lastTurnNumber(runId: string): number {
    return this.#turns.lastNumber(runId);
  }

  /**
   * Ends the run's turns still stored `pending` (their runner is gone) with status `error`.
   * Returns how many were ended.
   */
  endPendingTurns(runId: string, error: string, at: number): number {
    return this.#turns.endPending(runId, error, at);
  }

  /**
   * Ends a run's oldest pending turn (the one its runner may have been running) as `error`.
   * Returns how many rows changed (0 or 1).
   */
  endOldestPendingTurn(runId: string, error: string, at: number): number {
    return this.#turns.endOldestPending(runId, error, at);
  }

  /** A run's pending turns, oldest first: what a resumed run delivers to its next attempt. */
  pendingTurns(runId: string): TurnRecord[] {
    return this.#turns.pending(runId);
  }

  /** Records a permission request, or its answer (same run, attempt and request id). */
  upsertPermission(request: PermissionRecord): void {
    this.#permissions.upsert(request);
  }

  /** The latest stored request with this id in the run (any attempt), or undefined. */
  getPermission(runId: string, requestId: string): PermissionRecord | undefined {
    return this.#permissions.get(runId, requestId);
  }

  /** The run's requests, newest first: the last `limit` of them. */
  recentPermissions(runId: string, limit: number): PermissionRecord[] {
    return this.#permissions.recent(runId, limit);
  }

  /**
   * Records the run's requests still stored pending (their runner is gone) as `denied` by
   * `stopped`. Returns how many were answered.
   */
  denyPendingPermissions(runId: string, reason: string, at: number): number {
    return this.#permissions.denyPending(runId, reason, at);
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.#prepare<[string], Row>('SELECT * FROM agent_runs WHERE run_id = ?').get(
      runId,
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /** The most recent run with this name. */
  latestByName(name: string): RunRecord | undefined {
    const row = this.#prepare<[string], Row>(
      'SELECT * FROM agent_runs WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
    ).get(name);
    return row === undefined ? undefined : toRecord(row);
  }

  /** Runs, newest first: every non-terminal run plus up to `recent` terminal ones (all when null). */
  listRuns(recent: number | null): RunRecord[] {
    const rows =
      recent === null
        ? this.#prepare<[], Row>(
            'SELECT * FROM agent_runs ORDER BY created_at DESC, rowid DESC',
          ).all()
        : this.#prepare<[number], Row>(
            `SELECT * FROM agent_runs WHERE state NOT IN ('exited', 'failed')
               UNION ALL
               SELECT * FROM (SELECT * FROM agent_runs WHERE state IN ('exited', 'failed') ORDER BY created_at DESC LIMIT ?)
               ORDER BY created_at DESC`,
          ).all(recent);
    return rows.map(toRecord);
  }

  /** Runs in a non-terminal state: after a daemon crash, the ones it lost. */
  activeRuns(): RunRecord[] {
    return this.#prepare<[], Row>(
      "SELECT * FROM agent_runs WHERE state NOT IN ('exited', 'failed')",
    )
      .all()
      .map(toRecord);
  }

  /** The last `limit` iterations of a run (every attempt), newest first. */
  recentIterations(runId: string, limit: number): IterationRecord[] {
    return this.#prepare<[string, number], Row>(
      'SELECT * FROM agent_iterations WHERE run_id = ? ORDER BY attempt DESC, iteration DESC LIMIT ?',
    )
      .all(runId, limit)
      .map((row) => ({
        runId: row.run_id as string,
        attempt: row.attempt as number,
        iteration: row.iteration as number,
        status: row.status as 'ok' | 'error',
        durationMs: row.duration_ms as number,
        summary: row.summary as string | null,
        error: row.error as string | null,
        ...(row.error_detail == null
          ? {}
          : { errorDetail: parseOrNull(row.error_detail) as ErrorDetail }),
        usage: row.usage === null ? null : (JSON.parse(row.usage as string) as Usage),
        finishedAt: row.finished_at as number,
      }));
  }

  /** Number of stored iterations of a run. */
  countIterations(runId: string): number {
    return (
      this.#prepare('SELECT count(*) AS n FROM agent_iterations WHERE run_id = ?').get(runId) as {
        n: number;
      }
    ).n;
  }

  /**
   * Deletes history by a retention rule, a whole pass now (see {@link HistoryPruner}): iterations
   * of any run finished before `iterationsBefore`; turns and permission requests of any run
   * finished (decided) before `turnsBefore` (default `iterationsBefore`), keeping pending ones
   * and each run's newest turn so that turn ids are never handed out again; past `maxPerRun`,
   * each run's oldest iterations, finished turns and decided requests; and terminal runs (with
   * everything of theirs) that ended before `runsBefore`. An active run is never deleted.
   * Returns what was deleted. A daemon prunes step by step instead (`RetentionScheduler`).
   */
  prune(rule: PruneRule): PruneCounts {
    return this.pruner.pruneAll(rule);
  }

  /** Retention's batched deletes on this database (prepared once). */
  get pruner(): HistoryPruner {
    this.#pruner ??= new HistoryPruner(this.#db);
    return this.#pruner;
  }

  /**
   * Bytes the database takes on disk: the file plus its write-ahead log (`-wal`); the
   * `-shm` index (32 KiB) is not counted.
   */
  diskBytes(): number {
    return fileBytes(this.path) + fileBytes(`${this.path}-wal`);
  }

  /** The open database, shared with the event backlog (`EventStore`) so both use one connection. */
  get database(): Database.Database {
    return this.#db;
  }

  /**
   * `sql` prepared once and kept: preparing parses and plans it again each time (25–36 µs for
   * `getRun` against 8–9 µs for the kept statement, on this project's test machine). Keeps at
   * most MAX_STATEMENTS_KEPT (`updateRun` writes one SQL per set of fields it is given), the
   * oldest dropped first.
   */
  #prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
      if (this.#statements.size > MAX_STATEMENTS_KEPT) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
    }
    return statement as Database.Statement<P, R>;
  }

  close(): void {
    if (this.#db.open) {
      this.#db.close();
    }
  }
}

function toRecord(row: Row): RunRecord {
  return {
    runId: row.run_id as string,
    name: row.name as string,
    module: row.module as string | null,
    params: JSON.parse(row.params as string) as Record<string, unknown>,
    options: JSON.parse(row.options as string) as RunOptions,
    launcher: row.launcher as string,
    state: row.state as RunState,
    pid: row.pid as number | null,
    pgid: row.pgid as number | null,
    createdAt: row.created_at as number,
    readyAt: row.ready_at as number | null,
    endedAt: row.ended_at as number | null,
    iterations: row.iterations as number,
    lastSummary: row.last_summary as string | null,
    attempt: row.attempt as number,
    restarts: row.restarts as number,
    nextRestartAt: row.next_restart_at as number | null,
    lastReasons: JSON.parse(row.last_reasons as string) as RunRecord['lastReasons'],
    pause: row.pause == null ? null : (JSON.parse(row.pause as string) as RunPause),
    exit:
      row.exit_reason === null
        ? null
        : {
            reason: row.exit_reason as ExitReason,
            stopPhase: row.stop_phase as ExitClassification['stopPhase'],
            explanation: (row.explanation as string | null) ?? '',
            exitCode: row.exit_code as number | null,
            signal: row.signal as string | null,
            stderrTail: (row.stderr_tail as string | null) ?? '',
            evidence:
              row.evidence === null || row.evidence === undefined
                ? {}
                : (JSON.parse(row.evidence as string) as Record<string, unknown>),
          },
    logPath: row.log_path as string | null,
  };
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // no WAL yet, or just checkpointed away
  }
}
