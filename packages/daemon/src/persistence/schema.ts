/**
 * SQLite schema, applied by `PRAGMA user_version` migrations. Append new migrations;
 * never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE agent_runs (
    run_id        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    module        TEXT,
    params        TEXT NOT NULL,           -- JSON object
    options       TEXT NOT NULL,           -- JSON: intervalMs, maxIterations, stop budget, codec, cwd
    launcher      TEXT NOT NULL,
    state         TEXT NOT NULL,           -- starting | running | stopping | exited
    pid           INTEGER,
    pgid          INTEGER,
    created_at    INTEGER NOT NULL,        -- ms since the Unix epoch
    ready_at      INTEGER,
    ended_at      INTEGER,
    iterations    INTEGER NOT NULL DEFAULT 0,
    last_summary  TEXT,
    exit_reason   TEXT,                    -- classify-exit.ts taxonomy
    stop_phase    TEXT,                    -- ipc | sigterm | sigkill
    exit_code     INTEGER,
    signal        TEXT,
    explanation   TEXT,
    stderr_tail   TEXT,
    log_path      TEXT
  );
  CREATE INDEX agent_runs_by_name ON agent_runs (name, created_at);
  CREATE INDEX agent_runs_by_state ON agent_runs (state);
  CREATE TABLE agent_iterations (
    run_id       TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    iteration    INTEGER NOT NULL,
    status       TEXT NOT NULL,            -- ok | error
    duration_ms  INTEGER NOT NULL,
    summary      TEXT,
    error        TEXT,
    usage        TEXT,                     -- JSON
    finished_at  INTEGER NOT NULL,
    PRIMARY KEY (run_id, iteration)
  ) WITHOUT ROWID;
  `,
  // 2: runs become sequences of attempts (restarts); iterations are numbered per attempt.
  `
  ALTER TABLE agent_runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE agent_runs ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE agent_runs ADD COLUMN next_restart_at INTEGER;
  ALTER TABLE agent_runs ADD COLUMN last_reasons TEXT NOT NULL DEFAULT '[]';  -- JSON [{attempt, reason, at}]
  ALTER TABLE agent_runs ADD COLUMN evidence TEXT;                             -- JSON, with exit_reason
  CREATE TABLE agent_attempts (
    run_id        TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    pid           INTEGER,
    pgid          INTEGER,
    proc_start    INTEGER,                 -- /proc/<pid>/stat starttime (clock ticks): pid-reuse guard
    started_at    INTEGER NOT NULL,
    ready_at      INTEGER,
    ended_at      INTEGER,
    exit_reason   TEXT,
    stop_phase    TEXT,
    exit_code     INTEGER,
    signal        TEXT,
    explanation   TEXT,
    evidence      TEXT,                    -- JSON
    PRIMARY KEY (run_id, attempt)
  ) WITHOUT ROWID;
  CREATE TABLE agent_iterations_v2 (
    run_id       TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL DEFAULT 1,
    iteration    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL,
    summary      TEXT,
    error        TEXT,
    usage        TEXT,
    finished_at  INTEGER NOT NULL,
    PRIMARY KEY (run_id, attempt, iteration)
  ) WITHOUT ROWID;
  INSERT INTO agent_iterations_v2 (run_id, attempt, iteration, status, duration_ms, summary, error, usage, finished_at)
    SELECT run_id, 1, iteration, status, duration_ms, summary, error, usage, finished_at FROM agent_iterations;
  DROP TABLE agent_iterations;
  ALTER TABLE agent_iterations_v2 RENAME TO agent_iterations;
  CREATE INDEX agent_iterations_by_time ON agent_iterations (finished_at);
  `,
];
