import { Type, type Static } from '@sinclair/typebox';

/** Parts shared by the messages of both directions (see schema.ts). */

export const RunId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Run id assigned by the supervisor.',
});
export const DurationMs = (description: string) => Type.Integer({ minimum: 0, description });
export const Codec = Type.Union([Type.Literal('jsonl'), Type.Literal('msgpack')], {
  description: 'Framing in use on this channel.',
});

export const CheckpointSeq = (description: string) => Type.Integer({ minimum: 1, description });
export const CheckpointState = (description: string) => Type.Unknown({ description });

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

export const modelPricesOf = (description: string) =>
  Type.Record(
    Type.String({ minLength: 1, maxLength: 256, description: 'The model id (`gpt-4o-mini`).' }),
    ModelPrice,
    { maxProperties: MODEL_PRICES_MAX_MODELS, description },
  );

export const ModelPrices = modelPricesOf("An operator's prices by model id (at most 1000 models).");

export const TurnId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Turn id assigned by the submitter; unique within the run.',
});
export const RequestId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Permission request id assigned by the runner (`p-1`, `p-2`, …); unique within the attempt (a new attempt may start again at `p-1`).',
});
export const CheckpointRequestId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Checkpoint request id assigned by the runner (`c-1`, `c-2`, …); unique within the attempt.',
});

export type RestoredCheckpoint = Static<typeof RestoredCheckpoint>;
export type ModelPrice = Static<typeof ModelPrice>;
export type ModelPrices = Static<typeof ModelPrices>;
