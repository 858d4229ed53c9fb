import type { ErrorDetail, Usage } from '@x/ipc';
import type { ServiceProbes } from '../health/service-probes.js';
import type { RunnerMode } from '../launch/runner-launcher.js';
import type { ExitClassification, ExitReason } from '../supervisor/classify-exit.js';
import type { RestartPolicy } from '../supervisor/restart-policy.js';
import type { RunState } from '../supervisor/run-state.js';
import type { BudgetLimit, RunBudget } from '../supervisor/budget-policy.js';

// The stored shapes, apart from the store that reads and writes them: the supervisor uses
// them without depending on SQLite, and nothing here imports back from the supervisor.

/** A run: one agent started once, made of one or more attempts (restarts). The `--json` shape. */
export interface RunRecord {
  runId: string;
  name: string;
  /** Agent module, or null for a `command` run. */
  module: string | null;
  params: Record<string, unknown>;
  options: RunOptions;
  /** `subprocess` or `thread`. */
  launcher: string;
  state: RunState;
  /** Process id of the current (or last) attempt. */
  pid: number | null;
  pgid: number | null;
  /** ms since the Unix epoch. */
  createdAt: number;
  /** When the current (or last) attempt became ready. */
  readyAt: number | null;
  /** When the run reached a terminal state (`exited`, `failed`). */
  endedAt: number | null;
  /** Iterations over every attempt. */
  iterations: number;
  lastSummary: string | null;
  /** Number of the current (or last) attempt, from 1. */
  attempt: number;
  /** Restarts made so far (attempt − 1). */
  restarts: number;
  /** While `backoff`: when the next attempt starts, ms since the epoch. */
  nextRestartAt: number | null;
  /** How the most recent attempts ended, newest last (at most 10). */
  lastReasons: { attempt: number; reason: ExitReason; at: number }[];
  /** How the last attempt ended (the run's end once terminal), or null. */
  exit: RunExit | null;
  logPath: string | null;
  /** Why the run is paused, while its state is `paused` (absent or null otherwise). */
  pause?: RunPause | null;
}

/** Why a run is paused: a budget it reached, or an operator (`x agent pause`). */
export interface RunPause {
  by: 'budget' | 'client';
  /** One line for humans: the budget and the spend, or the operator's reason. */
  reason: string;
  /** When it was paused, ms since the Unix epoch. */
  at: number;
  /** For `budget`: which limit was reached, its value, and what was spent (USD or tokens). */
  limit?: BudgetLimit;
  limitValue?: number;
  spent?: number;
}

/**
 * A run's budgets (USD and tokens over every attempt; a UTC day for the daily one) and what
 * reaching one does: `pause` (the default: the runner finishes its current iteration or turn
 * and starts no new one until `x agent resume`) or `stop` (a graceful stop, the run ends).
 */
export interface RunBudgetOptions extends RunBudget {
  onBudget?: 'pause' | 'stop';
}

/** The options a run was started with. */
export interface RunOptions {
  /** `agent` (speaks the protocol) or `service` (any program, health-checked). Absent in old rows: agent. */
  kind?: 'agent' | 'service';
  /** A service's probes; null for agents. */
  probes?: ServiceProbes | null;
  /** Program and arguments of a `command` run; null for a module run. */
  command: string[] | null;
  intervalMs: number;
  maxIterations: number | null;
  stopBudget: { ipcMs: number; sigtermMs: number };
  codec: 'jsonl' | 'msgpack';
  cwd: string;
  /** Extra environment of the runner (stored in the 0600 database). */
  env: Record<string, string>;
  restart: RestartPolicy;
  /** Memory limit in MiB (V8 heap cap and RSS limit), or null. */
  maxMemoryMb: number | null;
  /** How the runner is hosted: `subprocess` or `thread`. Absent in old rows: see `launcher`. */
  runnerMode?: RunnerMode;
  /** Permission requests granted without asking: `true` for all, or these tool names. Absent: none. */
  autoApprove?: true | string[] | null;
  /** How long a permission request waits for an answer before it is denied (`timeout`), ms. */
  permissionTimeoutMs?: number;
  /** Heartbeat interval asked of the runner, ms; absent: the daemon's. */
  heartbeatIntervalMs?: number;
  /** Heartbeat silence after which the runner is `hung`, ms; absent: the daemon's. */
  livenessTimeoutMs?: number;
  /** Budgets; absent or null: none. Changed by `agent.resume`. */
  budget?: RunBudgetOptions | null;
  /** Largest JSON of one checkpoint's state, bytes; absent: 1 MiB (CHECKPOINT_MAX_BYTES). */
  checkpointMaxBytes?: number;
  /** The checkpoint this run started from (`--from <run>[@<seq or checkpoint id>]`), for the record. */
  from?: ForkOrigin | null;
}

/**
 * Where a forked run started: a stored checkpoint of another run (`seq`, from
 * `ctx.checkpoint`), or a thread checkpoint of its record store (`checkpointId`, e.g. a
 * LangGraph checkpoint) copied with its thread.
 */
export interface ForkOrigin {
  runId: string;
  /** The `ctx.checkpoint` seq it started from. */
  seq?: number;
  /** The thread checkpoint it started from. */
  checkpointId?: string;
  /** With `checkpointId`: the thread in the source run. */
  sourceThreadId?: string;
  /** With `checkpointId`: the thread in this run (this run's id when it was the source run's). */
  threadId?: string;
}

/** How an attempt ended. */
export interface RunExit extends ExitClassification {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  /** What the classification was decided from (uptime, heartbeat age, RSS…). */
  evidence: Record<string, unknown>;
}

/** One attempt of a run, as stored. */
export interface AttemptRecord {
  runId: string;
  attempt: number;
  pid: number | null;
  pgid: number | null;
  /** Process start time from /proc/<pid>/stat (clock ticks since boot): tells a reused pid apart. */
  procStart: number | null;
  startedAt: number;
  readyAt: number | null;
  endedAt: number | null;
  exit: Omit<RunExit, 'stderrTail'> | null;
}

/** One finished iteration as stored. */
export interface IterationRecord {
  runId: string;
  attempt: number;
  iteration: number;
  status: 'ok' | 'error';
  durationMs: number;
  summary: string | null;
  error: string | null;
  /**
   * What a failed iteration threw, whole (name, message, stack ≤ 16 KiB, code), when the
   * runner sent it (`iteration_done.errorDetail`); `error` is its one line.
   */
  errorDetail?: ErrorDetail | null;
  usage: Usage | null;
  /** ms since the Unix epoch. */
  finishedAt: number;
}

/** One turn submitted to a run, as stored (`agent_turns`) and returned by `agent.send`. */
export interface TurnRecord {
  runId: string;
  /** Assigned by the daemon: `t-1`, `t-2`, … unique within the run. */
  turnId: string;
  /** Attempt the turn was sent to. */
  attempt: number | null;
  /** What was submitted (any JSON value; null when none). */
  input: unknown;
  /** `pending` until the runner answers, or the attempt ends without answering. */
  status: 'pending' | 'ok' | 'error' | 'cancelled';
  /** What the agent's `turn` returned (status `ok`), else null. */
  output: unknown;
  /** Error message (status `error`) or cancel reason (status `cancelled`), else null. */
  error: string | null;
  /** What a failed turn threw, whole (`turn_result.errorDetail`), when the runner sent it. */
  errorDetail?: ErrorDetail | null;
  /** Wall time of the turn, ms; null while pending. */
  durationMs: number | null;
  usage: Usage | null;
  /** ms since the Unix epoch. */
  submittedAt: number;
  finishedAt: number | null;
}

/**
 * Who answered a permission request: its policy, a client, its timeout, the run's end, or
 * the runner itself (`runner`: it withdrew the request with `permission_cancel`).
 */
export type PermissionDecidedBy = 'auto' | 'client' | 'timeout' | 'stopped' | 'runner';

/** One permission request of a runner and its answer, as stored (`agent_permissions`). */
export interface PermissionRecord {
  runId: string;
  attempt: number;
  /** Assigned by the runner, unique within the attempt. */
  requestId: string;
  /** What the agent wants to use (a tool or action name). */
  tool: string;
  input: unknown;
  rationale: string | null;
  /** ms since the Unix epoch. */
  requestedAt: number;
  /** null while pending. */
  decision: 'granted' | 'denied' | null;
  decidedBy: PermissionDecidedBy | null;
  /** Why (e.g. `timeout`, `stopped`, a client's `--reason`), or null. */
  reason: string | null;
  decidedAt: number | null;
  /** While pending: when it is denied for lack of an answer, ms since the epoch (not stored). */
  expiresAt: number | null;
}
