import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StoreMessage, StoreResultMessage } from './store-messages.js';
import { BudgetStateMessage, TurnUsage, UsageAckMessage } from './usage-messages.js';

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

const RunId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Run id assigned by the supervisor.',
});
const DurationMs = (description: string) => Type.Integer({ minimum: 0, description });
const Codec = Type.Union([Type.Literal('jsonl'), Type.Literal('msgpack')], {
  description: 'Framing in use on this channel.',
});

const CheckpointSeq = (description: string) => Type.Integer({ minimum: 1, description });
const CheckpointState = (description: string) => Type.Unknown({ description });

export const RestoredCheckpoint = Type.Object(
  {
    seq: CheckpointSeq('Sequence number of the checkpoint within its run (1, 2, …).'),
    state: CheckpointState('The state the agent saved (`checkpoint.state`), any JSON value.'),
    attempt: Type.Integer({
      minimum: 1,
      description: 'The attempt of the run (1-based) whose runner saved it.',
    }),
    savedAt: Type.Integer({
      minimum: 0,
      description: 'When the supervisor stored it, ms since the Unix epoch.',
    }),
  },
  {
    description:
      "Optional: the newest acknowledged checkpoint of the run, which the agent resumes from: sent in every attempt after one was saved, and in the first attempt of a run started from another run's checkpoint. Absent: start afresh.",
  },
);

/** The most models an operator may price (`init.modelPrices`, `modelPrices` of x.config.json): 1000. */
export const MODEL_PRICES_MAX_MODELS = 1000;

const UsdPerMTok = (description: string) => Type.Number({ minimum: 0, description });

export const ModelPrice = Type.Object(
  {
    inputUsdPerMTok: UsdPerMTok('US dollars per million input (prompt) tokens.'),
    outputUsdPerMTok: UsdPerMTok('US dollars per million output (completion) tokens.'),
    cacheReadUsdPerMTok: Type.Optional(
      UsdPerMTok(
        'US dollars per million input tokens read from the prompt cache. Absent: `inputUsdPerMTok`.',
      ),
    ),
    cacheWriteUsdPerMTok: Type.Optional(
      UsdPerMTok(
        'US dollars per million input tokens written to the prompt cache. Absent: `inputUsdPerMTok`.',
      ),
    ),
  },
  { description: "An operator's price of one model, overriding the price catalog." },
);

const modelPricesOf = (description: string) =>
  Type.Record(
    Type.String({ minLength: 1, maxLength: 256, description: 'The model id (`gpt-4o-mini`).' }),
    ModelPrice,
    { maxProperties: MODEL_PRICES_MAX_MODELS, description },
  );

export const ModelPrices = modelPricesOf("An operator's prices by model id (at most 1000 models).");

// ---------------------------------------------------------------------------
// Supervisor → runner

export const InitMessage = Type.Object(
  {
    type: Type.Literal('init'),
    protocolVersion: Type.Integer({
      minimum: 1,
      description: 'Protocol version the supervisor speaks.',
    }),
    codec: Codec,
    runId: RunId,
    name: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'Human name of the agent run.',
    }),
    module: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Agent module to load: absolute path or file: URL. Absent for command runners.',
      }),
    ),
    params: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Agent parameters, free-form JSON object.',
    }),
    intervalMs: DurationMs('Pause between the end of one iteration and the start of the next.'),
    maxIterations: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Stop after this many iterations (exit reason `max_iterations`).',
      }),
    ),
    heartbeatIntervalMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'How often the runner sends `heartbeat`. Absent: no heartbeats.',
      }),
    ),
    restored: Type.Optional(RestoredCheckpoint),
    checkpointMaxBytes: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Optional: the largest `checkpoint.state` the supervisor stores, as the UTF-8 bytes of its JSON text; it refuses a larger one. Absent: 1 048 576 (1 MiB).',
      }),
    ),
    storeMaxBytes: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "Optional: the supervisor keeps the run's records (`store`, `store_result`), up to this many bytes in all (keys and the UTF-8 bytes of the values' JSON text); it refuses a write past it. Absent: it does not, and a runner sends no `store`.",
      }),
    ),
    paused: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          'Optional: the run is paused (a budget reached, or an operator), with why: a runner announcing `capabilities.pause` starts no iteration or turn until `resume`, from its first one on (the supervisor also sends `pause` after `ready`, for runners that do not read this field).',
      }),
    ),
    modelPrices: Type.Optional(
      modelPricesOf(
        "Optional: the operator's prices by model id (`modelPrices` of the daemon's x.config.json; at most 1000 models), which win over the price catalog (and over prices given in the agent's code) wherever the runner computes a model call's cost (`ctx.modelPrices`, used by x's framework adapters). Absent: none.",
      ),
    ),
    budgeted: Type.Optional(
      Type.Boolean({
        description:
          "Optional: whether a budget applies to the run (a limit of its own or the supervisor's); its presence also says that the supervisor answers `usage.ack` with `usage_ack`. True: a runner that must see a `pause` its last `usage` caused before it spends again asks for an ack. False: no report can pause the run, and the runner need not wait (until a `budget_state` says otherwise). Absent: the supervisor does not say, and a runner sends no `usage.ack`.",
      }),
    ),
  },
  {
    description:
      'First message on the channel, sent by the supervisor right after spawning the runner.',
  },
);

export const StopMessage = Type.Object(
  {
    type: Type.Literal('stop'),
    graceMs: DurationMs(
      'How long the runner may take to finish its current iteration and exit before it is signalled.',
    ),
    reason: Type.Optional(Type.String({ description: 'Why the stop was asked, for logs.' })),
  },
  {
    description:
      'Asks the runner to stop cooperatively: abort, finish the iteration, send `exit`, exit 0.',
  },
);

const TurnId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Turn id assigned by the submitter; unique within the run.',
});
const RequestId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Permission request id assigned by the runner (`p-1`, `p-2`, …); unique within the attempt (a new attempt may start again at `p-1`).',
});
const CheckpointRequestId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Checkpoint request id assigned by the runner (`c-1`, `c-2`, …); unique within the attempt.',
});

export const TurnMessage = Type.Object(
  {
    type: Type.Literal('turn'),
    turnId: TurnId,
    input: Type.Optional(
      Type.Unknown({
        description: "Any JSON value: the work submitted to the agent's `turn(input, ctx)`.",
      }),
    ),
  },
  {
    description:
      'Submits an input to a running agent. Turns run one at a time, in the order received.',
  },
);

export const TurnCancelMessage = Type.Object(
  {
    type: Type.Literal('turn_cancel'),
    turnId: TurnId,
    reason: Type.Optional(Type.String()),
  },
  {
    description:
      'Cancels a queued or running turn; the runner answers with `turn_result` status `cancelled`.',
  },
);

export const PermissionDecision = Type.Union([Type.Literal('granted'), Type.Literal('denied')]);

export const PermissionResponseMessage = Type.Object(
  {
    type: Type.Literal('permission_response'),
    requestId: RequestId,
    decision: PermissionDecision,
    reason: Type.Optional(
      Type.String({ description: 'Why, for the agent and the logs (e.g. `timeout`).' }),
    ),
  },
  { description: 'Answers a `permission_request`.' },
);

export const CheckpointAckMessage = Type.Object(
  {
    type: Type.Literal('checkpoint_ack'),
    requestId: CheckpointRequestId,
    ok: Type.Boolean({
      description:
        'True once the checkpoint is stored durably (it survives a crash of the runner and of the supervisor); false when it was refused.',
    }),
    seq: Type.Optional(
      CheckpointSeq(
        'With `ok: true`: the sequence number given to the checkpoint within its run (1, 2, …, in the order stored).',
      ),
    ),
    savedAt: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'With `ok: true`: when it was stored, ms since the Unix epoch.',
      }),
    ),
    error: Type.Optional(
      Type.String({
        maxLength: 4096,
        description:
          'With `ok: false`: why it was refused, for the agent (e.g. `state is 2 097 152 bytes of JSON, over checkpointMaxBytes 1 048 576`, `disk full`).',
      }),
    ),
  },
  {
    description:
      'Optional: answers one `checkpoint`, matched by `requestId`. Sent only to a runner that sent `checkpoint`.',
  },
);

export const PauseMessage = Type.Object(
  {
    type: Type.Literal('pause'),
    reason: Type.String({
      maxLength: 1024,
      description: 'Why, for the agent and the logs (e.g. `budget reached: $5.00`).',
    }),
  },
  {
    description:
      'Optional, sent only to a runner whose `ready` says `capabilities.pause: true`: finish the iteration or turn in progress, then start none until `resume`; keep heartbeating and reading messages.',
  },
);

export const ResumeMessage = Type.Object(
  { type: Type.Literal('resume') },
  {
    description:
      'Optional, sent only to a runner whose `ready` says `capabilities.pause: true`: ends a `pause`; iterations and queued turns start again.',
  },
);

export const SupervisorMessage = Type.Union([
  InitMessage,
  StopMessage,
  TurnMessage,
  TurnCancelMessage,
  PermissionResponseMessage,
  CheckpointAckMessage,
  PauseMessage,
  ResumeMessage,
  StoreResultMessage,
  BudgetStateMessage,
  UsageAckMessage,
]);

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

export type InitMessage = Static<typeof InitMessage>;
export type StopMessage = Static<typeof StopMessage>;
export type SupervisorMessage = Static<typeof SupervisorMessage>;
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
export type TurnMessage = Static<typeof TurnMessage>;
export type TurnCancelMessage = Static<typeof TurnCancelMessage>;
export type PermissionDecision = Static<typeof PermissionDecision>;
export type PermissionResponseMessage = Static<typeof PermissionResponseMessage>;
export type TurnResultMessage = Static<typeof TurnResultMessage>;
export type PermissionRequestMessage = Static<typeof PermissionRequestMessage>;
export type PermissionCancelMessage = Static<typeof PermissionCancelMessage>;
export type ErrorDetail = Static<typeof ErrorDetail>;
export type SetupDoneMessage = Static<typeof SetupDoneMessage>;
export type RestoredCheckpoint = Static<typeof RestoredCheckpoint>;
export type CheckpointAckMessage = Static<typeof CheckpointAckMessage>;
export type PauseMessage = Static<typeof PauseMessage>;
export type ResumeMessage = Static<typeof ResumeMessage>;
export type CheckpointMessage = Static<typeof CheckpointMessage>;
export type UsageMessage = Static<typeof UsageMessage>;
export type ModelPrice = Static<typeof ModelPrice>;
export type ModelPrices = Static<typeof ModelPrices>;
