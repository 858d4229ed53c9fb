import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StoreMessage, StoreResultMessage } from './store-messages.js';
import { BudgetStateMessage, TurnUsage, UsageAckMessage } from './usage-messages.js';
import {
  DurationMs,
  Codec,
  CheckpointState,
  TurnId,
  RequestId,
  CheckpointRequestId,
} from './schema-common.js';
import {
  InitMessage,
  StopMessage,
  TurnMessage,
  TurnCancelMessage,
  PermissionResponseMessage,
  CheckpointAckMessage,
  PauseMessage,
  ResumeMessage,
} from './supervisor-messages.js';

/**
 * Runner protocol v1: every message the supervisor and a runner exchange.
 *
 * Conventions (one dialect, documented once):
 * - every message is an object with a `type` field in snake_case (`iteration_done`);
 * - every other field is camelCase (`runId`, `durationMs`);
 * - durations are integers in milliseconds and end in `Ms`; sizes end in `Bytes`;
 * - timestamps are integers in milliseconds since the Unix epoch and end in `At`;
 * - unknown fields are ignored by receivers, so adding an optional field is compatible;
 * - a message of an unknown `type` is reported and skipped, never fatal, so a peer may send
 *   newer optional messages; anything else (a new required field, a changed meaning) is a
 *   new `PROTOCOL_VERSION`, and peers of different versions refuse each other at the handshake.
 *
 * This module is the single source: the TypeScript types below and the runtime validators in
 * `validate.ts` are derived from these definitions, and each definition *is* a JSON Schema
 * object (TypeBox), exported by type in `MESSAGE_SCHEMAS` for docs and other languages.
 */

export { PROTOCOL_VERSION } from './protocol-version.js';
export * from './store-messages.js';
export * from './usage-messages.js';
export * from './supervisor-messages.js';
export {
  MODEL_PRICES_MAX_MODELS,
  ModelPrice,
  ModelPrices,
  RestoredCheckpoint,
} from './schema-common.js';

// ---------------------------------------------------------------------------
// Runner → supervisor

export const ErrorDetail = Type.Object(
  {
    name: Type.String({
      maxLength: 256,
      description:
        'Class name of what was thrown (`TypeError`, `ConfigError`); `NonError` for a thrown value that is not an Error.',
    }),
    message: Type.String({
      maxLength: 65536,
      description:
        'The error message; for a thrown non-Error, its text: a string as is, anything else as JSON (`{"code":"E1"}`).',
    }),
    stack: Type.Optional(
      Type.String({
        maxLength: 16384,
        description: 'The stack trace as the runtime prints it, cut to 16 384 characters.',
      }),
    ),
    code: Type.Optional(
      Type.String({
        maxLength: 256,
        description: "The error's string `code` (`ECONNREFUSED`, `X_AGENT_CONFIG`), if it has one.",
      }),
    ),
    config: Type.Optional(
      Type.Boolean({
        description:
          'True for a configuration error that a restart cannot fix (`code` `X_AGENT_CONFIG`); the runner then exits 78 (EX_CONFIG).',
      }),
    ),
  },
  {
    description:
      'ErrorDetail: what was thrown, whole (name, message, stack, code). Optional; the same shape in `iteration_done` and `turn_result` (status `error`, next to the one-line `error`) and in `setup_done` (`ok: false`).',
  },
);

export const ReadyMessage = Type.Object(
  {
    type: Type.Literal('ready'),
    protocolVersion: Type.Integer({
      minimum: 1,
      description: 'Echo of the version the runner speaks.',
    }),
    codec: Codec,
    pid: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Process id of the runner, if it is a process.' }),
    ),
    capabilities: Type.Optional(
      Type.Object(
        {
          steps: Type.Optional(
            Type.Boolean({ description: 'The agent runs iterations (`step`).' }),
          ),
          turns: Type.Optional(Type.Boolean({ description: 'The agent accepts `turn` messages.' })),
          setup: Type.Optional(
            Type.Boolean({
              description:
                'The runner sends one `setup_done` after its setup (optional message); a supervisor may wait for it to report the start.',
            }),
          ),
          checkpoints: Type.Optional(
            Type.Boolean({
              description:
                'The runner may send `checkpoint` and reads `checkpoint_ack` (optional messages), and reads `init.restored`.',
            }),
          ),
          pause: Type.Optional(
            Type.Boolean({
              description:
                'The runner obeys `pause` and `resume` (optional messages); a supervisor sends them to no other runner.',
            }),
          ),
          retryTurns: Type.Optional(
            Type.Boolean({
              description:
                'The agent declared its turns idempotent: a turn that was running when its runner died may be run once more, by the next attempt.',
            }),
          ),
          usageAcks: Type.Optional(
            Type.Boolean({
              description:
                'The runner reads `init.budgeted` and `budget_state` (optional message), and may ask for `usage_ack`; a supervisor sends `budget_state` to no other runner.',
            }),
          ),
        },
        { description: 'What the agent can do; absent fields mean false.' },
      ),
    ),
  },
  { description: 'Handshake reply: the runner loaded its agent and is ready to run.' },
);

export const HeartbeatMessage = Type.Object(
  {
    type: Type.Literal('heartbeat'),
    at: Type.Integer({ minimum: 0, description: 'Runner clock, ms since the Unix epoch.' }),
  },
  { description: 'Liveness signal, sent every `heartbeatIntervalMs`.' },
);

export const IterationStartMessage = Type.Object(
  {
    type: Type.Literal('iteration_start'),
    iteration: Type.Integer({
      minimum: 1,
      description:
        '1-based iteration number within the attempt: unique in it (`x runner --pipe` counts each attempt from 1); the supervisor keeps one iteration per attempt and number.',
    }),
    startedAt: Type.Integer({ minimum: 0, description: 'ms since the Unix epoch.' }),
  },
  { description: 'An iteration began.' },
);

export const Usage = Type.Object(
  {
    inputTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    outputTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    costUsd: Type.Optional(Type.Number({ minimum: 0, description: 'Cost in US dollars.' })),
  },
  { description: 'Resource usage an agent reports for one iteration.' },
);

export const IterationDoneMessage = Type.Object(
  {
    type: Type.Literal('iteration_done'),
    iteration: Type.Integer({
      minimum: 1,
      description:
        '1-based iteration number within the attempt: unique in it (`x runner --pipe` counts each attempt from 1); the supervisor keeps one iteration per attempt and number.',
    }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    durationMs: DurationMs('Wall time of the iteration.'),
    summary: Type.Optional(
      Type.String({ maxLength: 65536, description: 'One-line result for humans.' }),
    ),
    error: Type.Optional(
      Type.String({ maxLength: 65536, description: 'Error message when status is `error`.' }),
    ),
    errorDetail: Type.Optional(ErrorDetail),
    usage: Type.Optional(Usage),
  },
  { description: 'An iteration finished. The supervisor persists it before publishing it.' },
);

export const LogLevel = Type.Union([
  Type.Literal('debug'),
  Type.Literal('info'),
  Type.Literal('warn'),
  Type.Literal('error'),
]);

export const LogMessage = Type.Object(
  {
    type: Type.Literal('log'),
    level: LogLevel,
    message: Type.String({ maxLength: 65536 }),
  },
  { description: 'A structured log line from the agent (`ctx.log`).' },
);

export const NotifyMessage = Type.Object(
  {
    type: Type.Literal('notify'),
    payload: Type.Optional(
      Type.Unknown({
        description: 'Any JSON value the agent wants to publish (absent when undefined).',
      }),
    ),
  },
  { description: 'An application event from the agent (`ctx.notify`).' },
);

export const ErrorMessage = Type.Object(
  {
    type: Type.Literal('error'),
    message: Type.String(),
    code: Type.Optional(Type.String()),
    fatal: Type.Boolean({ description: 'True when the runner is about to exit because of it.' }),
  },
  { description: 'The runner reports an error that is not tied to one iteration.' },
);

export const ExitReason = Type.Union(
  [
    Type.Literal('done'),
    Type.Literal('max_iterations'),
    Type.Literal('stopped'),
    Type.Literal('error'),
  ],
  { description: 'Why the runner is exiting.' },
);

export const ExitMessage = Type.Object(
  {
    type: Type.Literal('exit'),
    reason: ExitReason,
    iterations: Type.Integer({ minimum: 0, description: 'Iterations completed in this process.' }),
    summary: Type.Optional(Type.String({ maxLength: 65536 })),
  },
  { description: 'Last message of a runner before it exits on its own accord.' },
);

export const TurnResultMessage = Type.Object(
  {
    type: Type.Literal('turn_result'),
    turnId: TurnId,
    status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('cancelled')]),
    output: Type.Optional(Type.Unknown({ description: 'What `turn` returned (status `ok`).' })),
    error: Type.Optional(
      Type.String({
        maxLength: 65536,
        description: 'Error message (status `error`) or cancel reason.',
      }),
    ),
    durationMs: DurationMs(
      'Wall time from the start of the turn (0 when cancelled before it started).',
    ),
    errorDetail: Type.Optional(ErrorDetail),
    usage: Type.Optional(TurnUsage),
  },
  { description: 'The result of one turn. Every `turn` gets exactly one `turn_result`.' },
);

export const PermissionRequestMessage = Type.Object(
  {
    type: Type.Literal('permission_request'),
    requestId: RequestId,
    tool: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'What the agent wants to use (a tool or action name).',
    }),
    input: Type.Optional(Type.Unknown({ description: 'The arguments it wants to use it with.' })),
    rationale: Type.Optional(
      Type.String({ maxLength: 65536, description: 'Why, in the agent’s words.' }),
    ),
  },
  {
    description:
      'The agent asks for permission; the supervisor answers with `permission_response`.',
  },
);

export const PermissionCancelMessage = Type.Object(
  {
    type: Type.Literal('permission_cancel'),
    requestId: RequestId,
    reason: Type.Optional(
      Type.String({
        maxLength: 65536,
        description: 'Why the runner stopped waiting (e.g. `the turn was cancelled`).',
      }),
    ),
  },
  {
    description:
      'Optional: the runner withdraws a `permission_request` it no longer waits for (its turn was cancelled, the run is stopping or ending) and has already treated as denied; the supervisor records it denied and sends no `permission_response`. A supervisor that does not know this message skips it without fault (unknown types are never fatal).',
  },
);

export const SetupDoneMessage = Type.Object(
  {
    type: Type.Literal('setup_done'),
    ok: Type.Boolean({
      description: 'True when setup finished; false when it threw (or the run was stopped first).',
    }),
    error: Type.Optional(ErrorDetail),
  },
  {
    description:
      "Optional, announced by `ready.capabilities.setup: true`: sent once, after the agent's setup ended (at once after `ready` when it has none). With `ok: false` the runner goes on to send `error`, `exit` reason `error`, and exits 1 (78 when `error.config`). A supervisor that does not know this message skips it without fault (unknown types are never fatal).",
  },
);

export const CheckpointMessage = Type.Object(
  {
    type: Type.Literal('checkpoint'),
    requestId: CheckpointRequestId,
    state: CheckpointState(
      'Any JSON value: what the agent needs to resume from here (`ctx.checkpoint(state)`). Its JSON text is at most `init.checkpointMaxBytes` UTF-8 bytes.',
    ),
    iteration: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'The iteration in which it was taken (1-based); 0 in setup, teardown and turns.',
      }),
    ),
  },
  {
    description:
      "Optional, announced by `ready.capabilities.checkpoints: true`: the agent's state, to be stored durably; the supervisor answers each with one `checkpoint_ack`. A supervisor that does not know this message skips it without fault (unknown types are never fatal) and never answers it.",
  },
);

export const UsageMessage = Type.Object(
  {
    type: Type.Literal('usage'),
    inputTokens: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens spent.' })),
    outputTokens: Type.Optional(Type.Integer({ minimum: 0, description: 'Output tokens spent.' })),
    costUsd: Type.Optional(Type.Number({ minimum: 0, description: 'Cost in US dollars.' })),
    model: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'The model that spent them (e.g. `gpt-4o-mini`), if the agent says.',
      }),
    ),
    ack: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Optional: asks the supervisor to answer with `usage_ack {ack}` once it has counted this report against the budgets. Sent only to a supervisor whose `init` has `budgeted`; numbers grow within the attempt (1, 2, …).',
      }),
    ),
    turnId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description:
          "Optional: the turn that spent it, reported at once rather than only in the turn's `turn_result.usage` (which then says `counted: true`). Sent only to a supervisor whose `init` has `budgeted`.",
      }),
    ),
  },
  {
    description:
      "Optional: usage spent at any moment (one LLM call of a step, of setup or of a turn), added by the supervisor to the run's totals. Never the same usage as an `iteration_done.usage` or a `turn_result.usage` (but for one with `counted: true`): they add up. A supervisor that does not know this message skips it without fault.",
  },
);

export const RunnerMessage = Type.Union([
  ReadyMessage,
  HeartbeatMessage,
  IterationStartMessage,
  IterationDoneMessage,
  LogMessage,
  NotifyMessage,
  ErrorMessage,
  ExitMessage,
  TurnResultMessage,
  PermissionRequestMessage,
  PermissionCancelMessage,
  SetupDoneMessage,
  CheckpointMessage,
  UsageMessage,
  StoreMessage,
]);

/** Every message schema by its `type`, for docs and generic tooling. */
export const MESSAGE_SCHEMAS: Readonly<Record<string, TSchema>> = {
  init: InitMessage,
  stop: StopMessage,
  ready: ReadyMessage,
  heartbeat: HeartbeatMessage,
  iteration_start: IterationStartMessage,
  iteration_done: IterationDoneMessage,
  log: LogMessage,
  notify: NotifyMessage,
  error: ErrorMessage,
  exit: ExitMessage,
  turn: TurnMessage,
  turn_cancel: TurnCancelMessage,
  permission_response: PermissionResponseMessage,
  turn_result: TurnResultMessage,
  permission_request: PermissionRequestMessage,
  permission_cancel: PermissionCancelMessage,
  setup_done: SetupDoneMessage,
  checkpoint_ack: CheckpointAckMessage,
  pause: PauseMessage,
  resume: ResumeMessage,
  checkpoint: CheckpointMessage,
  usage: UsageMessage,
  store: StoreMessage,
  store_result: StoreResultMessage,
  budget_state: BudgetStateMessage,
  usage_ack: UsageAckMessage,
};

export type ReadyMessage = Static<typeof ReadyMessage>;
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;
export type IterationStartMessage = Static<typeof IterationStartMessage>;
export type Usage = Static<typeof Usage>;
export type IterationDoneMessage = Static<typeof IterationDoneMessage>;
export type LogLevel = Static<typeof LogLevel>;
export type LogMessage = Static<typeof LogMessage>;
export type NotifyMessage = Static<typeof NotifyMessage>;
export type ErrorMessage = Static<typeof ErrorMessage>;
export type ExitReason = Static<typeof ExitReason>;
export type ExitMessage = Static<typeof ExitMessage>;
export type RunnerMessage = Static<typeof RunnerMessage>;
export type TurnResultMessage = Static<typeof TurnResultMessage>;
export type PermissionRequestMessage = Static<typeof PermissionRequestMessage>;
export type PermissionCancelMessage = Static<typeof PermissionCancelMessage>;
export type ErrorDetail = Static<typeof ErrorDetail>;
export type SetupDoneMessage = Static<typeof SetupDoneMessage>;
export type CheckpointMessage = Static<typeof CheckpointMessage>;
export type UsageMessage = Static<typeof UsageMessage>;
