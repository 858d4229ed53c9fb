import { describe, expect, it } from 'vitest';
import { linesSince } from './log-since.js';

describe('linesSince', () => {
  const at = (iso: string) => Date.parse(iso);
  const lines = [
    'no time: before the first timed line',
    '2026-01-31T11:59:59.999Z x| old',
    '   at continuation of old',
    '2026-01-31T12:00:00.000Z stdout| exactly then',
    '  continuation of a kept line',
    '2026-01-31T12:00:01.000Z info later',
  ];
  it('keeps lines at or after the time, continuations with their line, none of unknown time', () => {
    expect(linesSince(lines, at('2026-01-31T12:00:00Z'))).toEqual(lines.slice(3));
  });
  it('a time after every line keeps none; 0 keeps every timed line and its continuations', () => {
    expect(linesSince(lines, at('2026-02-01T00:00:00Z'))).toEqual([]);
    expect(linesSince(lines, 0)).toEqual(lines.slice(1));
  });
});
