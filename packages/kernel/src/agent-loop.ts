import type { ExitReason, LogLevel, Usage } from '@x/ipc';
import { STOP_RESERVE_MS } from './constants.js';
import type { AgentContext, AgentDefinition, StepResult } from './define-agent.js';

/** What one run of an agent is given. */
export interface AgentLoopOptions {
  runId: string;
  name: string;
  params: Record<string, unknown>;
  /** Pause between the end of one iteration and the start of the next, in ms. */
  intervalMs: number;
  /** End the run (reason `max_iterations`) after this many iterations. @default unlimited */
  maxIterations?: number | undefined;
}

/** One finished iteration, as reported to the sink. */
export interface IterationReport {
  iteration: number;
  status: 'ok' | 'error';
  durationMs: number;
  summary?: string;
  error?: string;
  usage?: Usage;
}

/** Where an {@link AgentLoop} reports what happens. Calls must not throw. */
export interface AgentLoopSink {
  iterationStart(iteration: number, startedAt: number): void;
  iterationDone(report: IterationReport): void;
  log(level: LogLevel, message: string): void;
  notify(payload: unknown): void;
}

/** How a run of the loop ended. */
export interface LoopOutcome {
  reason: ExitReason;
  /** Iterations that ran to their end (ok or error). */
  iterations: number;
  /** Summary of the last iteration, or why the run failed. */
  summary?: string;
}

type LoopState = 'idle' | 'running' | 'stopping' | 'finished';
/** Of the stop reserve, how long teardown may still run after the step deadline: 200 ms. */
const TEARDOWN_RESERVE_MS = 200;
const ABANDONED = Symbol('abandoned');

/**
 * Runs an agent: `setup`, then `step` every `intervalMs` until it returns `done`, the
 * iteration limit is reached or {@link AgentLoop.stop} is called, then `teardown`.
 * Transport-agnostic: the `x runner --pipe` entry and in-process hosts both drive it.
 */
export class AgentLoop {
  readonly #abort = new AbortController();
  #state: LoopState = 'idle';
  #wake: (() => void) | undefined;
  #deadline: Promise<typeof ABANDONED> = new Promise(() => undefined);
  #passDeadline: (() => void) | undefined;
  #iteration = 0;

  constructor(
    private readonly agent: AgentDefinition<Record<string, unknown>, unknown>,
    private readonly options: AgentLoopOptions,
    private readonly sink: AgentLoopSink,
  ) {
    this.#deadline = new Promise((resolve) => {
      this.#passDeadline = () => resolve(ABANDONED);
    });
  }

  /** `idle` → `running` → (`stopping`) → `finished`. */
  get state(): LoopState {
    return this.#state;
  }

  /** Aborted when a stop is asked. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Asks the loop to stop: aborts `ctx.signal`, lets the current iteration finish within
   * `graceMs` (less a 250 ms reserve for teardown and reporting), skips the interval wait.
   * An iteration still running when the grace is over is abandoned. Idempotent.
   */
  stop(graceMs: number, reason = 'stop requested'): void {
    if (this.#state === 'finished' || this.#state === 'stopping') {
      return;
    }
    this.#state = this.#state === 'idle' ? 'finished' : 'stopping';
    this.#abort.abort(new Error(reason));
    this.#wake?.();
    // Not unref()ed: while stopping, the grace period must keep the process alive even when
    // the step awaits something that holds no handle.
    setTimeout(() => this.#passDeadline?.(), Math.max(0, graceMs - STOP_RESERVE_MS));
  }

  /** Runs the agent to its end. Never rejects: agent errors become the outcome. */
  async run(): Promise<LoopOutcome> {
    if (this.#state !== 'idle') {
      return { reason: 'stopped', iterations: 0 };
    }
    this.#state = 'running';
    let state: unknown;
    try {
      state = await this.#raceDeadline(
        Promise.resolve().then(() => this.agent.setup?.(this.#context(0, undefined))),
      );
    } catch (error) {
      const message = `setup failed: ${errorMessage(error)}`;
      this.sink.log('error', message);
      return this.#finish({ reason: 'error', iterations: 0, summary: message });
    }
    if (state === ABANDONED) {
      return this.#finish({ reason: 'stopped', iterations: 0, summary: 'stopped during setup' });
    }

    const { maxIterations, intervalMs } = this.options;
    let completed = 0;
    let summary: string | undefined;
    let reason: ExitReason = 'stopped';
    for (;;) {
      if (this.#abort.signal.aborted) {
        reason = 'stopped';
        break;
      }
      if (maxIterations !== undefined && completed >= maxIterations) {
        reason = 'max_iterations';
        break;
      }
      this.#iteration += 1;
      const iteration = this.#iteration;
      const startedAt = Date.now();
      const started = performance.now();
      this.sink.iterationStart(iteration, startedAt);
      let result: StepResult | void | typeof ABANDONED = undefined;
      let failed = false;
      let failure: unknown;
      try {
        result = await this.#raceDeadline(
          Promise.resolve().then(() => this.agent.step(this.#context(iteration, state))),
        );
      } catch (error) {
        failed = true;
        failure = error;
      }
      const durationMs = Math.round(performance.now() - started);
      if (result === ABANDONED) {
        this.sink.iterationDone({
          iteration,
          status: 'error',
          durationMs,
          error: 'abandoned: did not finish within the stop grace period',
        });
        completed += 1;
        reason = 'stopped';
        break;
      }
      completed += 1;
      if (failed) {
        this.sink.iterationDone({
          iteration,
          status: 'error',
          durationMs,
          error: errorMessage(failure),
        });
      } else {
        const report: IterationReport = { iteration, status: 'ok', durationMs };
        if (typeof result?.summary === 'string') {
          report.summary = result.summary;
          summary = result.summary;
        }
        if (result?.usage !== undefined) {
          report.usage = result.usage;
        }
        this.sink.iterationDone(report);
        if (result?.done === true) {
          reason = 'done';
          break;
        }
      }
      if (maxIterations !== undefined && completed >= maxIterations) {
        reason = 'max_iterations';
        break;
      }
      if (this.#abort.signal.aborted) {
        reason = 'stopped';
        break;
      }
      if (intervalMs > 0) {
        await this.#sleep(intervalMs);
      } else {
        // Yield so a stop (and I/O) can be seen between back-to-back iterations.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }

    if (this.agent.teardown !== undefined) {
      try {
        await this.#raceTeardown(
          Promise.resolve().then(() => this.agent.teardown?.(this.#context(0, state))),
        );
      } catch (error) {
        this.sink.log('error', `teardown failed: ${errorMessage(error)}`);
      }
    }
    return this.#finish(
      summary === undefined
        ? { reason, iterations: completed }
        : { reason, iterations: completed, summary },
    );
  }

  #finish(outcome: LoopOutcome): LoopOutcome {
    this.#state = 'finished';
    if (!this.#abort.signal.aborted) {
      this.#abort.abort(new Error(`run ended: ${outcome.reason}`));
    }
    return outcome;
  }

  #raceDeadline<T>(work: Promise<T>): Promise<T | typeof ABANDONED> {
    return Promise.race([work, this.#deadline]);
  }

  /** Teardown may use the reserve too: it ends at the grace deadline plus TEARDOWN_RESERVE_MS. */
  #raceTeardown<T>(work: Promise<T>): Promise<T | typeof ABANDONED> {
    const limit = this.#deadline.then(
      () =>
        new Promise<typeof ABANDONED>((resolve) =>
          setTimeout(() => resolve(ABANDONED), TEARDOWN_RESERVE_MS),
        ),
    );
    return Promise.race([work, limit]);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #context(iteration: number, state: unknown): AgentContext & { readonly state: unknown } {
    const { runId, name, params } = this.options;
    const sink = this.sink;
    const live = () => this.#state !== 'finished';
    return {
      runId,
      name,
      iteration,
      params,
      state,
      signal: this.#abort.signal,
      log(level, message) {
        if (live()) {
          sink.log(level, String(message));
        }
      },
      notify(payload) {
        if (live()) {
          sink.notify(payload);
        }
      },
    };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}
