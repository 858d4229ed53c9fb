import { describe, expect, it } from 'vitest';
import { findInexactNumbers, formatJsonPath, isExactNumberLiteral } from './exact-json-numbers.js';

describe('isExactNumberLiteral', () => {
  const table: [string, boolean][] = [
    ['0', true],
    ['-0', true],
    ['42', true],
    ['9007199254740991', true], // Number.MAX_SAFE_INTEGER
    ['-9007199254740991', true],
    ['9007199254740992', false], // 2^53: a double, but past the safe range (its neighbours are not)
    ['9007199254740993', false],
    ['12345678901234567890', false],
    ['0.1', true],
    ['1.50', true],
    ['-2.5e-3', true],
    ['1e300', true],
    ['1.5e3', true],
    ['0.30000000000000001', false], // becomes 0.3
    ['9007199254740993.0', false],
    ['1e400', false], // Infinity
    ['1e-400', false], // 0
    ['0e999', true],
    ['123456789.123456789', false],
  ];
  it.each(table)('%s → %s', (literal, exact) => {
    expect(isExactNumberLiteral(literal)).toBe(exact);
  });
});

describe('findInexactNumbers', () => {
  it('a top-level number: path []', () => {
    expect(findInexactNumbers('12345678901234567890')).toEqual([
      { literal: '12345678901234567890', becomes: '12345678901234567000', path: [] },
    ]);
  });

  it('names the keys and indexes down to a nested number, in document order', () => {
    const text = '{"a": {"ids": [1, 12345678901234567890]}, "b": 1e400}';
    expect(JSON.parse(text)).toBeTruthy();
    expect(findInexactNumbers(text)).toEqual([
      { literal: '12345678901234567890', becomes: '12345678901234567000', path: ['a', 'ids', 1] },
      { literal: '1e400', becomes: 'null', path: ['b'] },
    ]);
  });

  it('skips digits inside strings, escaped quotes included, and keys that look like numbers', () => {
    const text = String.raw`{"12345678901234567890": "x \" 12345678901234567890", "n": [0.5, "9007199254740993"]}`;
    expect(JSON.parse(text)).toBeTruthy();
    expect(findInexactNumbers(text)).toEqual([]);
  });

  it('counts array indexes past nested containers and across whitespace', () => {
    const text = '[ {"x": [1, 2]} , [3] ,\n 9007199254740993 ]';
    expect(findInexactNumbers(text).map((found) => found.path)).toEqual([[2]]);
  });

  it('finds nothing in JSON that round-trips: whatever JSON.stringify writes is exact', () => {
    const value = {
      a: [0, -1, 0.1, 1e21, 5e-324, Number.MAX_SAFE_INTEGER],
      b: { c: 'd', e: null },
    };
    expect(findInexactNumbers(JSON.stringify(value))).toEqual([]);
  });
});

describe('formatJsonPath', () => {
  it.each([
    [[], '(top level)'],
    [['big'], 'big'],
    [['a', 'ids', 1], 'a.ids[1]'],
    [[0, 'x'], '[0].x'],
    [['a b', 'c'], '["a b"].c'],
  ] as [(string | number)[], string][])('%j → %s', (path, text) => {
    expect(formatJsonPath(path)).toBe(text);
  });
});
