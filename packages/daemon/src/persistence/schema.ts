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
  // 3: turns submitted to runs, and permission requests with their answers.
  `
  CREATE TABLE agent_turns (
    run_id        TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    turn_id       TEXT NOT NULL,           -- assigned by the daemon, unique within the run
    attempt       INTEGER,                 -- attempt that ran it; null while queued
    input         TEXT,                    -- JSON
    status        TEXT NOT NULL,           -- pending | ok | error | cancelled
    output        TEXT,                    -- JSON
    error         TEXT,
    duration_ms   INTEGER,
    usage         TEXT,                    -- JSON
    submitted_at  INTEGER NOT NULL,        -- ms since the Unix epoch
    finished_at   INTEGER,
    PRIMARY KEY (run_id, turn_id)
  ) WITHOUT ROWID;
  CREATE INDEX agent_turns_by_time ON agent_turns (submitted_at);
  CREATE TABLE agent_permissions (
    run_id        TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    request_id    TEXT NOT NULL,           -- assigned by the runner, unique within the attempt
    tool          TEXT NOT NULL,
    input         TEXT,                    -- JSON
    rationale     TEXT,
    requested_at  INTEGER NOT NULL,
    decision      TEXT,                    -- granted | denied; null while pending
    decided_by    TEXT,                    -- auto | client | timeout | stopped
    reason        TEXT,
    decided_at    INTEGER,
    PRIMARY KEY (run_id, attempt, request_id)
  ) WITHOUT ROWID;
  CREATE INDEX agent_permissions_by_time ON agent_permissions (requested_at);
  `,
  // 4: the event backlog behind monitor.subscribe (bounded by pruning the oldest rows).
  `
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,  -- monotonic, never reused after pruning
    at       INTEGER NOT NULL,                   -- ms since the Unix epoch
    type     TEXT NOT NULL,
    run_id   TEXT,
    name     TEXT,                               -- the run's name: a filter by name reads an index
    payload  TEXT NOT NULL                       -- JSON: the whole event
  );
  CREATE INDEX events_by_run ON events (run_id, id);
  CREATE INDEX events_by_name ON events (name, id);
  `,
  // 5: per-run time indexes, so retention can find a run's newest turns and requests (and
  // its newest turn for the age rule) without reading all of them.
  `
  CREATE INDEX agent_turns_by_run ON agent_turns (run_id, submitted_at);
  CREATE INDEX agent_permissions_by_run ON agent_permissions (run_id, requested_at);
  `,
  // 6: what a failed iteration or turn threw, whole (protocol ErrorDetail: name, message,
  // stack, code), beside the one-line `error`.
  `
  ALTER TABLE agent_iterations ADD COLUMN error_detail TEXT;  -- JSON ErrorDetail, or null
  ALTER TABLE agent_turns ADD COLUMN error_detail TEXT;       -- JSON ErrorDetail, or null
  `,
  // 7: durable agents (issue 10). Checkpoints of an agent's state: a rowid table, not WITHOUT
  // ROWID, because a row holds up to the 8 MiB frame and a WITHOUT ROWID b-tree copies whole
  // rows into its interior pages (sqlite.org/withoutrowid.html: rows under 1/20 of a page).
  // The usage ledger behind budgets: one row per run, attempt, UTC day and model, summed.
  `
  CREATE TABLE agent_checkpoints (
    run_id     TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,       -- 1, 2, ... within the run; never reused (the newest is never pruned)
    attempt    INTEGER NOT NULL,       -- attempt that saved it; 0 for one copied from another run
    iteration  INTEGER,                -- iteration it was saved in, or null
    saved_at   INTEGER NOT NULL,       -- ms since the Unix epoch
    bytes      INTEGER NOT NULL,       -- UTF-8 bytes of state
    state      TEXT NOT NULL,          -- JSON; last, so reading the columns before it skips its pages
    PRIMARY KEY (run_id, seq)
  );
  CREATE TABLE agent_usage (
    run_id              TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    attempt             INTEGER NOT NULL,
    day                 TEXT NOT NULL,             -- UTC YYYY-MM-DD
    model               TEXT NOT NULL DEFAULT '',  -- '' when not reported
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cost_nano_usd       INTEGER NOT NULL,          -- 1e-9 USD: integer sums are exact
    calls               INTEGER NOT NULL,          -- usage reports summed here
    calls_without_cost  INTEGER NOT NULL,          -- those that gave no cost (not in cost_nano_usd)
    PRIMARY KEY (run_id, day, attempt, model)  -- day before attempt: a run's day is one range
  ) WITHOUT ROWID;
  CREATE INDEX agent_usage_by_day ON agent_usage (day);
  `,
  // 8: why a run is paused (budget reached, or an operator), while it is.
  `
  ALTER TABLE agent_runs ADD COLUMN pause TEXT;  -- JSON RunPause while state = 'paused', else null
  `,
  // 9: the spend of runs removed by hand (`agent.remove`), one row per UTC day, summed: the
  // day's total of every run (the daemon-wide daily cap) must not drop when a run is removed.
  `
  CREATE TABLE agent_usage_removed (
    day                 TEXT PRIMARY KEY,          -- UTC YYYY-MM-DD
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cost_nano_usd       INTEGER NOT NULL,
    calls               INTEGER NOT NULL,
    calls_without_cost  INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 10: the run's records (protocol `store`, issue 15): JSON values under (namespace, key),
  // e.g. a LangGraph thread's checkpoints and pending writes. A rowid table, as for
  // checkpoints: a record holds up to 4 MiB. Listed by key within a namespace (the key).
  `
  CREATE TABLE agent_records (
    run_id  TEXT NOT NULL REFERENCES agent_runs (run_id) ON DELETE CASCADE,
    ns      TEXT NOT NULL,
    key     TEXT NOT NULL,
    bytes   INTEGER NOT NULL,  -- UTF-8 bytes of ns, key and value: what counts against the run's cap
    value   TEXT NOT NULL,     -- JSON; last, so reading the columns before it skips its pages
    PRIMARY KEY (run_id, ns, key)
  );
  `,
];
