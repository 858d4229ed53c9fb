import { describe, expect, it } from 'vitest';
import { ERROR_TRACE_MAX_CHARS, errorTrace, safeJson, truncate } from './log-text.js';

describe('truncate', () => {
  it.each([
    ['a shorter text is unchanged', 'abc', 5, 'abc'],
    ['a text of exactly max is unchanged', 'abcde', 5, 'abcde'],
    ['a longer text is cut and ends with …', 'abcdef', 5, 'abcde…'],
    ['max 0 leaves only …', 'a', 0, '…'],
  ] as const)('%s', (_title, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});

describe('safeJson', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  let deep: unknown[] = [];
  for (let i = 0; i < 20_000; i += 1) {
    deep = [deep];
  }
  it.each([
    ['an object is its JSON', { a: 1 }, /^\{"a":1\}$/],
    ['undefined is its typeof', undefined, /^undefined$/],
    ['a function is its typeof', () => 1, /^function$/],
    ['a cycle is named, not thrown', cyclic, /^\[object not serialisable: /],
    ['a BigInt is named, not thrown', 1n, /^\[bigint not serialisable: /],
    ['an array too deep to serialise is named, not thrown', deep, /^\[array not serialisable: /],
  ] as const)('%s', (_title, value, expected) => {
    expect(safeJson(value)).toMatch(expected);
  });
});

describe('errorTrace', () => {
  const noStack = new TypeError('bad');
  noStack.stack = undefined;
  it.each([
    ['an Error is its stack', new Error('boom'), /^Error: boom\n\s+at /],
    ['an Error without a stack is name: message', noStack, /^TypeError: bad$/],
    ['a string is itself', 'plain', /^plain$/],
    ['anything else is JSON', { code: 7 }, /^\{"code":7\}$/],
  ] as const)('%s', (_title, error, expected) => {
    expect(errorTrace(error)).toMatch(expected);
  });

  it(`cuts a trace over ${ERROR_TRACE_MAX_CHARS} characters and ends it with …`, () => {
    const trace = errorTrace('x'.repeat(ERROR_TRACE_MAX_CHARS + 10));
    expect(trace).toHaveLength(ERROR_TRACE_MAX_CHARS + 1);
    expect(trace.endsWith('x…')).toBe(true);
  });
});
