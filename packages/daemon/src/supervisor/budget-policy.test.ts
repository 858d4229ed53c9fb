import { describe, expect, it } from 'vitest';
import {
  NO_USAGE,
  budgetApplies,
  budgetHeadroom,
  budgetProblem,
  budgetWarning,
  decideBudget,
  unknownCostWarning,
  type BudgetInput,
  type UsageTotals,
} from './budget-policy.js';

const totals = (over: Partial<UsageTotals> = {}): UsageTotals => ({ ...NO_USAGE, ...over });
const input = (
  budget: BudgetInput['budget'],
  spend: Partial<BudgetInput['spend']> = {},
  fleet?: BudgetInput['fleet'],
): BudgetInput => ({
  budget,
  fleet,
  spend: { run: totals(), runToday: totals(), fleetToday: totals(), ...spend },
});

describe('decideBudget', () => {
  const cost = (costUsd: number) => totals({ costUsd, calls: 1 });
  const table: [string, BudgetInput, string | null, number | null][] = [
    ['no budget: nothing is reached', input({}, { run: cost(1e6) }), null, null],
    ['cost under the budget', input({ maxCostUsd: 1 }, { run: cost(0.99) }), null, null],
    ['cost at the budget is reached', input({ maxCostUsd: 1 }, { run: cost(1) }), 'maxCostUsd', 1],
    ['cost over the budget', input({ maxCostUsd: 1 }, { run: cost(1.02) }), 'maxCostUsd', 1.02],
    ['a budget of 0 is reached at once', input({ maxCostUsd: 0 }), 'maxCostUsd', 0],
    ['Infinity is never reached', input({ maxCostUsd: Infinity }, { run: cost(1e9) }), null, null],
    [
      'tokens are input + output: 600 + 400 reach 1000',
      input({ maxTokens: 1000 }, { run: totals({ inputTokens: 600, outputTokens: 400 }) }),
      'maxTokens',
      1000,
    ],
    [
      'tokens 999 stay under 1000',
      input({ maxTokens: 1000 }, { run: totals({ inputTokens: 600, outputTokens: 399 }) }),
      null,
      null,
    ],
    [
      "the run's daily cost counts today only",
      input({ maxCostPerDayUsd: 5 }, { run: cost(50), runToday: cost(4.5) }),
      null,
      null,
    ],
    [
      "the run's daily cost reached",
      input({ maxCostPerDayUsd: 5 }, { run: cost(50), runToday: cost(5) }),
      'maxCostPerDayUsd',
      5,
    ],
    [
      "the fleet's daily cost reached, the run's own budget not",
      input({ maxCostUsd: 10 }, { run: cost(1), fleetToday: cost(100) }, { maxCostPerDayUsd: 100 }),
      'fleetCostPerDayUsd',
      100,
    ],
    [
      'a fleet without a daily budget: nothing',
      input({}, { fleetToday: cost(1e6) }, {}),
      null,
      null,
    ],
    [
      'lifetime limits come before daily ones: cost and daily both reached → maxCostUsd',
      input(
        { maxCostUsd: 1, maxCostPerDayUsd: 1 },
        { run: cost(2), runToday: cost(2), fleetToday: cost(2) },
        { maxCostPerDayUsd: 1 },
      ),
      'maxCostUsd',
      2,
    ],
    [
      'tokens before the daily cost',
      input(
        { maxTokens: 10, maxCostPerDayUsd: 1 },
        { run: totals({ inputTokens: 10, costUsd: 2 }), runToday: cost(2) },
      ),
      'maxTokens',
      10,
    ],
    [
      "the run's day before the fleet's day",
      input(
        { maxCostPerDayUsd: 1 },
        { runToday: cost(1), fleetToday: cost(9) },
        { maxCostPerDayUsd: 2 },
      ),
      'maxCostPerDayUsd',
      1,
    ],
  ];
  it.each(table)('%s', (_title, budgetInput, limit, spent) => {
    const decision = decideBudget(budgetInput);
    expect(decision.exceeded).toBe(limit !== null);
    if (decision.exceeded) {
      expect([decision.limit, decision.spent]).toEqual([limit, spent]);
    }
  });

  it('explains in one line, naming the option', () => {
    const explain = (budgetInput: BudgetInput) => {
      const decision = decideBudget(budgetInput);
      return decision.exceeded ? decision.explanation : '';
    };
    expect(explain(input({ maxCostUsd: 1 }, { run: cost(1.0234) }))).toBe(
      'cost $1.02 reached the budget of $1.00 (--max-cost)',
    );
    expect(
      explain(input({ maxTokens: 1_000_000 }, { run: totals({ inputTokens: 1_200_345 }) })),
    ).toBe('tokens 1,200,345 reached the budget of 1,000,000 (--max-tokens)');
    expect(explain(input({ maxCostPerDayUsd: 0.005 }, { runToday: cost(0.0051) }))).toBe(
      'cost today (UTC) $0.0051 reached the daily budget of $0.005 (--max-cost-per-day)',
    );
    expect(explain(input({}, { fleetToday: cost(50) }, { maxCostPerDayUsd: 50 }))).toBe(
      "cost of all runs today (UTC) $50.00 reached the daemon's daily budget of $50.00 (x daemon start --max-cost-per-day)",
    );
  });

  it('an explanation of a cost limit says how many reports gave no cost', () => {
    const decision = decideBudget(
      input({ maxCostUsd: 0.5 }, { run: totals({ costUsd: 0.5, calls: 4, callsWithoutCost: 3 }) }),
    );
    expect(decision.exceeded && decision.explanation).toBe(
      'cost $0.50 reached the budget of $0.50 (--max-cost); 3 report(s) without a cost not counted',
    );
  });
});

describe('budgetWarning', () => {
  const unknown = totals({ calls: 40, callsWithoutCost: 3 });
  it.each([
    ['a cost budget, 3 of 40 reports without cost', { maxCostUsd: 1 }, unknown, true],
    ['a daily cost budget, 3 of 40 without cost', { maxCostPerDayUsd: 1 }, unknown, true],
    ['a token budget only: no warning', { maxTokens: 100 }, unknown, false],
    ['every report gave a cost: no warning', { maxCostUsd: 1 }, totals({ calls: 40 }), false],
    ['no budget: no warning', {}, unknown, false],
  ])('%s', (_title, budget, runTotals, warns) => {
    expect(budgetWarning(budget, runTotals) !== undefined).toBe(warns);
  });

  it('names the counts and every cost option in one line', () => {
    expect(budgetWarning({ maxCostUsd: 1, maxCostPerDayUsd: 0.25 }, unknown)).toBe(
      '3 of 40 usage report(s) gave no cost: the cost budget (--max-cost $1.00, --max-cost-per-day $0.25) does not count them',
    );
  });
});

describe('unknownCostWarning', () => {
  it.each([
    ['no budget', null, ['m'], 0, undefined],
    ['a token budget only', { maxTokens: 10 }, ['m'], 0, undefined],
    ['a cost budget, no model', { maxCostUsd: 1 }, [], 0, undefined],
    [
      'one model',
      { maxCostUsd: 1 },
      ['my-llm-7b'],
      0,
      'the cost budget (--max-cost $1.00) cannot see model my-llm-7b: its price is unknown, so its calls are not counted against it (their tokens are); price it in the "modelPrices" of the daemon\'s x.config.json, or bound the run with --max-tokens',
    ],
    [
      'two models, one unnamed, and more, under both cost limits',
      { maxCostUsd: 1, maxCostPerDayUsd: 0.5 },
      ['a', null],
      3,
      'the cost budget (--max-cost $1.00, --max-cost-per-day $0.50) cannot see models a, (reports naming no model) and 3 more: their prices are unknown',
    ],
  ])('%s', (_title, budget, models, more, expected) => {
    const warning = unknownCostWarning(budget, models, more);
    if (expected === undefined) {
      expect(warning).toBeUndefined();
    } else {
      expect(warning).toContain(expected);
    }
  });
});

describe('budgetProblem', () => {
  it.each([
    [{ maxCostUsd: 1, maxTokens: 0, maxCostPerDayUsd: Infinity }, {}, undefined],
    [{ maxCostUsd: -1 }, {}, 'budget maxCostUsd must be a number ≥ 0, got -1'],
    [{ maxTokens: Number.NaN }, {}, 'budget maxTokens must be a number ≥ 0, got NaN'],
    [{}, { maxCostPerDayUsd: '5' }, 'budget fleet.maxCostPerDayUsd must be a number ≥ 0, got "5"'],
  ])('%j %j → %s', (budget, fleet, problem) => {
    expect(budgetProblem(budget, fleet as never)).toBe(problem);
  });
});

describe('budgetApplies', () => {
  it.each([
    [null, undefined, false],
    [{ onBudget: 'stop' }, {}, false],
    [{ maxCostUsd: 0 }, undefined, true],
    [{ maxTokens: 10 }, undefined, true],
    [{ maxCostPerDayUsd: 1 }, undefined, true],
    [{}, { maxCostPerDayUsd: 100 }, true],
    [{ maxCostUsd: Infinity }, { maxCostPerDayUsd: Infinity }, false],
  ])('run %j, fleet %j → %s', (budget, fleet, applies) => {
    expect(budgetApplies(budget as never, fleet)).toBe(applies);
  });
});

describe('budgetHeadroom', () => {
  const spent = (costUsd: number, inputTokens = 0, outputTokens = 0) =>
    totals({ costUsd, inputTokens, outputTokens, calls: 1 });
  it.each<[string, BudgetInput, ReturnType<typeof budgetHeadroom>]>([
    ['no limit: nothing bounds it', input({ onBudget: 'pause' } as never), {}],
    [
      "cost: the limit less the run's cost",
      input({ maxCostUsd: 1 }, { run: spent(0.25) }),
      { costUsd: 0.75 },
    ],
    [
      'the least of the lifetime and the daily cost limits',
      input({ maxCostUsd: 10, maxCostPerDayUsd: 1 }, { run: spent(5), runToday: spent(0.5) }),
      { costUsd: 0.5 },
    ],
    ['over a limit: 0', input({ maxCostUsd: 1 }, { run: spent(1.5) }), { costUsd: 0 }],
    [
      'tokens: input + output, rounded up (reached at spent >= limit)',
      input({ maxTokens: 100.5 }, { run: spent(0, 60, 30) }),
      { tokens: 11 },
    ],
    ['Infinity bounds nothing', input({ maxCostUsd: Infinity, maxTokens: 10 }), { tokens: 10 }],
    [
      'a fleet limit applies: none (other runs spend from it too)',
      input({ maxCostUsd: 1 }, {}, { maxCostPerDayUsd: 100 }),
      undefined,
    ],
  ])('%s', (_title, judged, headroom) => {
    expect(budgetHeadroom(judged)).toEqual(headroom);
  });
});
