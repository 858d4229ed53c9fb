import { Type, type Static } from '@sinclair/typebox';

/**
 * Runner protocol v1, optional additions: budgets seen from the runner (`budget_state`,
 * `usage_ack`) and a turn's usage by model (`turn_result.usage.models`).
 *
 * A runner about to spend (a model call) must see a `pause` that its last `usage` report
 * caused, or a run goes over its budget by more than one call. A supervisor that offers this
 * says in `init.budgeted` whether a budget applies to the run at all (its own or the
 * supervisor's), and sends `budget_state` when that changes to a runner that announced
 * `ready.capabilities.usageAcks`. A runner under no budget never waits; under one, it asks for
 * a `usage_ack` in its `usage` report (`usage.ack`) and, before its next spend, waits for it:
 * the supervisor handles messages in order and sends the `pause` a report caused before the
 * ack. An ack may carry the run's headroom, within which the runner need not wait at all. A runner asks for acks only from a supervisor whose `init` has `budgeted` (one that
 * does not know `usage_ack` never sends it). Re-exported by `schema.ts`, which puts the
 * messages in the direction unions.
 */

/** Most entries in `turn_result.usage.models`: 64. */
export const TURN_USAGE_MAX_MODELS = 64;

const UsageAckNumber = (description: string) => Type.Integer({ minimum: 1, description });

export const BudgetStateMessage = Type.Object(
  {
    type: Type.Literal('budget_state'),
    budgeted: Type.Boolean({
      description:
        "True when a budget applies to the run now (a limit of its own or the supervisor's): the runner asks for `usage_ack` from now on; false: it need not.",
    }),
  },
  {
    description:
      'Optional, sent only to a runner whose `ready` says `capabilities.usageAcks: true`: whether a budget applies to the run changed since `init.budgeted` or the last `budget_state` (a budget set or removed while it runs, a resume with a new budget); also sent with `budgeted: true` when the limits of a budgeted run change: a `usage_ack.headroom` received before it no longer holds.',
  },
);

export const UsageHeadroom = Type.Object(
  {
    costUsd: Type.Optional(
      Type.Number({
        minimum: 0,
        description: 'US dollars. Absent: no cost limit applies.',
      }),
    ),
    tokens: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Input + output tokens. Absent: no token limit applies.',
      }),
    ),
  },
  {
    description:
      'How much more the run may spend, beyond every report counted so far (this one included), before one of its limits is reached. A runner whose `usage` reports sent after the acknowledged one add up to less than both (cost: by more than $0.000001) knows that none of them can have caused a `pause`, and need not wait for their acks. It holds until the next `usage_ack` or `budget_state`, and only for the reports of `usage` messages: a runner that sends usage in `iteration_done` or `turn_result` drops it.',
  },
);

export const UsageAckMessage = Type.Object(
  {
    type: Type.Literal('usage_ack'),
    ack: UsageAckNumber('The `ack` of the `usage` report it answers.'),
    headroom: Type.Optional(UsageHeadroom),
  },
  {
    description:
      'Optional: answers a `usage` report that has `ack`, once the supervisor has counted it against the budgets; a `pause` the report caused was sent before it. Sent only to a runner that asked.',
  },
);

export const ModelUsage = Type.Object(
  {
    model: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'The model that spent it (e.g. `gpt-4o-mini`). Absent: reports naming none.',
      }),
    ),
    inputTokens: Type.Optional(Type.Integer({ minimum: 0, description: 'Input tokens spent.' })),
    outputTokens: Type.Optional(Type.Integer({ minimum: 0, description: 'Output tokens spent.' })),
    costUsd: Type.Optional(
      Type.Number({
        minimum: 0,
        description:
          "Cost in US dollars. Absent: the reports gave none (the model's price is unknown).",
      }),
    ),
  },
  {
    description:
      'Usage of one model within a turn, from reports that all gave a cost or all gave none.',
  },
);

export const TurnUsage = Type.Object(
  {
    inputTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    outputTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    costUsd: Type.Optional(Type.Number({ minimum: 0, description: 'Cost in US dollars.' })),
    counted: Type.Optional(
      Type.Boolean({
        description:
          "Optional: true when this usage was already reported, call by call, in `usage` messages naming the turn (`usage.turnId`): the supervisor keeps it with the turn and does not add it to the run's totals again. Sent only to a supervisor whose `init` has `budgeted`. Absent: false.",
      }),
    ),
    models: Type.Optional(
      Type.Array(ModelUsage, {
        maxItems: TURN_USAGE_MAX_MODELS,
        description:
          'Optional: the same usage split by model, and by whether a cost was given (a model may have two entries): the entries add up to the fields above. A supervisor that knows this field counts the entries, one report each, instead of the sums, so a model without a price is known by name; one that does not ignores it. At most 64 entries.',
      }),
    ),
  },
  { description: 'Resource usage an agent reports for one turn.' },
);

export type BudgetStateMessage = Static<typeof BudgetStateMessage>;
export type UsageAckMessage = Static<typeof UsageAckMessage>;
export type UsageHeadroom = Static<typeof UsageHeadroom>;
export type ModelUsage = Static<typeof ModelUsage>;
export type TurnUsage = Static<typeof TurnUsage>;
