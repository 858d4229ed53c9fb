import { RETAIN_ITERATIONS_MS, RETAIN_RUNS_MS } from '../constants.js';
import type { Logger } from '../process/logger.js';
import type { PruneCounts, PruneRule, PruneStep } from './history-pruner.js';

/**
 * Default count bound: each run keeps its newest 10 000 iterations (and as many turns and
 * permission requests), whatever their age. At 10 iterations a second that is 17 minutes of
 * history, about 1 MiB on disk per run.
 */
export const MAX_ITERATIONS_PER_RUN = 10_000;
/**
 * How often history is pruned: every 60 000 ms. A pass deletes in batches and yields to the
 * event loop between them, so it can run often; between passes a run grows by at most what it
 * writes in this time (600 rows at 10 iterations a second).
 */
export const RETENTION_INTERVAL_MS = 60_000;
/**
 * How long the first pass, at start, may run before it starts yielding: 50 ms. A usual
 * database is pruned before the daemon answers its first request; a large backlog (after an
 * upgrade, or a lowered retention) goes on in the background.
 */
export const RETENTION_START_BUDGET_MS = 50;

/** History retention of a daemon (`StartDaemonOptions.retention`); absent fields take the defaults. */
export interface RetentionOptions {
  /**
   * Age after which iterations (of any run, active ones included), finished turns and decided
   * permission requests are deleted, ms. @default 30 days (RETAIN_ITERATIONS_MS)
   */
  iterationsMs?: number | undefined;
  /**
   * Age (since it ended) after which a finished run is deleted with its attempts, iterations,
   * turns and requests, ms; an active run never is. @default 90 days (RETAIN_RUNS_MS)
   */
  runsMs?: number | undefined;
  /**
   * Newest iterations kept per run, whatever their age; the same bound applies to a run's
   * turns and to its permission requests (pending ones are always kept). An integer ≥ 1, or
   * `Infinity` for no count bound. @default 10 000 (MAX_ITERATIONS_PER_RUN)
   */
  maxIterationsPerRun?: number | undefined;
  /** Time between the end of one prune pass and the start of the next, ms. @default 60 000 */
  intervalMs?: number | undefined;
}

/** {@link RetentionOptions} with the defaults filled in. */
export type RetentionPolicy = { [K in keyof RetentionOptions]-?: number };

/**
 * Fills in the defaults.
 * @throws RangeError naming the field, for a negative period or interval, or a count bound
 *   that is not an integer ≥ 1 (or `Infinity`).
 */
export function resolveRetention(options: RetentionOptions = {}): RetentionPolicy {
  const policy: RetentionPolicy = {
    iterationsMs: options.iterationsMs ?? RETAIN_ITERATIONS_MS,
    runsMs: options.runsMs ?? RETAIN_RUNS_MS,
    maxIterationsPerRun: options.maxIterationsPerRun ?? MAX_ITERATIONS_PER_RUN,
    intervalMs: options.intervalMs ?? RETENTION_INTERVAL_MS,
  };
  for (const key of ['iterationsMs', 'runsMs', 'intervalMs'] as const) {
    if (!(policy[key] >= 0) || !Number.isFinite(policy[key])) {
      throw new RangeError(
        `x: retention.${key} must be a number of ms ≥ 0; received ${String(options[key])}`,
      );
    }
  }
  const max = policy.maxIterationsPerRun;
  if (max !== Infinity && !(Number.isInteger(max) && max >= 1)) {
    throw new RangeError(
      `x: retention.maxIterationsPerRun must be an integer ≥ 1 (or Infinity for no bound); received ${String(max)}`,
    );
  }
  return policy;
}

/** What one prune pass did. */
export interface PrunePassReport {
  /** ms since the Unix epoch. */
  startedAt: number;
  deleted: PruneCounts;
  /** Steps run: each one DELETE transaction of at most a batch of rows, or one read. */
  steps: number;
  /** The longest step: how long the pass held the event loop at once, ms. */
  longestStepMs: number;
  /** Time spent in steps, ms (the pass's wall time is longer: it yields between steps). */
  busyMs: number;
  /** Set when a step threw (the pass stopped there; the next one retries). */
  error: string | null;
}

/** Collaborators of a {@link RetentionScheduler}. */
export interface RetentionSchedulerOptions {
  /** Makes one pass of a rule, a step at a time (`RunStore.pruner`). */
  pruner: { pass(rule: PruneRule): Iterable<PruneStep> };
  policy: RetentionPolicy;
  logger: Logger;
  /** Called after each pass with its start time (e.g. to prune the event backlog by age). */
  afterPass?: ((now: number) => void) | undefined;
  /** Wall clock, ms since the epoch. @default Date.now */
  now?: (() => number) | undefined;
}

/**
 * Runs retention: a pass at start, then one every `policy.intervalMs` after the previous one
 * ended (never two at once). A pass runs step by step, yielding to the event loop between
 * steps (`setImmediate`), so control requests and runner messages are served while a large
 * backlog is deleted. Failures are logged and retried at the next pass; they never stop the
 * daemon.
 */
export class RetentionScheduler {
  readonly #options: RetentionSchedulerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PrunePassReport> | undefined;
  #stopped = false;
  #previousStart: number | undefined;
  #last: PrunePassReport | null = null;
  #longestStepMs = 0;

  constructor(options: RetentionSchedulerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The last finished pass, or null. */
  get lastPass(): PrunePassReport | null {
    return this.#last;
  }

  /** The longest step of any pass so far, ms. */
  get longestStepMs(): number {
    return this.#longestStepMs;
  }

  /**
   * Starts the first pass now, synchronously for up to RETENTION_START_BUDGET_MS; the next
   * ones follow by the policy's interval.
   */
  start(): void {
    void this.#cycle(RETENTION_START_BUDGET_MS);
  }

  /** Runs a pass now, or returns the one running. Resolves with its report. */
  runPass(): Promise<PrunePassReport> {
    return this.#run(0);
  }

  #run(syncBudgetMs: number): Promise<PrunePassReport> {
    this.#running ??= this.#pass(syncBudgetMs).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops: no further step or pass runs (the running pass ends at its next step). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #cycle(syncBudgetMs = 0): Promise<void> {
    await this.#run(syncBudgetMs);
    if (!this.#stopped) {
      // Not a reason to stay alive: the daemon lives for its socket and runners.
      this.#timer = setTimeout(() => void this.#cycle(), this.#options.policy.intervalMs);
      this.#timer.unref();
    }
  }

  /** One pass; steps run back to back until `syncBudgetMs` is spent, then one per turn. */
  async #pass(syncBudgetMs: number): Promise<PrunePassReport> {
    const { policy, logger } = this.#options;
    const now = this.#now();
    const passStarted = performance.now();
    const report: PrunePassReport = {
      startedAt: now,
      deleted: { iterations: 0, turns: 0, permissions: 0, runs: 0 },
      steps: 0,
      longestStepMs: 0,
      busyMs: 0,
      error: null,
    };
    const rule: PruneRule = {
      iterationsBefore: now - policy.iterationsMs,
      runsBefore: now - policy.runsMs,
      maxPerRun: policy.maxIterationsPerRun,
      // A run that ended before the previous pass began was bounded by it (1 s of slack
      // for clock steps between the two readings).
      boundSince: this.#previousStart === undefined ? undefined : this.#previousStart - 1000,
    };
    const steps = this.#options.pruner.pass(rule)[Symbol.iterator]();
    try {
      while (!this.#stopped) {
        const started = performance.now();
        const step = steps.next();
        const ms = performance.now() - started;
        if (step.done === true) {
          break;
        }
        report.steps += 1;
        report.busyMs += ms;
        report.longestStepMs = Math.max(report.longestStepMs, ms);
        report.deleted[step.value.table] += step.value.deleted;
        if (performance.now() - passStarted >= syncBudgetMs) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      this.#previousStart = now;
    } catch (error) {
      report.error = (error as Error).message;
      logger.error(`retention: prune failed: ${report.error}`);
    } finally {
      steps.return?.();
    }
    this.#longestStepMs = Math.max(this.#longestStepMs, report.longestStepMs);
    this.#last = report;
    const { iterations, turns, permissions, runs } = report.deleted;
    if (iterations + turns + permissions + runs > 0) {
      logger.info(
        `retention: pruned ${iterations} iteration(s), ${turns} turn(s), ${permissions} permission request(s) and ${runs} finished run(s) in ${report.steps} step(s), ${report.busyMs.toFixed(0)} ms in all, longest ${report.longestStepMs.toFixed(1)} ms`,
      );
    }
    if (!this.#stopped) {
      this.#afterPass(now);
    }
    return report;
  }

  #afterPass(now: number): void {
    try {
      this.#options.afterPass?.(now);
    } catch (error) {
      this.#options.logger.error(`retention: ${(error as Error).message}`);
    }
  }
}
