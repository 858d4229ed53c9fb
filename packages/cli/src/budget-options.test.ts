import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { budgetRequest } from './budget-options.js';
import { parseCheckpointMaxBytes, parseCheckpointRef, parseUsd } from './option-parsers.js';

describe('parseUsd', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    ['1.50', 1.5],
    ['0.25', 0.25],
    ['.5', 0.5],
    ['1000000000', 1e9],
  ])('%s → %d', (text, usd) => {
    expect(parseUsd(text)).toBe(usd);
  });

  it.each([
    ['-1', /a budget cannot be negative/],
    [' -0.5', /a budget cannot be negative/],
    ['NaN', /got "NaN"/],
    ['Infinity', /got "Infinity"/],
    ['', /got ""/],
    ['0x10', /got "0x10"/],
    ['1e3', /plain digits/],
    ['$1', /plain digits/],
    ['1.', /plain digits/],
    ['1000000001', /over the largest budget the daemon takes, 1000000000 USD/],
  ])('%j is refused (%s)', (text, message) => {
    expect(() => parseUsd(text)).toThrow(InvalidArgumentError);
    expect(() => parseUsd(text)).toThrow(message);
  });
});

describe('parseCheckpointRef (--from <run>[@<seq or checkpoint id>])', () => {
  it.each([
    ['counter', { runId: 'counter' }],
    ['r-1a2b3c4d@3', { runId: 'r-1a2b3c4d', seq: 3 }],
    ['my.agent_2@12', { runId: 'my.agent_2', seq: 12 }],
    [
      'r-1a2b3c4d@1f0c2a3e-5b6d-6e70-8001-0123456789ab',
      { runId: 'r-1a2b3c4d', checkpointId: '1f0c2a3e-5b6d-6e70-8001-0123456789ab' },
    ],
    ['research@abc', { runId: 'research', checkpointId: 'abc' }],
  ])('%s', (text, ref) => {
    expect(parseCheckpointRef(text)).toEqual(ref);
  });

  it.each([
    ['', /expected <run>\[@<seq>\] or <run>@<checkpoint id>/],
    ['@3', /expected <run>\[@<seq>\] or <run>@<checkpoint id>/],
    ['a@', /expected <run>\[@<seq>\] or <run>@<checkpoint id>/],
    ['a@b@3', /expected <run>\[@<seq>\] or <run>@<checkpoint id>/],
    ['a@0', /seq after @ must be a positive integer .*got "0"/],
    ['a@-1', /got "-1"/],
    ['a@1.5', /got "1.5"/],
    ['a@99999999999999999999', /got "99999999999999999999"/],
    ['a@1e3', /got "1e3"/],
    [`a@${'f'.repeat(257)}`, /257 characters, over 256/],
  ])('%j is refused', (text, message) => {
    expect(() => parseCheckpointRef(text)).toThrow(message);
  });
});

describe('parseCheckpointMaxBytes', () => {
  it('takes 1 to 4 MiB', () => {
    expect(parseCheckpointMaxBytes('1')).toBe(1);
    expect(parseCheckpointMaxBytes('4194304')).toBe(4194304);
  });

  it.each(['0', '-1', '4194305', '1.5', 'lots'])('%j is refused', (text) => {
    expect(() => parseCheckpointMaxBytes(text)).toThrow(InvalidArgumentError);
  });
});

describe('budgetRequest', () => {
  it('sends no budget when no budget option is given', () => {
    expect(budgetRequest({})).toEqual({
      budget: undefined,
      checkpointMaxBytes: undefined,
      from: undefined,
    });
  });

  it('maps the flags to agent.start params, 0 included', () => {
    expect(
      budgetRequest({
        maxCost: 0,
        maxTokens: 1000,
        maxCostPerDay: 2.5,
        onBudget: 'stop',
        checkpointMaxBytes: 4096,
        from: { runId: 'counter', seq: 3 },
      }),
    ).toEqual({
      budget: { maxCostUsd: 0, maxTokens: 1000, maxCostPerDayUsd: 2.5, onBudget: 'stop' },
      checkpointMaxBytes: 4096,
      from: { runId: 'counter', seq: 3 },
    });
  });

  it('--on-budget alone is sent (it applies to the daemon-wide budget)', () => {
    expect(budgetRequest({ onBudget: 'stop' }).budget).toEqual({ onBudget: 'stop' });
  });
});
