import { Type, type Static } from '@sinclair/typebox';
import {
  RunId,
  DurationMs,
  Codec,
  CheckpointSeq,
  RestoredCheckpoint,
  TurnId,
  RequestId,
  CheckpointRequestId,
  modelPricesOf,
} from './schema-common.js';
import { StoreResultMessage } from './store-messages.js';
import { BudgetStateMessage, UsageAckMessage } from './usage-messages.js';

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

export type InitMessage = Static<typeof InitMessage>;
export type StopMessage = Static<typeof StopMessage>;
export type SupervisorMessage = Static<typeof SupervisorMessage>;
export type TurnMessage = Static<typeof TurnMessage>;
export type TurnCancelMessage = Static<typeof TurnCancelMessage>;
export type PermissionDecision = Static<typeof PermissionDecision>;
export type PermissionResponseMessage = Static<typeof PermissionResponseMessage>;
export type CheckpointAckMessage = Static<typeof CheckpointAckMessage>;
export type PauseMessage = Static<typeof PauseMessage>;
export type ResumeMessage = Static<typeof ResumeMessage>;
