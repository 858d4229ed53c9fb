import fc from 'fast-check';
import { Kind, Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * fast-check arbitraries derived from the TypeBox schemas of the control API, for the kinds
 * used there: Object (with Optional), Union, Literal, Integer, Number, String (pattern,
 * minLength, maxLength), Array, Record, Boolean, Unknown.
 *
 * Values are biased to extremes: each bound itself and its neighbour, 0, strings of exactly
 * maxLength (ASCII, 2-byte, 4-byte characters), unicode of every plane, arrays and records of
 * exactly maxItems/maxProperties, JSON nested right at the depth limit and one past it.
 */

/** Replaces the arbitrary derived at a path: keeps values harmless, or points them at live runs. */
export type Override = (derived: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>;

export interface SchemaArbitraryOptions {
  /**
   * By JSON pointer of the field (`/command`, `/probes/readiness/tcp`); a `*` segment matches
   * any key or index (`/probes/*\/tcp`). Array items and record values are at `<path>/*`.
   */
  overrides?: Readonly<Record<string, Override>>;
  /** How often an optional property is left out, and how often it is there. @default [1, 1] */
  optionalWeights?: readonly [absent: number, present: number];
  /** Depth of the nested JSON generated for `Unknown` (params, turn input). @default 256 */
  maxNestingDepth?: number;
}

/** A value and the JSON pointer of its one invalid spot. */
export interface InvalidValue {
  value: unknown;
  path: string;
}

/** Stands for an optional property left out. */
const ABSENT = Symbol('absent');
/** Longest string generated where the schema sets no maxLength. */
const UNBOUNDED_STRING_LENGTH = 4096;
/** Most items/keys generated in an ordinary (not exactly-at-the-limit) array or record. */
const ORDINARY_ITEMS = 6;
/** Strings inside an array or record filled to its limit stay this short (1 MiB frames). */
const SMALL_STRING_LENGTH = 12;

/** Characters strings are filled with: 1 UTF-16 unit of 1 and 2 UTF-8 bytes, a 4-byte pair. */
const FILL_CHARACTERS = ['a', 'é', '😀', '\u{10FFFF}', ' '] as const;

interface Context {
  options: SchemaArbitraryOptions;
  /** Inside an array or record filled to its limit: keep every string short. */
  small: boolean;
}

/** Values `schema` accepts, biased to extremes. */
export function validArbitrary(
  schema: TSchema,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  return valid(schema, '', { options, small: false });
}

/** Values `schema` refuses at exactly one spot (a bound crossed, a wrong type, a NUL byte…). */
export function invalidArbitrary(
  schema: TSchema,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<InvalidValue> {
  const found = invalid(schema, '', { options, small: false });
  if (found === undefined) {
    throw new Error(`schema-arbitrary: nothing in ${JSON.stringify(schema)} can be made invalid`);
  }
  return found.filter(({ value }) => !Value.Check(schema, value));
}

function valid(schema: TSchema, path: string, context: Context): fc.Arbitrary<unknown> {
  const derived = derive(schema, path, context);
  const override = overrideAt(path, context.options);
  return override === undefined ? derived : override(derived);
}

function derive(schema: TSchema, path: string, context: Context): fc.Arbitrary<unknown> {
  switch (schema[Kind]) {
    case 'Object':
      return objectArbitrary(schema, path, context);
    case 'Union':
      return fc.oneof(...(schema.anyOf as TSchema[]).map((branch) => valid(branch, path, context)));
    case 'Literal':
      return fc.constant(schema.const);
    case 'Boolean':
      return fc.boolean();
    case 'Integer':
      return integerArbitrary(schema);
    case 'Number':
      return numberArbitrary(schema);
    case 'String':
      return stringArbitrary(schema, context);
    case 'Array':
      return arrayArbitrary(schema, path, context);
    case 'Record':
      return recordArbitrary(schema, path, context);
    case 'Unknown':
      return unknownArbitrary(context);
    default:
      throw new Error(`schema-arbitrary: no arbitrary for kind ${String(schema[Kind])}`);
  }
}

function objectArbitrary(schema: TSchema, path: string, context: Context) {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const [absent, present] = context.options.optionalWeights ?? [1, 1];
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => {
      const value = valid(property, `${path}/${key}`, context);
      return [
        key,
        required.has(key)
          ? value
          : fc.oneof(
              { weight: absent, arbitrary: fc.constant(ABSENT) },
              { weight: present, arbitrary: value },
            ),
      ];
    }),
  );
  return fc
    .record(model)
    .map((object) =>
      Object.fromEntries(Object.entries(object).filter(([, value]) => value !== ABSENT)),
    );
}

function integerArbitrary(schema: TSchema): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? Number.MIN_SAFE_INTEGER;
  const max = (schema.maximum as number | undefined) ?? Number.MAX_SAFE_INTEGER;
  const extremes = [min, min + 1, max - 1, max, 0, 1, 2 ** 31 - 1, 2 ** 31].filter(
    (value) => value >= min && value <= max,
  );
  return fc.oneof(
    fc.constantFrom(...new Set(extremes)),
    fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number),
  );
}

function numberArbitrary(schema: TSchema): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? -Number.MAX_VALUE;
  const max = (schema.maximum as number | undefined) ?? Number.MAX_VALUE;
  return fc.oneof(
    fc.constantFrom(...new Set([min, max, (min + max) / 2].filter(Number.isFinite))),
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
  );
}

/** `length` UTF-16 units of `character` (topped up with `a` when it is a surrogate pair). */
function filled(character: string, length: number): string {
  const whole = Math.floor(length / character.length);
  return character.repeat(whole) + 'a'.repeat(length - whole * character.length);
}

function stringArbitrary(schema: TSchema, context: Context): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const limit = (schema.maxLength as number | undefined) ?? UNBOUNDED_STRING_LENGTH;
  const maxLength = context.small
    ? Math.min(limit, Math.max(minLength, SMALL_STRING_LENGTH))
    : limit;
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
  const fits = (text: string) =>
    text.length >= minLength && text.length <= maxLength && (pattern?.test(text) ?? true);

  const short = Math.min(maxLength, 40);
  const free = fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength, maxLength: short }) },
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength: short }) },
    {
      // Filled to the limit (or one short of it, or the minimum) with 1-, 2- and 4-byte characters.
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...FILL_CHARACTERS),
          fc.constantFrom(minLength, maxLength, maxLength - 1),
        )
        .map(([character, length]) => filled(character, Math.max(minLength, length))),
    },
  );
  if (pattern === undefined) {
    return free.filter(fits);
  }
  // A pattern: a string generated from it, padded to the limit when the pattern still matches,
  // else a free string when it happens to match; always one that fits.
  const matching = fc.stringMatching(pattern).filter(fits);
  const padded = fc
    .tuple(matching, fc.constantFrom(...FILL_CHARACTERS))
    .map(([text, character]) => {
      const longer = text + filled(character, maxLength - text.length);
      return fits(longer) ? longer : text;
    });
  const freeIfMatching = fc
    .tuple(matching, free)
    .map(([text, candidate]) => (fits(candidate) ? candidate : text));
  return fc.oneof({ weight: 3, arbitrary: matching }, padded, freeIfMatching);
}

function arrayArbitrary(schema: TSchema, path: string, context: Context) {
  const items = schema.items as TSchema;
  const minItems = (schema.minItems as number | undefined) ?? 0;
  const maxItems = (schema.maxItems as number | undefined) ?? ORDINARY_ITEMS * 2;
  const ordinary = fc.array(valid(items, `${path}/*`, context), {
    minLength: minItems,
    maxLength: Math.max(minItems, Math.min(maxItems, ORDINARY_ITEMS)),
  });
  if (context.small || maxItems <= ORDINARY_ITEMS) {
    return ordinary;
  }
  const full = fc.array(valid(items, `${path}/*`, { ...context, small: true }), {
    minLength: maxItems,
    maxLength: maxItems,
  });
  return fc.oneof({ weight: 4, arbitrary: ordinary }, full);
}

function recordArbitrary(schema: TSchema, path: string, context: Context) {
  const [[keyPattern, valueSchema]] = Object.entries(
    schema.patternProperties as Record<string, TSchema>,
  );
  const keyRegExp = new RegExp(keyPattern);
  const keys = stringArbitrary(Type.String({ pattern: keyPattern }), context);
  const values = valid(valueSchema, `${path}/*`, context);
  const maxProperties = (schema.maxProperties as number | undefined) ?? ORDINARY_ITEMS * 2;
  const ordinary = fc.dictionary(keys, values, {
    maxKeys: Math.min(maxProperties, ORDINARY_ITEMS),
    noNullPrototype: true,
  });
  const fullKeys = Array.from({ length: maxProperties }, (_, index) => `K${index}`);
  if (
    context.small ||
    maxProperties <= ORDINARY_ITEMS ||
    !fullKeys.every((key) => keyRegExp.test(key))
  ) {
    return ordinary;
  }
  const smallValues = valid(valueSchema, `${path}/*`, { ...context, small: true });
  const full = fc
    .array(smallValues, { minLength: maxProperties, maxLength: maxProperties })
    .map((list) => Object.fromEntries(list.map((value, index) => [fullKeys[index], value])));
  return fc.oneof({ weight: 4, arbitrary: ordinary }, full);
}

/** Arrays nested `depth` levels deep: `[[…[0]…]]`. */
function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let level = 0; level < depth; level += 1) {
    value = [value];
  }
  return value;
}

function unknownArbitrary(context: Context): fc.Arbitrary<unknown> {
  const limit = context.options.maxNestingDepth ?? 256;
  return fc.oneof(
    { weight: 30, arbitrary: fc.jsonValue({ maxDepth: context.small ? 1 : 4 }) },
    // Around the depth limit: at it, and one past it whether the value is a field itself (a
    // turn's input) or inside one (a value of params). Past it is -32602 naming the field: the
    // handler checks nesting, not the schema.
    { weight: 1, arbitrary: fc.constantFrom(nested(limit - 1), nested(limit), nested(limit + 1)) },
  );
}

// ---------------------------------------------------------------------------
// Invalid values: valid everywhere but one spot.

function invalid(
  schema: TSchema,
  path: string,
  context: Context,
): fc.Arbitrary<InvalidValue> | undefined {
  const at = (values: unknown[]) =>
    fc.constantFrom(...values.filter((value) => !Value.Check(schema, value))).map((value) => ({
      value,
      path,
    }));
  switch (schema[Kind]) {
    case 'Object':
      return invalidObject(schema, path, context);
    case 'Union': {
      const branches = (schema.anyOf as TSchema[])
        .map((branch) => invalid(branch, path, context))
        .filter((branch) => branch !== undefined);
      return fc
        .oneof(...branches, at([null, 'not-a-member', 17, []]))
        .filter(({ value }) => !Value.Check(schema, value));
    }
    case 'Literal':
      return at([`${String(schema.const)}-not`, null, 0]);
    case 'Boolean':
      return at(['true', 0, null]);
    case 'Integer':
    case 'Number': {
      const min = schema.minimum as number | undefined;
      const max = schema.maximum as number | undefined;
      return at([
        ...(min === undefined ? [] : [min - 1, min - 0.5]),
        ...(max === undefined ? [] : [max + 1, max * 2 + 1]),
        ...(schema[Kind] === 'Integer' ? [(min ?? 0) + 0.5] : []),
        '1',
        null,
      ]);
    }
    case 'String': {
      const minLength = (schema.minLength as number | undefined) ?? 0;
      const maxLength = schema.maxLength as number | undefined;
      return at([
        ...(maxLength === undefined
          ? []
          : [filled('a', maxLength + 1), filled('😀', maxLength + 1)]),
        ...(minLength > 0 ? [''] : []),
        ...patternBreakers(schema),
        42,
        null,
      ]);
    }
    case 'Array':
      return invalidArray(schema, path, context);
    case 'Record':
      return invalidRecord(schema, path, context);
    default:
      // Unknown takes anything.
      return undefined;
  }
}

/** Strings of an acceptable length that break the pattern: a NUL byte, a port out of range… */
function patternBreakers(schema: TSchema): string[] {
  if (typeof schema.pattern !== 'string') {
    return [];
  }
  const pattern = new RegExp(schema.pattern);
  const sample = fc.sample(fc.stringMatching(pattern), { numRuns: 1, seed: 1 })[0];
  return [
    `${sample}\u0000`,
    `\u0000${sample}`,
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:99999',
    'localhost:080',
    'ftp://127.0.0.1/',
    'a b',
    'a=b',
  ].filter((candidate) => !pattern.test(candidate));
}

function invalidObject(schema: TSchema, path: string, context: Context) {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = (schema.required ?? []) as string[];
  const base = objectArbitrary(schema, path, context) as fc.Arbitrary<Record<string, unknown>>;
  const choices: fc.Arbitrary<InvalidValue>[] = [
    fc
      .constantFrom([], 'params', 3, null)
      .map((value) => ({ value, path: path === '' ? '/' : path })),
  ];
  for (const [key, property] of Object.entries(properties)) {
    const bad = invalid(property, `${path}/${key}`, context);
    if (bad !== undefined) {
      choices.push(
        fc.tuple(base, bad).map(([object, spot]) => ({
          value: { ...object, [key]: spot.value },
          path: spot.path,
        })),
      );
    }
  }
  for (const key of required) {
    choices.push(
      base.map((object) => {
        const { [key]: _dropped, ...rest } = object;
        return { value: rest, path: `${path}/${key}` };
      }),
    );
  }
  return fc.oneof(...choices);
}

function invalidArray(schema: TSchema, path: string, context: Context) {
  const items = schema.items as TSchema;
  const minItems = (schema.minItems as number | undefined) ?? 0;
  const maxItems = schema.maxItems as number | undefined;
  const small = { ...context, small: true };
  const choices: fc.Arbitrary<InvalidValue>[] = [
    fc.constantFrom('not-an-array', { 0: 'x' }).map((value) => ({ value, path })),
  ];
  if (minItems > 0) {
    choices.push(fc.constant({ value: [], path }));
  }
  if (maxItems !== undefined) {
    choices.push(
      fc
        .array(valid(items, `${path}/*`, small), {
          minLength: maxItems + 1,
          maxLength: maxItems + 1,
        })
        .map((value) => ({ value, path })),
    );
  }
  const bad = invalid(items, `${path}/*`, small);
  if (bad !== undefined) {
    choices.push(
      fc
        .tuple(
          fc.array(valid(items, `${path}/*`, small), {
            minLength: Math.max(minItems, 1),
            maxLength: 4,
          }),
          bad,
          fc.nat(),
        )
        .map(([list, spot, at]) => {
          const index = at % list.length;
          const value = [...list];
          value[index] = spot.value;
          return { value, path: spot.path.replace(`${path}/*`, `${path}/${index}`) };
        }),
    );
  }
  return fc.oneof(...choices);
}

function invalidRecord(schema: TSchema, path: string, context: Context) {
  const [[keyPattern, valueSchema]] = Object.entries(
    schema.patternProperties as Record<string, TSchema>,
  );
  const keyRegExp = new RegExp(keyPattern);
  const maxProperties = schema.maxProperties as number | undefined;
  const choices: fc.Arbitrary<InvalidValue>[] = [
    fc.constantFrom('not-a-record', [1]).map((value) => ({ value, path })),
  ];
  if (schema.additionalProperties === false) {
    const badKeys = ['', 'A=B', 'A\u0000', '=', 'x'.repeat(5000)].filter(
      (key) => !keyRegExp.test(key),
    );
    if (badKeys.length > 0) {
      choices.push(
        fc
          .constantFrom(...badKeys)
          .map((key) => ({ value: { OK: '1', [key]: '1' }, path: `${path}/${key}` })),
      );
    }
  }
  if (maxProperties !== undefined) {
    const keys = Array.from({ length: maxProperties + 1 }, (_, index) => `K${index}`);
    choices.push(fc.constant({ value: Object.fromEntries(keys.map((key) => [key, ''])), path }));
  }
  const bad = invalid(valueSchema, `${path}/*`, context);
  if (bad !== undefined) {
    choices.push(
      bad.map((spot) => ({
        value: { K: spot.value },
        path: spot.path.replace(`${path}/*`, `${path}/K`),
      })),
    );
  }
  return fc.oneof(...choices);
}

function overrideAt(path: string, options: SchemaArbitraryOptions): Override | undefined {
  const overrides = options.overrides ?? {};
  const segments = path.split('/');
  for (const [pattern, override] of Object.entries(overrides)) {
    const wanted = pattern.split('/');
    if (
      wanted.length === segments.length &&
      wanted.every((segment, index) => segment === '*' || segment === segments[index])
    ) {
      return override;
    }
  }
  return undefined;
}
