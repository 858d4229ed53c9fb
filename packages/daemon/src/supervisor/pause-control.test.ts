import { describe, expect, it } from 'vitest';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { RunBudgetOptions, RunRecord } from '../persistence/records.js';
import { budgetApplies, type BudgetDecision } from './budget-policy.js';
import { PauseControl, type PauseRunner } from './pause-control.js';
import type { SupervisorEvent } from './supervisor-events.js';

const over: BudgetDecision = {
  exceeded: true,
  limit: 'maxCostUsd',
  limitValue: 1,
  spent: 1.02,
  explanation: 'cost $1.02 reached the budget of $1.00 (--max-cost)',
};

/**
 * PauseControl over a run record, a fake attempt and a budget judged by `decide` (which sees
 * the options as the run holds them), with transitions, stops and log lines recorded.
 */
function setup(
  options: {
    state?: RunRecord['state'];
    budget?: RunBudgetOptions;
    pausable?: boolean;
    decide?: (run: RunRecord) => BudgetDecision;
    /** Models with a stored report without a cost (an earlier attempt's, or daemon's). */
    stored?: (string | undefined)[];
  } = {},
) {
  const run = {
    runId: 'r-1',
    name: 'echo',
    state: options.state ?? 'running',
    pause: null,
    options: { stopBudget: { ipcMs: 10, sigtermMs: 20 }, budget: options.budget ?? null },
  } as unknown as RunRecord;
  const told: [boolean, string | undefined][] = [];
  const budgeted: boolean[] = [];
  const attempt: PauseRunner = {
    pausable: options.pausable ?? true,
    setPaused: (paused, reason) => void told.push([paused, reason]),
    setBudgeted: (applies) => void budgeted.push(applies),
  };
  const transitions: [string, unknown][] = [];
  const stops: [unknown, string][] = [];
  const lines: string[] = [];
  const recorded: number[] = [];
  const events: SupervisorEvent[] = [];
  const stored = new Set(options.stored ?? []);
  const decide = () => options.decide?.(run) ?? { exceeded: false as const };
  const control = new PauseControl({
    run: () => run,
    runner: () => attempt,
    durability: {
      recordUsage: (n, usage) => {
        recorded.push(n);
        if (usage.costUsd === undefined) {
          stored.add(usage.model);
        }
        return decide();
      },
      decide,
      budgeted: () => budgetApplies(run.options.budget, undefined),
      hasReportWithoutCost: (model) => stored.has(model),
      modelsWithoutCost: (limit) => {
        const models = [...stored].map((model) => ({ model: model ?? null, calls: 1 }));
        return { models: models.slice(0, limit), total: models.length };
      },
    },
    log: { line: (_source, text) => void lines.push(text) },
    emit: (event) => void events.push(event),
    now: () => 5000,
    transition: (to, fields) => {
      run.state = to;
      transitions.push([to, fields]);
    },
    stop: (budget, reason) => void stops.push([budget, reason]),
    persist: () => undefined,
  });
  return { control, run, told, budgeted, transitions, stops, lines, recorded, events };
}

const byClient = { by: 'client', reason: 'lunch', at: 1 } as const;

describe('PauseControl', () => {
  it('pauses a running run and tells a runner that can pause', () => {
    const t = setup();
    t.control.pause(byClient);
    expect(t.run.pause).toEqual(byClient);
    expect(t.transitions).toEqual([['paused', { pause: byClient }]]);
    expect(t.told).toEqual([[true, 'lunch']]);
    expect(t.lines).toEqual(['paused (client): lunch']);
  });

  it('pauses a runner without capabilities.pause without telling it, and says so', () => {
    const t = setup({ pausable: false });
    t.control.pause(byClient);
    expect(t.transitions).toHaveLength(1);
    expect(t.lines[1]).toMatch(/does not announce capabilities\.pause/);
  });

  it('pausing a paused run keeps the first reason', () => {
    const t = setup();
    t.control.pause(byClient);
    t.control.pause({ by: 'client', reason: 'again', at: 2 });
    expect(t.run.pause).toEqual(byClient);
    expect(t.transitions).toHaveLength(1);
  });

  it.each(['starting', 'backoff', 'stopping'] as const)('refuses to pause a run %s', (state) => {
    const t = setup({ state });
    expect(() => t.control.pause(byClient)).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.RUN_NOT_PAUSABLE }),
    );
    expect(t.transitions).toEqual([]);
  });

  it('refuses to resume a run that is not paused', () => {
    const t = setup();
    expect(() => t.control.resume()).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.RUN_NOT_PAUSABLE }),
    );
  });

  it('resumes with a raised budget, judged with the new budget, and tells the runner', () => {
    const t = setup({
      budget: { maxCostUsd: 1 },
      decide: (run) => (run.options.budget?.maxCostUsd === 1 ? over : { exceeded: false }),
    });
    t.control.pause(byClient);
    t.control.resume({ maxCostUsd: 2 });
    expect(t.run.pause).toBeNull();
    expect(t.run.options.budget).toEqual({ maxCostUsd: 2 });
    expect(t.transitions[1]).toEqual(['running', { pause: null, options: t.run.options }]);
    expect(t.told).toEqual([
      [true, 'lunch'],
      [false, undefined],
    ]);
  });

  it('a budget change and a resume with a budget tell the runner whether a budget applies, before the resume', () => {
    const t = setup();
    t.control.setBudget({ maxTokens: 100 });
    t.control.setBudget({ onBudget: 'stop' });
    expect(t.budgeted).toEqual([true, false]);
    t.control.pause(byClient);
    t.control.resume({ maxCostPerDayUsd: 2 });
    expect(t.budgeted).toEqual([true, false, true]);
    expect(t.told.at(-1)).toEqual([false, undefined]);
  });

  it('a resume still over budget is refused with -32602 naming the limit, and changes nothing', () => {
    const t = setup({ budget: { maxCostUsd: 1 }, decide: () => over });
    t.control.pause(byClient);
    const before = t.run.options;
    expect(() => t.control.resume({ maxCostUsd: 1.01 })).toThrow(
      expect.objectContaining({
        code: -32602,
        data: { field: '/maxCostUsd', limit: 'maxCostUsd', spent: 1.02 },
      }),
    );
    expect(t.run.options).toBe(before);
    expect(t.run.state).toBe('paused');
  });

  it('spend that reaches the budget pauses a running run, by budget, with the limit', () => {
    const t = setup({ budget: { maxCostUsd: 1 }, decide: () => over });
    t.control.spend(2, { costUsd: 1.02 });
    expect(t.recorded).toEqual([2]);
    expect(t.run.pause).toEqual({
      by: 'budget',
      reason: 'cost $1.02 reached the budget of $1.00 (--max-cost)',
      at: 5000,
      limit: 'maxCostUsd',
      limitValue: 1,
      spent: 1.02,
    });
    expect(t.stops).toEqual([]);
  });

  it('with onBudget stop, spend that reaches the budget stops the run with its stop budget', () => {
    const t = setup({ budget: { maxCostUsd: 1, onBudget: 'stop' }, decide: () => over });
    t.control.spend(1, { costUsd: 1.02 });
    expect(t.stops).toEqual([
      [
        { ipcMs: 10, sigtermMs: 20 },
        'budget reached: cost $1.02 reached the budget of $1.00 (--max-cost)',
      ],
    ]);
    expect(t.transitions).toEqual([]);
  });

  it('spend over budget is only counted unless the run is running', () => {
    const t = setup({ state: 'starting', decide: () => over });
    t.control.spend(1, { costUsd: 3 });
    expect(t.recorded).toEqual([1]);
    expect(t.transitions).toEqual([]);
    expect(t.stops).toEqual([]);
  });

  it('warns once per model, in the run log and as a warn log event, when reports without a cost meet a cost budget', () => {
    const { control, lines, events } = setup({ budget: { maxCostUsd: 1 } });
    control.spend(1, { inputTokens: 10, model: 'm-1' });
    control.spend(2, { inputTokens: 10, model: 'm-1' });
    control.spend(2, { inputTokens: 10, model: 'm-2', costUsd: 0.1 });
    control.spend(2, { inputTokens: 10, model: 'm-2' });
    control.spend(2, { inputTokens: 10 });
    const warnings = lines.filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([
      expect.stringContaining(
        'the cost budget (--max-cost $1.00) cannot see model m-1: its price is unknown',
      ),
      expect.stringContaining('cannot see model m-2'),
      expect.stringContaining('cannot see model (reports naming no model)'),
    ]);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({
      type: 'log',
      runId: 'r-1',
      name: 'echo',
      level: 'warn',
      message: `x: ${warnings[0]}`,
    });
  });

  it('a cost limit given later (budget change, resume) warns of the models already reported without a cost, once', () => {
    const { control, lines, run } = setup({ budget: { maxTokens: 100 }, stored: ['m-1'] });
    control.setBudget({ maxTokens: 100, maxCostUsd: 1 });
    control.spend(1, { inputTokens: 10, model: 'm-1' });
    control.setBudget({ maxCostUsd: 2 });
    expect(run.options.budget).toEqual({ maxCostUsd: 2 });
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      expect.stringContaining('the cost budget (--max-cost $1.00) cannot see model m-1'),
    ]);
  });

  it.each([
    ['a run without a cost budget (tokens only)', { maxTokens: 100 }, []],
    [
      'a model an earlier attempt or daemon already reported without a cost',
      { maxCostUsd: 1 },
      ['m-1'],
    ],
  ])('does not warn for %s', (_title, budget, stored) => {
    const { control, lines, events } = setup({ budget, stored });
    control.spend(1, { inputTokens: 10, model: 'm-1' });
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([]);
    expect(events).toEqual([]);
  });
});
