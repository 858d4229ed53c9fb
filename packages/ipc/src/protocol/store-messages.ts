import { Type, type Static } from '@sinclair/typebox';

/**
 * Runner protocol v1, optional additions: the run's record store (`store` / `store_result`).
 *
 * A durable key-value store per run, for what does not fit the newest-state model of
 * `checkpoint` (a LangGraph thread's whole history of checkpoints and pending writes, a
 * conversation log): JSON values under `(namespace, key)`, read and written in batches of
 * operations that the supervisor applies in one SQLite transaction and answers only once it
 * is committed durably. A supervisor announces it with `init.storeMaxBytes`; a runner sends
 * `store` to no other supervisor (one that does not know the message skips it and never
 * answers). Re-exported by `schema.ts`, which puts the messages in the direction unions.
 */

const StoreRequestId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Store request id assigned by the runner (`s-1`, `s-2`, …); unique within the attempt.',
});
const Namespace = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'Namespace of the records (e.g. `langgraph`), chosen by the agent.',
});
const Key = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Key of a record within its namespace; records are listed in key order (binary).',
});
const KeyBound = (description: string) => Type.String({ maxLength: 1024, description });

/** Largest number of operations in one `store` message. */
export const STORE_MAX_OPS = 1000;
/** Largest `limit` of one `list` operation, and its default. */
export const STORE_LIST_MAX_LIMIT = 1000;

export const StorePutOp = Type.Object(
  {
    op: Type.Literal('put'),
    ns: Namespace,
    key: Key,
    value: Type.Unknown({
      description:
        'Any JSON value (bytes as a base64 string, by convention of the agent). Its JSON text counts against `init.storeMaxBytes`, with its key.',
    }),
    ifAbsent: Type.Optional(
      Type.Boolean({
        description:
          'Write only if the key holds no record (the first write wins); the result says whether it wrote.',
      }),
    ),
  },
  { description: 'Writes one record (replacing the one under its key, unless `ifAbsent`).' },
);

export const StoreGetOp = Type.Object(
  { op: Type.Literal('get'), ns: Namespace, key: Key },
  { description: 'Reads one record.' },
);

export const StoreListOp = Type.Object(
  {
    op: Type.Literal('list'),
    ns: Namespace,
    prefix: Type.Optional(KeyBound('Only keys that start with this. Absent: every key.')),
    after: Type.Optional(KeyBound('Only keys greater than this (exclusive).')),
    before: Type.Optional(KeyBound('Only keys less than this (exclusive).')),
    reverse: Type.Optional(
      Type.Boolean({ description: 'Descending key order. Absent: ascending.' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: STORE_LIST_MAX_LIMIT,
        description: 'At most this many records. Absent: 1000.',
      }),
    ),
    keysOnly: Type.Optional(Type.Boolean({ description: 'Return keys and sizes without values.' })),
  },
  {
    description:
      'Reads records of a namespace in key order, a page at a time: the result says whether more follow (continue with `after`, or `before` when `reverse`, set to the last key).',
  },
);

export const StoreDeleteOp = Type.Object(
  {
    op: Type.Literal('delete'),
    ns: Namespace,
    key: Type.Optional(Key),
    prefix: Type.Optional(
      KeyBound('Deletes every key that starts with this (`""`: the whole namespace).'),
    ),
  },
  {
    description:
      'Deletes one record (`key`) or all whose key starts with `prefix`; exactly one of the two.',
  },
);

export const StoreOp = Type.Union([StorePutOp, StoreGetOp, StoreListOp, StoreDeleteOp], {
  description: 'One operation of a `store` message.',
});

export const StoreEntry = Type.Object(
  {
    key: Key,
    value: Type.Optional(Type.Unknown({ description: 'The JSON value (absent with `keysOnly`).' })),
    bytes: Type.Integer({
      minimum: 0,
      description: 'UTF-8 bytes of the JSON text of the value.',
    }),
  },
  { description: 'One record of a `list` result.' },
);

export const StoreOpResult = Type.Union(
  [
    Type.Object(
      {
        op: Type.Literal('put'),
        written: Type.Boolean({ description: 'False when `ifAbsent` found a record.' }),
      },
      { description: 'Result of a `put`.' },
    ),
    Type.Object(
      {
        op: Type.Literal('get'),
        found: Type.Boolean(),
        value: Type.Optional(Type.Unknown({ description: 'The record, when found.' })),
      },
      { description: 'Result of a `get`.' },
    ),
    Type.Object(
      {
        op: Type.Literal('list'),
        entries: Type.Array(StoreEntry),
        more: Type.Boolean({
          description:
            'True when records past the last one returned match too (cut by `limit` or by the size of one answer).',
        }),
      },
      { description: 'Result of a `list`.' },
    ),
    Type.Object(
      {
        op: Type.Literal('delete'),
        deleted: Type.Integer({ minimum: 0, description: 'Records deleted.' }),
      },
      { description: 'Result of a `delete`.' },
    ),
  ],
  { description: 'The result of one operation, in the order of `ops`.' },
);

export const StoreMessage = Type.Object(
  {
    type: Type.Literal('store'),
    requestId: StoreRequestId,
    ops: Type.Array(StoreOp, {
      minItems: 1,
      maxItems: STORE_MAX_OPS,
      description:
        'Operations applied in order in one transaction: all of them or, when one fails, none.',
    }),
  },
  {
    description:
      "Optional, sent only to a supervisor whose `init` has `storeMaxBytes`: reads and writes the run's records; the supervisor answers each with one `store_result`, after committing its writes durably. A supervisor that does not know this message skips it without fault and never answers it.",
  },
);

export const StoreResultMessage = Type.Object(
  {
    type: Type.Literal('store_result'),
    requestId: StoreRequestId,
    ok: Type.Boolean({
      description:
        'True once every operation was applied and its writes are stored durably (they survive a crash of the runner and of the supervisor); false when none was (`error` says why).',
    }),
    results: Type.Optional(
      Type.Array(StoreOpResult, { description: 'With `ok: true`: one per operation.' }),
    ),
    usedBytes: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "With `ok: true`: the run's records after this request, bytes (keys and JSON values).",
      }),
    ),
    error: Type.Optional(
      Type.String({
        maxLength: 4096,
        description:
          "With `ok: false`: why, for the agent (e.g. `the run's records would take 67 108 900 bytes, over storeMaxBytes 67 108 864`, `persistence is failing`).",
      }),
    ),
  },
  { description: 'Optional: answers one `store`, matched by `requestId`.' },
);

export type StorePutOp = Static<typeof StorePutOp>;
export type StoreGetOp = Static<typeof StoreGetOp>;
export type StoreListOp = Static<typeof StoreListOp>;
export type StoreDeleteOp = Static<typeof StoreDeleteOp>;
export type StoreOp = Static<typeof StoreOp>;
export type StoreEntry = Static<typeof StoreEntry>;
export type StoreOpResult = Static<typeof StoreOpResult>;
export type StoreMessage = Static<typeof StoreMessage>;
export type StoreResultMessage = Static<typeof StoreResultMessage>;
