import type { HookStats } from '../hooks/hook-queue.js';
import { PROTOCOL_VERSION, RpcError, type RpcConnection } from '@x/ipc';
import { DAEMON_RPC_CODES, runNotFound, turnNotFound } from '../errors.js';
import { isActiveState } from '../supervisor/run-state.js';
import { serviceStatus, type ServiceStatus } from '../supervisor/service-status.js';
import { readLogTail } from '../logs/run-log.js';
import { linesSince } from '../logs/log-since.js';
import type { PersistenceHealth } from '../persistence/persistence-guard.js';
import type { FaultCount } from '../process/fault-net.js';
import type { LogStats } from '../process/logger.js';
import type {
  IterationRecord,
  PermissionRecord,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import type { RunnerSupervisor, ShutdownOptions } from '../supervisor/runner-supervisor.js';
import {
  LISTED_FIELD_MAX_BYTES,
  TURN_FIELD_MAX_BYTES,
  clipPermission,
  clipRun,
  clipTurn,
  type Clipped,
} from './clip-fields.js';
import { listPage, type AgentList } from './list-page.js';
import type { RunUsage } from '../persistence/usage-ledger.js';
import type { RunResources } from '../supervisor/resource-meter.js';
import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting-depth.js';
import { compileParamsValidator } from './params-validator.js';
import { startParamsProblem } from './runtime-limits.js';
import { CONTROL_PARAMS } from './control-params.js';

export { BudgetParams, CONTROL_PARAMS } from './control-params.js';

/** `system.info` result. */
export interface SystemInfo {
  pid: number;
  version: string;
  protocolVersion: number;
  home: string;
  socketPath: string;
  /** ms since the Unix epoch. */
  startedAt: number;
  uptimeMs: number;
  launcher: string;
  activeRuns: number;
  /** The SQLite store: `ok: false` (`state: 'degraded'`) while writes fail, with what was lost. */
  persistence: PersistenceHealth;
  /**
   * The daemon's own log: lines dropped (full disk, closed pipe) and repeats held back; null
   * for an embedder's logger that does not count. Absent from daemons before 0.2.
   */
  log?: LogStats | null;
  /** Disk use of the run history: `x.db` plus its write-ahead log `x.db-wal`, bytes. */
  databaseBytes: number;
  /** What escaped every run's boundary since the daemon started (see `installFaultNet`). */
  faults: FaultCount;
  node: string;
  /**
   * Each event hook's counters since the daemon started: events queued now, delivered,
   * failed, and dropped because its queue was full. Absent from daemons before 0.2.
   */
  hooks?: HookStats[];
}

/** `system.shutdown` result; `runs` only with `wait: true`. */
export interface ShutdownResult {
  stopping: true;
  /** Runs active when the shutdown began. */
  activeRuns: number;
  /** Every run stopped by the shutdown, with how it ended. */
  runs?: {
    runId: string;
    name: string;
    state: RunRecord['state'];
    exit: Pick<NonNullable<RunRecord['exit']>, 'reason' | 'stopPhase' | 'explanation'> | null;
  }[];
}

/** `agent.status` result. */
export interface AgentStatus {
  run: RunRecord;
  /** Most recent iterations, newest first. */
  recentIterations: IterationRecord[];
  /** ms since the Unix epoch, or null when no heartbeat was received. */
  lastHeartbeatAt: number | null;
  /**
   * The iteration running now (its `iteration_start` was received, its `iteration_done` not
   * yet), with its start (ms since the Unix epoch); null between iterations and for finished runs.
   */
  currentIteration: { iteration: number; startedAt: number } | null;
  /**
   * The run's spend over every attempt (tokens, USD; reports without a cost counted apart),
   * with the models whose cost is unknown and the warning a cost budget gets for them.
   */
  usage: RunUsage;
  /**
   * CPU % and RSS of the current attempt as last sampled (every 1000 ms), or null for a run
   * with no attempt running (finished, in backoff) or not sampled yet. Absent before 0.2.
   */
  resources: RunResources | null;
  /** For a service: its status as a tagged union; absent for agents. */
  service?: ServiceStatus;
  persistence: PersistenceHealth;
  /**
   * Permission requests waiting for an answer (`x agent approve|deny`), oldest first; an
   * `input` over 8 KiB of JSON is null and listed in `truncated`.
   */
  pendingPermissions: Clipped<PermissionRecord>[];
  /**
   * Most recent turns, newest first (`pending` ones included); an `input` or `output` over
   * 8 KiB of JSON is null and listed in `truncated` (`agent.turns {turnId}` has it whole).
   */
  recentTurns: Clipped<TurnRecord>[];
}

/** `agent.turns` result. */
export interface AgentTurns {
  runId: string;
  /**
   * Newest first; with `turnId`, just that turn. In a list an `input` or `output` over 8 KiB
   * of JSON is null and listed in `truncated`; for one turn, over 384 KiB.
   */
  turns: Clipped<TurnRecord>[];
}

/** `agent.logs` result. */
export interface AgentLogs {
  runId: string;
  path: string | null;
  /** The newest lines, oldest first: at most `lines`, and at most 768 KiB (LOG_ANSWER_MAX_BYTES). */
  lines: string[];
  /** Older lines left out to stay within 768 KiB (0 when none); read the file at `path`. */
  omittedLines: number;
}

/** Bytes of log text in one `agent.logs` answer at most: 768 KiB (under the 1 MiB frame limit). */
const LOG_ANSWER_MAX_BYTES = 768 * 1024;

/** What the methods need from the daemon. */
export interface ControlContext {
  supervisor: RunnerSupervisor;
  info(): SystemInfo;
  /**
   * Starts a graceful shutdown; resolves with every run's record once all have stopped (the
   * socket closes after that). `resume`: see {@link ShutdownOptions}.
   */
  shutdown(options?: ShutdownOptions): Promise<RunRecord[]>;
}

const validators = {
  start: compileParamsValidator(CONTROL_PARAMS['agent.start'], startParamsProblem),
  shutdown: compileParamsValidator(CONTROL_PARAMS['system.shutdown']),
  stop: compileParamsValidator(CONTROL_PARAMS['agent.stop']),
  list: compileParamsValidator(CONTROL_PARAMS['agent.list']),
  status: compileParamsValidator(CONTROL_PARAMS['agent.status']),
  logs: compileParamsValidator(CONTROL_PARAMS['agent.logs']),
  send: compileParamsValidator(CONTROL_PARAMS['agent.send']),
  turns: compileParamsValidator(CONTROL_PARAMS['agent.turns']),
  cancel: compileParamsValidator(CONTROL_PARAMS['agent.turn.cancel']),
  answer: compileParamsValidator(CONTROL_PARAMS['agent.permission.answer']),
};

/**
 * Registers the daemon's methods on a connection:
 * `system.ping`, `system.info`, `system.shutdown`,
 * `agent.start`, `agent.stop`, `agent.list`, `agent.status`, `agent.logs`,
 * `agent.send`, `agent.turns`, `agent.turn.cancel`, `agent.permission.answer`.
 */
export function registerControlMethods(connection: RpcConnection, context: ControlContext): void {
  const { supervisor } = context;
  connection.onRequest('system.ping', () => ({
    pong: true,
    pid: process.pid,
    protocolVersion: PROTOCOL_VERSION,
  }));
  connection.onRequest('system.info', () => context.info());
  connection.onRequest(
    'system.shutdown',
    async (params): Promise<ShutdownResult> => {
      const activeRuns = supervisor.activeCount;
      const options = { resume: params?.resume === true };
      if (params?.wait !== true) {
        setImmediate(() => void context.shutdown(options));
        return { stopping: true, activeRuns };
      }
      const runs = await context.shutdown(options);
      return {
        stopping: true,
        activeRuns,
        runs: runs.map(({ runId, name, state, exit }) => ({
          runId,
          name,
          state,
          exit:
            exit === null
              ? null
              : { reason: exit.reason, stopPhase: exit.stopPhase, explanation: exit.explanation },
        })),
      };
    },
    validators.shutdown,
  );

  connection.onRequest(
    'agent.start',
    async (params) => {
      refuseDeep(params.params, '/params');
      const run = await supervisor.start(params);
      // Ended before it was up: no ready, or its setup failed (`setup_done` ok false).
      const setupFailed = run.exit?.evidence?.error !== undefined;
      if (!isActiveState(run.state) && (run.readyAt === null || setupFailed)) {
        throw new RpcError(
          DAEMON_RPC_CODES.START_FAILED,
          `x: ${run.options.kind === 'service' ? 'service' : 'agent'} ${run.name} did not start: ${run.exit?.explanation ?? 'exited before ready'}`,
          { run: clipRun(run) },
        );
      }
      return clipRun(run);
    },
    validators.start,
  );
  connection.onRequest(
    'agent.stop',
    async (params) => clipRun(await supervisor.stop(params.ref, params.stopBudget)),
    validators.stop,
  );
  connection.onRequest(
    'agent.list',
    (params): AgentList =>
      listPage(
        supervisor.list(params).map((run) => ({
          ...run,
          usage: supervisor.usage(run.runId),
          resources: supervisor.resources(run.runId),
        })),
        params.cursor,
        params.limit,
      ),
    validators.list,
  );
  connection.onRequest(
    'agent.status',
    (params): AgentStatus => {
      const run = supervisor.get(params.ref);
      if (run === undefined) {
        throw runNotFound(params.ref);
      }
      return {
        run: clipRun(run),
        recentIterations: supervisor.iterations(run.runId, params.iterations ?? 5),
        lastHeartbeatAt: supervisor.lastHeartbeatAt(run.runId),
        currentIteration: supervisor.currentIteration(run.runId),
        usage: supervisor.runUsage(run),
        resources: supervisor.resources(run.runId),
        persistence: supervisor.persistence,
        ...(run.options.kind === 'service' ? { service: serviceStatus(run) } : {}),
        pendingPermissions: supervisor
          .pendingPermissions(run.runId)
          .map((request) => clipPermission(request, LISTED_FIELD_MAX_BYTES)),
        recentTurns: supervisor
          .turns(run.runId, 5)
          .map((turn) => clipTurn(turn, LISTED_FIELD_MAX_BYTES)),
      };
    },
    validators.status,
  );
  connection.onRequest(
    'agent.logs',
    (params): AgentLogs => {
      const run = supervisor.get(params.ref);
      if (run === undefined) {
        throw runNotFound(params.ref);
      }
      const lines = logWindow(run.logPath, params.lines, params.since);
      let first = lines.length;
      for (let bytes = 0; first > 0; first -= 1) {
        // +3: the quotes and comma around each line in the JSON answer.
        bytes += Buffer.byteLength(lines[first - 1]) + 3;
        if (bytes > LOG_ANSWER_MAX_BYTES) {
          break;
        }
      }
      return {
        runId: run.runId,
        path: run.logPath,
        lines: lines.slice(first),
        omittedLines: first,
      };
    },
    validators.logs,
  );
  connection.onRequest(
    'agent.send',
    async (params) => {
      refuseDeep(params.input, '/input');
      return clipTurn(
        await supervisor.send(params.ref, params.input, {
          wait: params.wait,
          timeoutMs: params.timeoutMs,
        }),
        TURN_FIELD_MAX_BYTES,
      );
    },
    validators.send,
  );
  connection.onRequest(
    'agent.turns',
    (params): AgentTurns => {
      const run = supervisor.get(params.ref);
      if (run === undefined) {
        throw runNotFound(params.ref);
      }
      if (params.turnId === undefined) {
        return {
          runId: run.runId,
          turns: supervisor
            .turns(run.runId, params.limit ?? 20)
            .map((turn) => clipTurn(turn, LISTED_FIELD_MAX_BYTES)),
        };
      }
      const turn = supervisor.turn(run.runId, params.turnId);
      if (turn === undefined) {
        throw turnNotFound(run.runId, params.turnId);
      }
      return { runId: run.runId, turns: [clipTurn(turn, TURN_FIELD_MAX_BYTES)] };
    },
    validators.turns,
  );
  connection.onRequest(
    'agent.turn.cancel',
    (params) =>
      clipTurn(
        supervisor.cancelTurn(params.ref, params.turnId, params.reason),
        TURN_FIELD_MAX_BYTES,
      ),
    validators.cancel,
  );
  connection.onRequest(
    'agent.permission.answer',
    (params) =>
      clipPermission(
        supervisor.answerPermission(params.ref, params.requestId, params.decision, params.reason),
        TURN_FIELD_MAX_BYTES,
      ),
    validators.answer,
  );
}

/**
 * The newest `lines` lines of a run log (default 100), of those logged at or after `since` (ms
 * since the epoch) when given (then default and at most 10 000, LOG_LINES_MAX).
 */
function logWindow(path: string | null, lines?: number, since?: number): string[] {
  if (path === null) {
    return [];
  }
  if (since === undefined) {
    return readLogTail(path, lines ?? 100);
  }
  return linesSince(readLogTail(path, LOG_LINES_MAX), since).slice(-(lines ?? LOG_LINES_MAX));
}

/** Most lines one `agent.logs` answer looks at: 10 000 (its `lines` maximum). */
const LOG_LINES_MAX = 10_000;

/** @throws RpcError -32602 naming `field` when `value` nests deeper than MAX_NESTING_DEPTH. */
function refuseDeep(value: unknown, field: string): void {
  if (nestedDeeperThan(value, MAX_NESTING_DEPTH)) {
    throw new RpcError(
      -32602,
      `Invalid params: ${field} nests objects/arrays more than ${MAX_NESTING_DEPTH} levels deep; flatten it`,
      { field },
    );
  }
}
