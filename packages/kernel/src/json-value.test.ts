import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, findJsonProblem } from './json-value.js';

/** `[[[…]]]` nested `levels` arrays deep. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) {
    value = [value];
  }
  return value;
}

class Point {
  constructor(readonly x: number) {}
}

describe('findJsonProblem', () => {
  it.each([
    ['null', null],
    ['a string', 'héllo 🦀'],
    ['a boolean', false],
    ['a finite number', -1.5e-7],
    ['an empty object and array', { a: {}, b: [] }],
    ['an object property that is undefined (absent, as in JSON)', { a: 1, b: undefined }],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1 })],
    ['a plain object of another realm', runInNewContext('({ a: [1, { b: 2 }] })')],
    [
      'one object referenced twice (not a cycle)',
      (() => {
        const shared = { n: 1 };
        return { a: shared, b: [shared] };
      })(),
    ],
    [`nesting of exactly ${MAX_JSON_DEPTH} levels`, nested(MAX_JSON_DEPTH)],
  ])('accepts %s', (_name, value) => {
    expect(findJsonProblem(value, 'payload')).toBeUndefined();
  });

  it.each([
    [
      'a Map',
      { x: new Map([['a', 1]]) },
      'Map at payload.x: JSON has no Map (it would arrive as {}); use Object.fromEntries(map)',
    ],
    [
      'a Set',
      [new Set([1])],
      'Set at payload[0]: JSON has no Set (it would arrive as {}); use [...set]',
    ],
    [
      'a BigInt',
      { big: 1n },
      'BigInt 1n at payload.big: JSON has no BigInt; convert it to a string (String(value)) or a number (Number(value))',
    ],
    [
      'NaN',
      { a: [0, NaN] },
      'NaN at payload.a[1]: JSON has no NaN (it would arrive as null); send null or a string',
    ],
    [
      'Infinity',
      Infinity,
      'Infinity at payload: JSON has no Infinity (it would arrive as null); send null or a string',
    ],
    [
      'undefined in an array',
      [1, undefined],
      'undefined at payload[1]: JSON has no undefined (in an array it would arrive as null); use null',
    ],
    [
      'a hole in an array',
      // eslint-disable-next-line no-sparse-arrays -- the case under test
      [1, , 3],
      'undefined at payload[1]: JSON has no undefined (in an array it would arrive as null); use null',
    ],
    ['a function', { f: () => 1 }, 'function at payload.f: a function is not JSON; leave it out'],
    ['a symbol', { s: Symbol('s') }, 'symbol at payload.s: a symbol is not JSON; use a string'],
    [
      'a Date',
      { when: new Date(0) },
      'Date at payload.when: JSON has no Date (it would arrive as a string); use date.toISOString() or date.getTime()',
    ],
    [
      'a Uint8Array',
      { bytes: new Uint8Array(2) },
      'Uint8Array at payload.bytes: binary data is not JSON; use Array.from(bytes) or a base64 string',
    ],
    [
      'an Error',
      { error: new RangeError('x') },
      "RangeError at payload.error: JSON keeps none of an error's fields (it would arrive as {}); send { name, message } instead",
    ],
    [
      'a class instance',
      { at: new Point(1) },
      'Point instance at payload.at: only plain objects and arrays are JSON; copy the fields you need into a plain object ({ ...value })',
    ],
    [
      'a Map of another realm',
      { x: runInNewContext('new Map()') as unknown },
      'Map at payload.x: JSON has no Map (it would arrive as {}); use Object.fromEntries(map)',
    ],
    [
      'a key that is not an identifier',
      { 'a b': { 'c-d': 1n } },
      'BigInt 1n at payload["a b"]["c-d"]: JSON has no BigInt; convert it to a string (String(value)) or a number (Number(value))',
    ],
    [
      `nesting of ${MAX_JSON_DEPTH + 1} levels`,
      nested(MAX_JSON_DEPTH + 1),
      `value at payload${'[0]'.repeat(MAX_JSON_DEPTH)} nests objects/arrays more than ${MAX_JSON_DEPTH} levels deep; flatten it`,
    ],
  ])('refuses %s, naming the path and the fix', (_name, value, problem) => {
    expect(findJsonProblem(value, 'payload')).toBe(problem);
  });

  it('refuses a cycle without running out of stack, naming where it closes', () => {
    const a: Record<string, unknown> = { b: { c: [] } };
    ((a.b as Record<string, unknown>).c as unknown[]).push(a);
    expect(findJsonProblem(a, 'output')).toBe(
      'circular reference at output.b.c[0]: JSON cannot represent a cycle; send a copy without it',
    );
  });

  it('a value nested 100 000 levels deep is refused at the depth limit, not with a stack overflow', () => {
    expect(findJsonProblem(nested(100_000), 'payload')).toMatch(/more than 256 levels deep/);
  });
});
