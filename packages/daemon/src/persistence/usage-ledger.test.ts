import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import { RunStore } from './run-store.js';
import { UsageLedger, utcDay } from './usage-ledger.js';

const DAY_1 = Date.UTC(2025, 0, 31, 12); // 2025-01-31 12:00 UTC
const DAY_2 = Date.UTC(2025, 1, 1, 12);

describe('UsageLedger (real SQLite file, the RunStore connection)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let ledger: UsageLedger;
  beforeEach(() => {
    dir = tempDir('x-usage-');
    runs = new RunStore(`${dir.path}/x.db`);
    runs.insertRun(runRecord('r-1', 'one', 1));
    runs.insertRun(runRecord('r-2', 'two', 1));
    ledger = new UsageLedger(runs.database);
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  const rows = () =>
    (runs.database.prepare('SELECT count(*) AS n FROM agent_usage').get() as { n: number }).n;

  it('sums reports into one row per run, attempt, UTC day and model', () => {
    ledger.record('r-1', 1, { inputTokens: 100, outputTokens: 10, costUsd: 0.01 }, DAY_1);
    ledger.record('r-1', 1, { inputTokens: 50, outputTokens: 5, costUsd: 0.02 }, DAY_1 + 1000);
    expect(rows()).toBe(1);
    ledger.record('r-1', 1, { inputTokens: 1, model: 'gpt-4o-mini', costUsd: 0 }, DAY_1);
    ledger.record('r-1', 2, { inputTokens: 1, costUsd: 0 }, DAY_1);
    ledger.record('r-1', 2, { inputTokens: 1, costUsd: 0 }, DAY_2);
    expect(rows()).toBe(4);
    expect(ledger.attemptTotals('r-1', 1)).toEqual({
      inputTokens: 151,
      outputTokens: 15,
      costUsd: 0.03,
      calls: 3,
      callsWithoutCost: 0,
    });
  });

  it('run, attempt, run-day and fleet-day totals', () => {
    ledger.record('r-1', 1, { inputTokens: 10, costUsd: 1 }, DAY_1);
    ledger.record('r-1', 2, { inputTokens: 20, costUsd: 2 }, DAY_2);
    ledger.record('r-2', 1, { outputTokens: 40, costUsd: 4, model: 'm' }, DAY_2);
    const cost = (totals: { costUsd: number }) => totals.costUsd;
    expect(cost(ledger.runTotals('r-1'))).toBe(3);
    expect(cost(ledger.attemptTotals('r-1', 2))).toBe(2);
    expect(cost(ledger.runDayTotals('r-1', '2025-01-31'))).toBe(1);
    expect(cost(ledger.runDayTotals('r-1', '2025-02-01'))).toBe(2);
    expect(ledger.fleetDayTotals('2025-02-01')).toEqual({
      inputTokens: 20,
      outputTokens: 40,
      costUsd: 6,
      calls: 2,
      callsWithoutCost: 0,
    });
  });

  it('totals of a run, attempt or day without usage are zeros', () => {
    const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0, callsWithoutCost: 0 };
    expect(ledger.runTotals('r-2')).toEqual(zero);
    expect(ledger.attemptTotals('r-1', 9)).toEqual(zero);
    expect(ledger.runDayTotals('r-1', '2025-01-31')).toEqual(zero);
    expect(ledger.fleetDayTotals('1999-12-31')).toEqual(zero);
  });

  it('a report without a cost counts in callsWithoutCost; its tokens still count', () => {
    ledger.record('r-1', 1, { inputTokens: 7 }, DAY_1);
    ledger.record('r-1', 1, {}, DAY_1);
    ledger.record('r-1', 1, { costUsd: 0.5 }, DAY_1);
    expect(ledger.runTotals('r-1')).toEqual({
      inputTokens: 7,
      outputTokens: 0,
      costUsd: 0.5,
      calls: 3,
      callsWithoutCost: 2,
    });
  });

  it('lists the models without a cost over attempts and days, most reports first, at most the limit, with the total', () => {
    ledger.record('r-1', 1, { inputTokens: 1, model: 'gpt-4o-mini', costUsd: 0.1 }, DAY_1);
    ledger.record('r-1', 1, { inputTokens: 1, model: 'my-llm-7b' }, DAY_1);
    ledger.record('r-1', 2, { inputTokens: 1, model: 'my-llm-7b' }, DAY_2);
    ledger.record('r-1', 2, { inputTokens: 1, model: 'acme-1' }, DAY_2);
    ledger.record('r-1', 2, { inputTokens: 1 }, DAY_2);
    ledger.record('r-2', 1, { inputTokens: 1, model: 'other-run' }, DAY_1);
    expect(ledger.modelsWithoutCost('r-1', 10)).toEqual({
      // ties by name: reports that named no model ('') come first
      models: [
        { model: 'my-llm-7b', calls: 2 },
        { model: null, calls: 1 },
        { model: 'acme-1', calls: 1 },
      ],
      total: 3,
    });
    expect(ledger.modelsWithoutCost('r-1', 1)).toEqual({
      models: [{ model: 'my-llm-7b', calls: 2 }],
      total: 3,
    });
    expect(ledger.modelsWithoutCost('r-9', 10)).toEqual({ models: [], total: 0 });
    expect(ledger.hasReportWithoutCost('r-1', 'my-llm-7b')).toBe(true);
    expect(ledger.hasReportWithoutCost('r-1', undefined)).toBe(true);
    expect(ledger.hasReportWithoutCost('r-1', 'gpt-4o-mini')).toBe(false);
    expect(ledger.hasReportWithoutCost('r-2', 'my-llm-7b')).toBe(false);
  });

  it('10 reports of $0.10 make exactly $1.00, and 3 of $0.1 make 0.3 (no float drift)', () => {
    for (let i = 0; i < 10; i += 1) {
      ledger.record('r-1', 1, { costUsd: 0.1 }, DAY_1);
    }
    for (let i = 0; i < 3; i += 1) {
      ledger.record('r-2', 1, { costUsd: 0.1 }, DAY_1);
    }
    expect(ledger.runTotals('r-1').costUsd).toBe(1);
    expect(ledger.runTotals('r-2').costUsd).toBe(0.3);
  });

  it('days are UTC: 23:59:59.999 and 00:00:00.000 fall on two days', () => {
    const midnight = Date.UTC(2025, 1, 1);
    expect([utcDay(midnight - 1), utcDay(midnight)]).toEqual(['2025-01-31', '2025-02-01']);
    ledger.record('r-1', 1, { costUsd: 1 }, midnight - 1);
    ledger.record('r-1', 1, { costUsd: 2 }, midnight);
    expect(ledger.runDayTotals('r-1', '2025-01-31').costUsd).toBe(1);
    expect(ledger.runDayTotals('r-1', '2025-02-01').costUsd).toBe(2);
  });

  it('refuses a fractional or negative token count and a NaN or negative cost, writing nothing', () => {
    expect(() => ledger.record('r-1', 1, { inputTokens: 1.5 }, DAY_1)).toThrow(
      'x: usage inputTokens must be an integer ≥ 0, got 1.5',
    );
    expect(() => ledger.record('r-1', 1, { outputTokens: -1 }, DAY_1)).toThrow(RangeError);
    expect(() => ledger.record('r-1', 1, { costUsd: Number.NaN }, DAY_1)).toThrow(
      'x: usage costUsd must be a finite number ≥ 0, got NaN',
    );
    expect(() => ledger.record('r-1', 1, { costUsd: -0.01 }, DAY_1)).toThrow(RangeError);
    expect(rows()).toBe(0);
  });

  it('a report of a run not in agent_runs throws the foreign-key error', () => {
    expect(() => ledger.record('r-missing', 1, { costUsd: 1 }, DAY_1)).toThrow(/FOREIGN KEY/);
  });

  it('totals survive reopening the database', () => {
    ledger.record('r-1', 1, { inputTokens: 3, costUsd: 0.25 }, DAY_1);
    runs.close();
    runs = new RunStore(`${dir.path}/x.db`);
    ledger = new UsageLedger(runs.database);
    expect(ledger.runTotals('r-1')).toMatchObject({ inputTokens: 3, costUsd: 0.25, calls: 1 });
  });

  it("a fleet's day reads the day index; a run's day, one range (run and day)", () => {
    const plan = (sql: string) =>
      (runs.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((row) => row.detail)
        .join('; ');
    expect(plan("SELECT sum(calls) FROM agent_usage WHERE day = '2025-01-31'")).toMatch(
      /USING INDEX agent_usage_by_day \(day=\?\)/,
    );
    expect(
      plan("SELECT sum(calls) FROM agent_usage WHERE run_id = 'r-1' AND day = '2025-01-31'"),
    ).toMatch(/\((day=\? AND run_id=\?|run_id=\? AND day=\?)\)/);
  });
});
