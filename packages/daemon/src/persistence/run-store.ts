import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Usage } from '@x/ipc';
import type { ExitClassification } from '../supervisor/classify-exit.js';
import type { RunState } from '../supervisor/run-state.js';
import { MIGRATIONS } from './schema.js';

/** A run as stored: the `--json` shape of `x agent status` minus live fields. */
export interface RunRecord {
  runId: string;
  name: string;
  module: string | null;
  params: Record<string, unknown>;
  options: RunOptions;
  launcher: string;
  state: RunState;
  pid: number | null;
  pgid: number | null;
  /** ms since the Unix epoch. */
  createdAt: number;
  readyAt: number | null;
  endedAt: number | null;
  iterations: number;
  lastSummary: string | null;
  exit: RunExit | null;
  logPath: string | null;
}

/** The options a run was started with. */
export interface RunOptions {
  /** Program and arguments of a `command` run; null for a module run. */
  command: string[] | null;
  intervalMs: number;
  maxIterations: number | null;
  stopBudget: { ipcMs: number; sigtermMs: number };
  codec: 'jsonl' | 'msgpack';
  cwd: string;
}

/** How a run ended. */
export interface RunExit extends ExitClassification {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

/** One finished iteration as stored. */
export interface IterationRecord {
  runId: string;
  iteration: number;
  status: 'ok' | 'error';
  durationMs: number;
  summary: string | null;
  error: string | null;
  usage: Usage | null;
  /** ms since the Unix epoch. */
  finishedAt: number;
}

interface RunRow {
  run_id: string;
  name: string;
  module: string | null;
  params: string;
  options: string;
  launcher: string;
  state: RunState;
  pid: number | null;
  pgid: number | null;
  created_at: number;
  ready_at: number | null;
  ended_at: number | null;
  iterations: number;
  last_summary: string | null;
  exit_reason: ExitClassification['reason'] | null;
  stop_phase: ExitClassification['stopPhase'];
  exit_code: number | null;
  signal: string | null;
  explanation: string | null;
  stderr_tail: string | null;
  log_path: string | null;
}

/**
 * Run history in SQLite (WAL mode, `synchronous = NORMAL`: a committed write survives any
 * process crash; an OS crash may lose the last transactions). All methods are synchronous
 * and throw the driver's error (for example `SQLITE_FULL` on a full disk): callers decide
 * whether that is fatal.
 */
export class RunStore {
  readonly #db: Database.Database;
  readonly #insertRun: Database.Statement;
  readonly #insertIteration: Database.Statement;
  readonly #bumpIterations: Database.Statement;
  readonly #getRun: Database.Statement<[string], RunRow>;

  /** Opens (creating and migrating as needed) the database at `path`. */
  constructor(readonly path: string) {
    // Created 0600 first: SQLite gives the -wal and -shm files the database file's mode.
    closeSync(openSync(path, 'a', 0o600));
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#migrate();
    this.#insertRun = this.#db.prepare(`
      INSERT INTO agent_runs (run_id, name, module, params, options, launcher, state, created_at, log_path)
      VALUES (@runId, @name, @module, @params, @options, @launcher, @state, @createdAt, @logPath)`);
    this.#insertIteration = this.#db.prepare(`
      INSERT INTO agent_iterations (run_id, iteration, status, duration_ms, summary, error, usage, finished_at)
      VALUES (@runId, @iteration, @status, @durationMs, @summary, @error, @usage, @finishedAt)
      ON CONFLICT (run_id, iteration) DO NOTHING`);
    this.#bumpIterations = this.#db.prepare(`
      UPDATE agent_runs SET iterations = iterations + 1, last_summary = coalesce(@summary, last_summary)
      WHERE run_id = @runId`);
    this.#getRun = this.#db.prepare('SELECT * FROM agent_runs WHERE run_id = ?');
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

  /** Records a new run (state `starting`). */
  insertRun(
    run: Pick<
      RunRecord,
      | 'runId'
      | 'name'
      | 'module'
      | 'params'
      | 'options'
      | 'launcher'
      | 'state'
      | 'createdAt'
      | 'logPath'
    >,
  ): void {
    this.#insertRun.run({
      ...run,
      params: JSON.stringify(run.params),
      options: JSON.stringify(run.options),
    });
  }

  /** Updates the live fields of a run. */
  updateRun(
    runId: string,
    fields: Partial<Pick<RunRecord, 'state' | 'pid' | 'pgid' | 'readyAt' | 'endedAt' | 'exit'>>,
  ): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = { runId };
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = @${column}`);
      values[column] = value;
    };
    if (fields.state !== undefined) {
      put('state', fields.state);
    }
    if (fields.pid !== undefined) {
      put('pid', fields.pid);
    }
    if (fields.pgid !== undefined) {
      put('pgid', fields.pgid);
    }
    if (fields.readyAt !== undefined) {
      put('ready_at', fields.readyAt);
    }
    if (fields.endedAt !== undefined) {
      put('ended_at', fields.endedAt);
    }
    if (fields.exit !== undefined && fields.exit !== null) {
      put('exit_reason', fields.exit.reason);
      put('stop_phase', fields.exit.stopPhase);
      put('exit_code', fields.exit.exitCode);
      put('signal', fields.exit.signal);
      put('explanation', fields.exit.explanation);
      put('stderr_tail', fields.exit.stderrTail);
    }
    if (sets.length > 0) {
      this.#db
        .prepare(`UPDATE agent_runs SET ${sets.join(', ')} WHERE run_id = @runId`)
        .run(values);
    }
  }

  /**
   * Records a finished iteration. Idempotent on `(runId, iteration)`: a replayed iteration
   * is ignored. Returns true when the row is new.
   */
  recordIteration(record: IterationRecord): boolean {
    return this.#db.transaction(() => {
      const inserted = this.#insertIteration.run({
        ...record,
        usage: record.usage === null ? null : JSON.stringify(record.usage),
      });
      if (inserted.changes === 0) {
        return false;
      }
      this.#bumpIterations.run({ runId: record.runId, summary: record.summary });
      return true;
    })();
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.#getRun.get(runId);
    return row === undefined ? undefined : toRecord(row);
  }

  /** The most recent run with this name. */
  latestByName(name: string): RunRecord | undefined {
    const row = this.#db
      .prepare<[string], RunRow>(
        'SELECT * FROM agent_runs WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      )
      .get(name);
    return row === undefined ? undefined : toRecord(row);
  }

  /** Runs, newest first: every non-exited run plus up to `recent` exited ones (all when null). */
  listRuns(recent: number | null): RunRecord[] {
    const rows =
      recent === null
        ? this.#db
            .prepare<[], RunRow>('SELECT * FROM agent_runs ORDER BY created_at DESC, rowid DESC')
            .all()
        : this.#db
            .prepare<[number], RunRow>(
              `SELECT * FROM agent_runs WHERE state != 'exited'
               UNION ALL
               SELECT * FROM (SELECT * FROM agent_runs WHERE state = 'exited' ORDER BY created_at DESC LIMIT ?)
               ORDER BY created_at DESC`,
            )
            .all(recent);
    return rows.map(toRecord);
  }

  /** Runs in a non-terminal state: after a daemon crash these are the ones it lost. */
  activeRuns(): RunRecord[] {
    return this.#db
      .prepare<[], RunRow>("SELECT * FROM agent_runs WHERE state != 'exited'")
      .all()
      .map(toRecord);
  }

  /** The last `limit` iterations of a run, newest first. */
  recentIterations(runId: string, limit: number): IterationRecord[] {
    return this.#db
      .prepare<[string, number], Record<string, unknown>>(
        'SELECT * FROM agent_iterations WHERE run_id = ? ORDER BY iteration DESC LIMIT ?',
      )
      .all(runId, limit)
      .map((row) => ({
        runId: row.run_id as string,
        iteration: row.iteration as number,
        status: row.status as 'ok' | 'error',
        durationMs: row.duration_ms as number,
        summary: row.summary as string | null,
        error: row.error as string | null,
        usage: row.usage === null ? null : (JSON.parse(row.usage as string) as Usage),
        finishedAt: row.finished_at as number,
      }));
  }

  /** Number of stored iterations of a run. */
  countIterations(runId: string): number {
    return (
      this.#db
        .prepare('SELECT count(*) AS n FROM agent_iterations WHERE run_id = ?')
        .get(runId) as { n: number }
    ).n;
  }

  close(): void {
    if (this.#db.open) {
      this.#db.close();
    }
  }
}

function toRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    name: row.name,
    module: row.module,
    params: JSON.parse(row.params) as Record<string, unknown>,
    options: JSON.parse(row.options) as RunOptions,
    launcher: row.launcher,
    state: row.state,
    pid: row.pid,
    pgid: row.pgid,
    createdAt: row.created_at,
    readyAt: row.ready_at,
    endedAt: row.ended_at,
    iterations: row.iterations,
    lastSummary: row.last_summary,
    exit:
      row.exit_reason === null
        ? null
        : {
            reason: row.exit_reason,
            stopPhase: row.stop_phase,
            explanation: row.explanation ?? '',
            exitCode: row.exit_code,
            signal: row.signal,
            stderrTail: row.stderr_tail ?? '',
          },
    logPath: row.log_path,
  };
}
