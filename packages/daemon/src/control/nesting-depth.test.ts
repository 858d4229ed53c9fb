import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './nesting-depth.js';

const nested = (depth: number, open = '[', close = ']') =>
  JSON.parse(`${open.repeat(depth)}${close.repeat(depth)}`) as unknown;

describe('nestedDeeperThan', () => {
  it.each<[string, unknown, number, boolean]>([
    ['a scalar', 42, 0, false],
    ['null', null, 0, false],
    ['[[1]] is 2 deep', [[1]], 2, false],
    ['[[1]] over 1', [[1]], 1, true],
    ['256 arrays deep, limit 256', nested(256), 256, false],
    ['257 arrays deep, limit 256', nested(257), 256, true],
    [
      'an object chain 300 deep',
      JSON.parse(`${'{"a":'.repeat(300)}1${'}'.repeat(300)}`),
      256,
      true,
    ],
    ['wide but shallow', { a: Array.from({ length: 10_000 }, (_, i) => ({ i })) }, 3, false],
    ['deep in the last of many siblings', { a: 1, b: [1, 2, { c: nested(10) }] }, 5, true],
  ])('%s → %s', (_title, value, maxDepth, expected) => {
    expect(nestedDeeperThan(value, maxDepth)).toBe(expected);
  });

  it('100 000 levels: answers without running out of stack', () => {
    expect(nestedDeeperThan(nested(100_000), 256)).toBe(true);
  });
});
