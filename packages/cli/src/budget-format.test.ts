import type { UsageTotals } from '@x/daemon';
import { describe, expect, it } from 'vitest';
import {
  formatBudget,
  formatBudgetSpend,
  formatBytes,
  formatCount,
  formatPause,
  formatUsage,
  formatUsd,
  pausedField,
  resumeHint,
  usageCells,
  usageFields,
} from './budget-format.js';

const usage = (totals: Partial<UsageTotals>): UsageTotals => ({
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  calls: 0,
  callsWithoutCost: 0,
  ...totals,
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [1, '$1.00'],
    [1.5, '$1.50'],
    [0.42, '$0.42'],
    [1234.567, '$1234.57'],
    [0.005, '$0.005'],
    [0.000123, '$0.000123'],
  ])('%d → %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});

describe('formatCount and formatBytes', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1234, '1 234'],
    [1234567, '1 234 567'],
  ])('%d → %s', (count, text) => {
    expect(formatCount(count)).toBe(text);
  });

  it.each([
    [11, '11 B'],
    [1536, '1.5 KiB'],
    [4 * 1024 * 1024, '4.0 MiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('usage', () => {
  it('the status line counts reports and those without a cost', () => {
    expect(
      formatUsage(
        usage({
          inputTokens: 1234,
          outputTokens: 567,
          costUsd: 0.42,
          calls: 3,
          callsWithoutCost: 1,
        }),
      ),
    ).toBe('1 234 in / 567 out tokens, $0.42 (3 reports; 1 without a cost)');
    expect(formatUsage(usage({ inputTokens: 10, outputTokens: 5, costUsd: 0.25, calls: 1 }))).toBe(
      '10 in / 5 out tokens, $0.25 (1 report)',
    );
  });

  it.each([
    ['nothing reported (or an older daemon)', undefined, ['', '']],
    ['no report yet', usage({}), ['', '']],
    [
      'tokens and cost',
      usage({ inputTokens: 40, outputTokens: 20, costUsd: 1, calls: 4 }),
      ['60', '$1.00'],
    ],
    [
      'tokens only: no report gave a cost (an unpriced model): unknown',
      usage({ inputTokens: 1000, calls: 2, callsWithoutCost: 2 }),
      ['1 000', '?'],
    ],
    [
      'some reports without a cost: the spend is at least the cost shown',
      usage({ inputTokens: 1000, costUsd: 0.25, calls: 3, callsWithoutCost: 1 }),
      ['1 000', '$0.25+'],
    ],
    ['cost only', usage({ costUsd: 0.5, calls: 1 }), ['', '$0.50']],
  ])('list cells: %s', (_title, totals, cells) => {
    expect(usageCells(totals)).toEqual(cells);
  });
});

describe('models without a cost', () => {
  const warning = 'the cost budget (--max-cost $1.00) cannot see model my-llm-7b: …';
  it('lists them after usage, with the count beyond the listed ones, and the warning after the budget', () => {
    const fields = usageFields(
      {
        ...usage({ inputTokens: 3000, calls: 4, callsWithoutCost: 3 }),
        modelsWithoutCost: [
          { model: 'my-llm-7b', calls: 2 },
          { model: null, calls: 1 },
        ],
        modelsWithoutCostTotal: 3,
        costBudgetWarning: warning,
      },
      { maxCostUsd: 1 },
    );
    expect(fields).toEqual([
      ['usage', '3 000 in / 0 out tokens, $0.00 (4 reports; 3 without a cost)'],
      [
        'cost unknown',
        "my-llm-7b (2 reports), (no model named) (1 report) and 1 more model: no price in the catalog or the daemon's modelPrices (tokens counted)",
      ],
      ['budget', '$1.00 max cost, pause when reached'],
      ['warning', warning],
    ]);
  });

  it('shows nothing of the kind for a daemon that does not say (older) or when every report had a cost', () => {
    const fields = usageFields(usage({ calls: 1, callsWithoutCost: 1 }), null);
    expect(fields.map(([name]) => name)).toEqual(['usage']);
  });
});

describe('budget', () => {
  it.each([
    ['none', undefined, null],
    ['null', null, null],
    ['a cost limit', { maxCostUsd: 1 }, '$1.00 max cost, pause when reached'],
    [
      'every limit, stop',
      { maxCostUsd: 5, maxTokens: 100000, maxCostPerDayUsd: 1, onBudget: 'stop' as const },
      '$5.00 max cost, 100 000 max tokens, $1.00 max cost per UTC day, stop when reached',
    ],
    [
      'only --on-budget',
      { onBudget: 'stop' as const },
      "none of its own (the daemon's daily budget: stop when reached)",
    ],
  ])('status line: %s', (_title, budget, text) => {
    expect(formatBudget(budget)).toBe(text);
  });

  it('resume line: each limit with what was spent against it', () => {
    const spent = usage({ inputTokens: 300, outputTokens: 150, costUsd: 1, calls: 4 });
    expect(formatBudgetSpend({ maxCostUsd: 1.5 }, spent)).toBe('budget $1.50 (spent $1.00)');
    expect(
      formatBudgetSpend({ maxCostUsd: 1.5, maxTokens: 1000, maxCostPerDayUsd: 3 }, spent),
    ).toBe('budget $1.50 (spent $1.00), 1 000 tokens (spent 450), $3.00 per UTC day');
    expect(formatBudgetSpend(null, spent)).toBeNull();
    expect(formatBudgetSpend({ onBudget: 'pause' }, spent)).toBeNull();
  });
});

describe('pause', () => {
  const at = Date.parse('2026-12-07T12:00:01.000Z');
  const byBudget = {
    by: 'budget' as const,
    reason: 'cost $1.02 reached the budget of $1.00 (--max-cost)',
    at,
    limit: 'maxCostUsd' as const,
    limitValue: 1,
    spent: 1.02,
  };

  it('says why and since when', () => {
    expect(formatPause(byBudget, at + 4100)).toBe(
      'cost $1.02 reached the budget of $1.00 (--max-cost) since 2026-12-07T12:00:01.000Z (4.1s ago)',
    );
    expect(formatPause({ by: 'client', reason: 'deploying', at }, at)).toBe(
      'deploying (x agent pause) since 2026-12-07T12:00:01.000Z (0ms ago)',
    );
    expect(formatPause({ by: 'client', reason: 'paused by an operator', at }, at)).toMatch(
      /^paused by an operator since /,
    );
  });

  it('is a field only while the run is paused', () => {
    expect(pausedField({ state: 'paused', pause: byBudget }, at)).toHaveLength(1);
    expect(pausedField({ state: 'running', pause: null }, at)).toEqual([]);
    expect(pausedField({ state: 'running' }, at)).toEqual([]);
  });

  it.each([
    ['maxCostUsd', 'resume with x agent resume spender --add-cost <usd> (or --max-cost <usd>)'],
    ['maxTokens', 'resume with x agent resume spender --max-tokens <n>'],
    ['maxCostPerDayUsd', /--max-cost-per-day <usd>, or after 00:00 UTC/],
    ['fleetCostPerDayUsd', /daemon's daily budget was reached.*--max-cost-per-day/],
    [undefined, 'resume with x agent resume spender'],
  ] as const)('the resume hint names the option that lifts %s', (limit, hint) => {
    const text = resumeHint('spender', { ...byBudget, limit });
    if (typeof hint === 'string') {
      expect(text).toBe(hint);
    } else {
      expect(text).toMatch(hint);
    }
  });
});
