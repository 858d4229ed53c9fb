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
];
