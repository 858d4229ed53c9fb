import { Type } from '@sinclair/typebox';
import {
  HTTP_TARGET_PATTERN,
  PROBE_TARGET_MAX_LENGTH,
  TCP_TARGET_PATTERN,
} from '../health/probe.js';
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
} from './runtime-limits.js';

// The params schemas of the control API, apart from the handlers (control-methods.ts,
// durable-methods.ts): one source of the `-32602` messages, the fuzz test and the docs.

/** A run id or name. */
export const Ref = Type.String({ minLength: 1, maxLength: 128 });
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
/** A run's stop budget: ms of each phase (IPC stop, then SIGTERM). */
export const StopBudget = Type.Object({
  ipcMs: Type.Optional(Ms(0, 3_600_000)),
  sigtermMs: Type.Optional(Ms(0, 3_600_000)),
});

/** Largest `checkpointMaxBytes` a run may ask for: 4 MiB (a checkpoint frame must fit 8 MiB). */
const CHECKPOINT_MAX_BYTES_LIMIT = 4 * 1024 * 1024;

/** USD amounts: finite, at most a billion. */
export const Usd = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });

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
          checkpointId: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 256,
              description:
                'a thread checkpoint (LangGraph checkpoint id) of the run: its thread, up to it, is copied to the new run (not with seq)',
            }),
          ),
        },
        {
          description:
            "start from this run's checkpoint (its newest, or seq, or a thread checkpoint): fork / replay",
        },
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
    resume: Type.Optional(
      Type.Boolean({
        description:
          'runs with a restart policy (other than "no") come back when a daemon starts again on this state directory, from their newest checkpoint (default: false, they stay stopped; a SIGTERM or SIGINT to the daemon resumes them)',
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
    lines: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: 'the newest lines to answer (default 100; with since, 10 000)',
      }),
    ),
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 8.64e15,
        description: 'only lines logged at or after this time, ms since the Unix epoch',
      }),
    ),
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
