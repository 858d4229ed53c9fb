import { describe, expect, it } from 'vitest';
import { RETAIN_ITERATIONS_MS, RETAIN_RUNS_MS } from '../constants.js';
import type { Logger } from '../process/logger.js';
import type { PruneRule, PruneStep } from './history-pruner.js';
import {
  MAX_ITERATIONS_PER_RUN,
  RETENTION_INTERVAL_MS,
  RetentionScheduler,
  resolveRetention,
  type RetentionOptions,
} from './retention-scheduler.js';

const logs = () => {
  const lines: string[] = [];
  const logger: Logger = {
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { lines, logger };
};

const waitUntil = async (predicate: () => boolean) => {
  for (let i = 0; i < 500 && !predicate(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(predicate()).toBe(true);
};

const busyWait = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // holds the event loop, as a long transaction would
  }
};

describe('resolveRetention', () => {
  it('fills in the defaults: 30 days, 90 days, 10 000 per run, every 60 s', () => {
    expect(resolveRetention()).toEqual({
      iterationsMs: RETAIN_ITERATIONS_MS,
      runsMs: RETAIN_RUNS_MS,
      maxIterationsPerRun: MAX_ITERATIONS_PER_RUN,
      intervalMs: RETENTION_INTERVAL_MS,
    });
    expect(resolveRetention({ maxIterationsPerRun: Infinity }).maxIterationsPerRun).toBe(Infinity);
  });

  it.each<[RetentionOptions, string]>([
    [{ maxIterationsPerRun: 0 }, 'maxIterationsPerRun'],
    [{ maxIterationsPerRun: 2.5 }, 'maxIterationsPerRun'],
    [{ maxIterationsPerRun: Number.NaN }, 'maxIterationsPerRun'],
    [{ iterationsMs: -1 }, 'iterationsMs'],
    [{ runsMs: Infinity }, 'runsMs'],
    [{ intervalMs: Number.NaN }, 'intervalMs'],
  ])('refuses %o, naming %s', (options, field) => {
    expect(() => resolveRetention(options)).toThrow(new RegExp(`retention\\.${field}`));
  });
});

describe('RetentionScheduler', () => {
  const policy = resolveRetention({ intervalMs: 5, maxIterationsPerRun: 7 });

  it('runs a pass step by step, yielding to the event loop between steps, and reports it', async () => {
    const order: string[] = [];
    const { lines, logger } = logs();
    const scheduler = new RetentionScheduler({
      pruner: {
        *pass(): Generator<PruneStep> {
          for (let i = 0; i < 4; i += 1) {
            order.push('step');
            busyWait(i === 2 ? 25 : 0);
            yield { table: i === 3 ? 'turns' : 'iterations', deleted: 10 };
          }
        },
      },
      policy,
      logger,
    });
    setImmediate(() => order.push('io'));
    const report = await scheduler.runPass();
    expect(order).toEqual(['step', 'io', 'step', 'step', 'step']);
    expect(report).toMatchObject({
      deleted: { iterations: 30, turns: 10, permissions: 0, runs: 0 },
      steps: 4,
      error: null,
    });
    expect(report.longestStepMs).toBeGreaterThanOrEqual(25);
    expect(scheduler.longestStepMs).toBe(report.longestStepMs);
    expect(lines).toEqual([
      expect.stringMatching(
        /^info retention: pruned 30 iteration\(s\), 10 turn\(s\), 0 permission request\(s\) and 0 finished run\(s\) in 4 step\(s\), \d+ ms in all, longest \d+\.\d ms$/,
      ),
    ]);
  });

  it('gives each pass the rule of its time, bounding only runs that changed since the previous pass', async () => {
    const rules: PruneRule[] = [];
    let clock = 100_000;
    const scheduler = new RetentionScheduler({
      pruner: {
        pass: (rule) => {
          rules.push(rule);
          return [];
        },
      },
      policy,
      logger: logs().logger,
      now: () => clock,
    });
    await scheduler.runPass();
    clock = 160_000;
    await scheduler.runPass();
    expect(rules).toEqual([
      {
        iterationsBefore: 100_000 - RETAIN_ITERATIONS_MS,
        runsBefore: 100_000 - RETAIN_RUNS_MS,
        maxPerRun: 7,
        boundSince: undefined,
      },
      expect.objectContaining({
        iterationsBefore: 160_000 - RETAIN_ITERATIONS_MS,
        boundSince: 99_000,
      }),
    ]);
  });

  it('logs a failed step, ends that pass, and the next pass starts over with every run', async () => {
    const rules: PruneRule[] = [];
    let fail = true;
    const { lines, logger } = logs();
    const scheduler = new RetentionScheduler({
      pruner: {
        *pass(rule): Generator<PruneStep> {
          rules.push(rule);
          yield { table: 'iterations', deleted: 1 };
          if (fail) {
            throw new Error('SQLITE_FULL: database or disk is full');
          }
        },
      },
      policy,
      logger,
    });
    expect((await scheduler.runPass()).error).toMatch(/SQLITE_FULL/);
    fail = false;
    expect((await scheduler.runPass()).error).toBeNull();
    expect(rules.map((rule) => rule.boundSince)).toEqual([undefined, undefined]);
    expect(lines[0]).toBe('error retention: prune failed: SQLITE_FULL: database or disk is full');
  });

  it('once started, runs a pass every intervalMs after the previous one ends, until stopped', async () => {
    let passes = 0;
    const after: number[] = [];
    const { lines, logger } = logs();
    const scheduler = new RetentionScheduler({
      pruner: {
        *pass(): Generator<PruneStep> {
          passes += 1;
          yield { table: 'iterations', deleted: 0 };
        },
      },
      policy,
      logger,
      afterPass: (now) => {
        after.push(now);
        if (after.length === 1) {
          throw new Error('events: not fatal');
        }
      },
    });
    scheduler.start();
    await waitUntil(() => passes >= 3);
    scheduler.stop();
    const stoppedAt = passes;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toBe(stoppedAt);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(lines).toEqual(['error retention: events: not fatal']);
  });

  it('start() runs a small first pass at once, and leaves a long one to the background after 50 ms', async () => {
    let steps = 0;
    const passOf = (count: number, ms: number) => ({
      *pass(): Generator<PruneStep> {
        for (let i = 0; i < count; i += 1) {
          steps += 1;
          busyWait(ms);
          yield { table: 'iterations' as const, deleted: 1 };
        }
      },
    });
    const small = new RetentionScheduler({ pruner: passOf(20, 0), policy, logger: logs().logger });
    small.start();
    expect(steps).toBe(20);
    small.stop();

    steps = 0;
    const large = new RetentionScheduler({ pruner: passOf(6, 20), policy, logger: logs().logger });
    large.start();
    // 20 ms (or more, on a loaded machine) a step: by the third the budget is spent.
    expect(steps).toBeGreaterThanOrEqual(1);
    expect(steps).toBeLessThanOrEqual(3);
    await waitUntil(() => large.lastPass !== null);
    expect(steps).toBe(6);
    large.stop();
  });

  it('stop() ends a running pass at its next step', async () => {
    let steps = 0;
    const scheduler: RetentionScheduler = new RetentionScheduler({
      pruner: {
        *pass(): Generator<PruneStep> {
          for (;;) {
            steps += 1;
            if (steps === 5) {
              // As shutdown would, between two steps.
              setImmediate(() => scheduler.stop());
            }
            yield { table: 'iterations', deleted: 1 };
          }
        },
      },
      policy,
      logger: logs().logger,
    });
    const report = await scheduler.runPass();
    expect(report.steps).toBe(5);
    expect(steps).toBe(5);
  });
});
