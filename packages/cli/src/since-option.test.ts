import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseSince } from './since-option.js';

describe('parseSince', () => {
  const now = Date.parse('2026-01-31T12:00:00Z');
  it.each([
    ['30s', now - 30_000],
    ['10m', now - 600_000],
    ['2h', now - 7_200_000],
    ['1d', now - 86_400_000],
    ['1.5h', now - 5_400_000],
    ['2026-01-31T11:00:00Z', now - 3_600_000],
    ['2026-01-31T11:00:00.500Z', now - 3_599_500],
  ])('%s is %d', (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });
  it.each([
    ['10', /has no unit/],
    ['soon', /neither a duration .* nor a timestamp/],
    ['-5m', /neither a duration/],
    ['', /neither a duration/],
  ])('%j is refused', (value, message) => {
    expect(() => parseSince(value, now)).toThrow(InvalidArgumentError);
    expect(() => parseSince(value, now)).toThrow(message);
  });
});
