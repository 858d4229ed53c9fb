import { Type } from '@sinclair/typebox';
import { PROTOCOL_VERSION, RpcError, type RpcConnection } from '@x/ipc';
import { DAEMON_RPC_CODES, runNotFound, turnNotFound } from '../errors.js';
import {
  HTTP_TARGET_PATTERN,
  PROBE_TARGET_MAX_LENGTH,
  TCP_TARGET_PATTERN,
} from '../health/probe.js';
import { isActiveState } from '../supervisor/run-state.js';
import { serviceStatus, type ServiceStatus } from '../supervisor/service-status.js';
import { readLogTail } from '../logs/run-log.js';
import type { PersistenceHealth } from '../persistence/persistence-guard.js';
import type { FaultCount } from '../process/fault-net.js';
import type { LogStats } from '../process/logger.js';
import type {
  IterationRecord,
  PermissionRecord,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import type { RunnerSupervisor } from '../supervisor/runner-supervisor.js';
import {
  LISTED_FIELD_MAX_BYTES,
  TURN_FIELD_MAX_BYTES,
  clipPermission,
  clipRun,
  clipTurn,
  type Clipped,
} from './clip-fields.js';
import { listPage, type AgentList } from './list-page.js';
import type { UsageTotals } from '../supervisor/budget-policy.js';
import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting-depth.js';
import { compileParamsValidator } from './params-validator.js';
import {
  ARG_MAX_LENGTH,
  ENV_MAX_ENTRIES,
  MAX_BACKOFF_MULTIPLIER,
  MAX_MEMORY_MB,
  MAX_RESTARTS,
  MIN_MEMORY_MB,
  Ms,
  OsString,
  PATH_MAX_LENGTH,
  startParamsProblem,
} from './runtime-limits.js';

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
  /** The run's spend over every attempt (tokens, USD; reports without a cost counted apart). */
  usage: UsageTotals;
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
   * socket closes after that).
   */
  shutdown(): Promise<RunRecord[]>;
}

const Ref = Type.String({ minLength: 1, maxLength: 128 });
const ProbeTiming = {
  intervalMs: Type.Optional(Ms(10)),
  timeoutMs: Type.Optional(Ms(1)),
  failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
};
const Probe = Type.Union(
  [
    Type.Object({
      http: Type.String({
        pattern: HTTP_TARGET_PATTERN,
        maxLength: PROBE_TARGET_MAX_LENGTH,
        description: 'an http:// or https:// URL without NUL bytes',
      }),
      ...ProbeTiming,
    }),
    Type.Object({
      tcp: Type.String({
        pattern: TCP_TARGET_PATTERN,
        description:
          'host:port with a port of 1–65535 (an empty host is 127.0.0.1; an IPv6 host in brackets)',
      }),
      ...ProbeTiming,
    }),
  ],
  { description: 'a probe: { http: url } or { tcp: "host:port" }' },
);
const StopBudget = Type.Object({
  ipcMs: Type.Optional(Ms(0, 3_600_000)),
  sigtermMs: Type.Optional(Ms(0, 3_600_000)),
});

/** Largest `checkpointMaxBytes` a run may ask for: 4 MiB (a checkpoint frame must fit 8 MiB). */
const CHECKPOINT_MAX_BYTES_LIMIT = 4 * 1024 * 1024;

/** USD amounts: finite, at most a billion. */
const Usd = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });

/** A run's budgets in `agent.start`: see RunBudgetOptions. */
export const BudgetParams = Type.Object({
  maxCostUsd: Type.Optional(Usd("the run's cost over every attempt, USD")),
  maxTokens: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'input + output tokens over every attempt',
    }),
  ),
  maxCostPerDayUsd: Type.Optional(Usd("the run's cost within one UTC day, USD")),
  onBudget: Type.Optional(
    Type.Union([Type.Literal('pause'), Type.Literal('stop')], {
      description: 'what reaching a budget does (default pause)',
    }),
  ),
});

/** Params schemas of the control API: the source of `-32602` messages and of the docs. */
export const CONTROL_PARAMS = {
  'agent.start': Type.Object({
    module: Type.Optional(OsString('a path or file: URL', PATH_MAX_LENGTH)),
    command: Type.Optional(
      Type.Array(OsString('a program or argument', ARG_MAX_LENGTH), {
        minItems: 1,
        maxItems: 1000,
      }),
    ),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9._-]+$',
        description: '1-64 characters of A-Z a-z 0-9 . _ -',
      }),
    ),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    intervalMs: Type.Optional(Ms(0)),
    maxIterations: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    stopBudget: Type.Optional(StopBudget),
    cwd: Type.Optional(OsString('a directory', PATH_MAX_LENGTH)),
    env: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[^=\\x00]{1,4096}$' }),
        OsString('a value', ARG_MAX_LENGTH, 0),
        {
          additionalProperties: false,
          maxProperties: ENV_MAX_ENTRIES,
          description: `at most ${ENV_MAX_ENTRIES} variables, each name 1-4096 characters without = or NUL bytes`,
        },
      ),
    ),
    codec: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('msgpack')])),
    restart: Type.Optional(
      Type.Object({
        mode: Type.Optional(
          Type.Union([Type.Literal('no'), Type.Literal('on-failure'), Type.Literal('always')]),
        ),
        backoff: Type.Optional(
          Type.Object({
            initialMs: Type.Optional(Ms(0)),
            multiplier: Type.Optional(Type.Number({ minimum: 1, maximum: MAX_BACKOFF_MULTIPLIER })),
            maxMs: Type.Optional(Ms(0)),
            jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          }),
        ),
        resetAfterMs: Type.Optional(Ms(0)),
        intensity: Type.Optional(
          Type.Object({
            maxRestarts: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: MAX_RESTARTS,
                description: `a run remembers its last ${MAX_RESTARTS} restarts, so a higher limit could never trip`,
              }),
            ),
            periodMs: Type.Optional(Ms(1)),
          }),
        ),
      }),
    ),
    maxMemoryMb: Type.Optional(
      Type.Integer({
        minimum: MIN_MEMORY_MB,
        maximum: MAX_MEMORY_MB,
        description: `MiB, ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} (1 TiB): an empty runner's RSS is about 44 MiB, so a lower limit would kill it as soon as it starts`,
      }),
    ),
    runnerMode: Type.Optional(
      Type.Union([Type.Literal('subprocess'), Type.Literal('thread')], {
        description: 'agent modules only: subprocess, or thread (a worker in the daemon)',
      }),
    ),
    autoApprove: Type.Optional(
      Type.Union([
        Type.Boolean(),
        Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 256 }),
      ]),
    ),
    permissionTimeoutMs: Type.Optional(Ms(1, 7 * 24 * 3_600_000)),
    heartbeatIntervalMs: Type.Optional(Ms(50, 3_600_000)),
    livenessTimeoutMs: Type.Optional(Ms(100, 24 * 3_600_000)),
    budget: Type.Optional(BudgetParams),
    checkpointMaxBytes: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: CHECKPOINT_MAX_BYTES_LIMIT,
        description: 'largest JSON of one checkpoint state, bytes (default 1 MiB, at most 4 MiB)',
      }),
    ),
    from: Type.Optional(
      Type.Object(
        {
          runId: Ref,
          seq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
        },
        { description: "start from this run's checkpoint (its newest, or seq): fork / replay" },
      ),
    ),
    kind: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('service')])),
    probes: Type.Optional(
      Type.Object({
        readiness: Type.Optional(Probe),
        liveness: Type.Optional(Probe),
        readinessTimeoutMs: Type.Optional(Ms(1)),
      }),
    ),
  }),
  'system.shutdown': Type.Object({
    wait: Type.Optional(
      Type.Boolean({
        description:
          "answer only once every run has stopped, with each run's outcome (default: answer at once)",
      }),
    ),
  }),
  'agent.stop': Type.Object({ ref: Ref, stopBudget: Type.Optional(StopBudget) }),
  'agent.list': Type.Object({
    all: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 500, description: 'runs per page (default 500)' }),
    ),
  }),
  'agent.status': Type.Object({
    ref: Ref,
    iterations: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  }),
  'agent.logs': Type.Object({
    ref: Ref,
    lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  }),
  'agent.send': Type.Object({
    ref: Ref,
    input: Type.Optional(Type.Unknown({ description: 'any JSON value' })),
    wait: Type.Optional(Type.Boolean()),
    timeoutMs: Type.Optional(Ms(1)),
  }),
  'agent.turns': Type.Object({
    ref: Ref,
    turnId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  }),
  'agent.turn.cancel': Type.Object({
    ref: Ref,
    turnId: Type.String({ minLength: 1, maxLength: 128 }),
    reason: Type.Optional(Type.String({ maxLength: 4096 })),
  }),
  'agent.permission.answer': Type.Object({
    ref: Ref,
    requestId: Type.String({ minLength: 1, maxLength: 128 }),
    decision: Type.Union([Type.Literal('granted'), Type.Literal('denied')]),
    reason: Type.Optional(Type.String({ maxLength: 4096 })),
  }),
};

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
      if (params?.wait !== true) {
        setImmediate(() => void context.shutdown());
        return { stopping: true, activeRuns };
      }
      const runs = await context.shutdown();
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
        supervisor.list(params).map((run) => ({ ...run, usage: supervisor.usage(run.runId) })),
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
        usage: supervisor.usage(run.runId),
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
      const lines = run.logPath === null ? [] : readLogTail(run.logPath, params.lines ?? 100);
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
