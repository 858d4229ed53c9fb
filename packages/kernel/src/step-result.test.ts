import { describe, expect, it } from 'vitest';
import { readStepResult } from './step-result.js';

describe('readStepResult', () => {
  it.each([
    ['nothing', undefined, { done: false, warnings: [] }],
    ['null', null, { done: false, warnings: [] }],
    [
      'every field, valid',
      { summary: 's', done: true, usage: { inputTokens: 1, outputTokens: 0, costUsd: 0.5 } },
      {
        summary: 's',
        done: true,
        usage: { inputTokens: 1, outputTokens: 0, costUsd: 0.5 },
        warnings: [],
      },
    ],
    ['summary null (absent)', { summary: null }, { done: false, warnings: [] }],
    [
      'a numeric summary (left out, not converted)',
      { summary: 42 },
      {
        done: false,
        warnings: [
          'iteration 3: summary must be a string, got 42; summary not recorded (return { summary: String(value) } to keep it)',
        ],
      },
    ],
    [
      'usage with a BigInt (the whole usage left out)',
      { summary: 'kept', usage: { inputTokens: 10n, outputTokens: 2 } },
      {
        summary: 'kept',
        done: false,
        warnings: [
          'iteration 3: usage.inputTokens must be a non-negative integer, got 10n; usage not recorded',
        ],
      },
    ],
    [
      'usage with several problems (all named)',
      { usage: { inputTokens: -1, costUsd: Infinity, tokens: 3 } },
      {
        done: false,
        warnings: [
          'iteration 3: usage.inputTokens must be a non-negative integer, got -1; usage.costUsd must be a finite number >= 0 (US dollars), got Infinity; usage.tokens is not a usage field (inputTokens, outputTokens, costUsd); usage not recorded',
        ],
      },
    ],
    [
      'usage with a model (only ctx.reportUsage carries one)',
      { usage: { inputTokens: 1, model: 'gpt-4o-mini' } },
      {
        done: false,
        warnings: [
          'iteration 3: usage.model is not a usage field (inputTokens, outputTokens, costUsd); usage not recorded',
        ],
      },
    ],
    [
      'usage that is not an object',
      { usage: 12 },
      {
        done: false,
        warnings: [
          'iteration 3: usage must be an object { inputTokens?, outputTokens?, costUsd? }, got 12; usage not recorded',
        ],
      },
    ],
    [
      'done that is not a boolean',
      { done: 'yes' },
      {
        done: false,
        warnings: [
          'iteration 3: done must be a boolean, got "yes"; the run goes on (return { done: true } to end it)',
        ],
      },
    ],
    [
      'a string instead of a result object',
      'all good',
      {
        done: false,
        warnings: [
          'iteration 3: step returned "all good"; expected { summary?, done?, usage? } or nothing, so the result was ignored (return { summary: … } to record it)',
        ],
      },
    ],
  ])('%s', (_name, result, expected) => {
    expect(readStepResult(result, 3)).toEqual(expected);
  });

  it('cuts a summary longer than 65 536 characters, with a marker giving its length', () => {
    const { summary, warnings } = readStepResult({ summary: 'x'.repeat(70_000) }, 1);
    expect(summary).toHaveLength(65_536);
    expect(summary).toMatch(/…\[cut: 70000 characters in all\]$/);
    expect(warnings).toEqual([]);
  });
});
