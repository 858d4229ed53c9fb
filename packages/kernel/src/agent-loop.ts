import type { ModelPrices } from '@x/ipc';
import {
  frozenPrices,
  makeAgentContext,
  makeTurnContext,
  type ContextRun,
} from './agent-context.js';
import type { AgentLoopOptions, LoopOutcome, SubmitTurnOptions } from './agent-loop-options.js';
import type { AgentLoopSink } from './agent-loop-sink.js';
import { makeAgentStore, type AgentStore } from './agent-store.js';
import { CheckpointTaker } from './checkpoint-taker.js';
import { DEFAULT_CHECKPOINT_MAX_BYTES, MAX_QUEUED_TURNS, STOP_RESERVE_MS } from './constants.js';
import type { AgentDefinition } from './define-agent.js';
import { describeThrown, describeWithStack, isConfigError, toErrorDetail } from './error-detail.js';
import { judgeIteration } from './iteration-outcome.js';
import { PauseGate } from './pause-gate.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';
import { ABANDONED, StopDeadline } from './stop-deadline.js';
import { configEnding, type Ending } from './loop-ending.js';
import type { Turn, TurnHandle } from './turn.js';
import { TurnQueue } from './turn-queue.js';

export type { AgentLoopSink, IterationReport } from './agent-loop-sink.js';
export type { AgentLoopOptions, LoopOutcome, SubmitTurnOptions } from './agent-loop-options.js';

type LoopState = 'idle' | 'running' | 'stopping' | 'finished';
/** Of the stop reserve, how long teardown may still run after the step deadline: 200 ms. */
const TEARDOWN_RESERVE_MS = 200;
type Agent = AgentDefinition<Record<string, unknown>, unknown>;

/**
 * Runs an agent: `setup`, then `step` every `intervalMs` and submitted turns, until a step
 * returns `done`, the iteration limit is reached or {@link AgentLoop.stop} is called, then
 * `teardown`. Transport-agnostic: the `x runner --pipe` entry, the worker entry and
 * `createRunner` all drive it.
 *
 * Steps and turns share one loop, and one thing runs at a time. At each turn of the loop,
 * queued turns run first, one by one in submission order; then, if the agent has a `step`
 * and the next iteration is due, one iteration runs; otherwise the loop sleeps until the
 * iteration is due, a turn is submitted, or a stop is asked, whichever comes first. So a
 * turn waits at most for the step in progress, and turns do not move the iteration
 * schedule (`intervalMs` is counted from the end of the previous iteration). An agent with
 * only `turn` sleeps until a turn or a stop arrives; `maxIterations` does not end it.
 *
 * A turn that throws ends as `error` (or `cancelled` when its signal was aborted first),
 * never the run. On a stop, queued turns are cancelled at once; a running turn sees its
 * signal abort and gets the same grace as a step, then is abandoned (`cancelled`). Turns
 * still queued when the run ends for another reason are cancelled, and turns submitted
 * after a stop end `cancelled` at once.
 *
 * {@link AgentLoop.pause} holds the loop between pieces of work (the one running finishes;
 * no iteration or turn starts) until {@link AgentLoop.resume}; a stop ends a paused loop at
 * once. `ctx.checkpoint` goes to the sink's `checkpoint` store, and any call still unanswered
 * when the run ends rejects (`X_CHECKPOINT_STOPPING`); `ctx.restored` is `options.restored`.
 */
export class AgentLoop {
  readonly #abort = new AbortController();
  /** The last iteration report, while the host has not taken it yet (see AgentLoopSink). */
  #delivered: Promise<void> | undefined;
  #state: LoopState = 'idle';
  #wake: (() => void) | undefined;
  readonly #deadline = new StopDeadline();
  #iteration = 0;
  readonly #turns: TurnQueue;
  readonly #gate = new PauseGate((paused) => {
    if (!paused) {
      this.#wake?.();
    }
  });
  readonly #checkpoints: CheckpointTaker;
  readonly #store: AgentStore;
  readonly #prices: Readonly<ModelPrices>;

  constructor(
    private readonly agent: Agent,
    private readonly options: AgentLoopOptions,
    private readonly sink: AgentLoopSink,
  ) {
    this.#checkpoints = new CheckpointTaker(
      sink.checkpoint?.bind(sink),
      options.checkpointMaxBytes ?? DEFAULT_CHECKPOINT_MAX_BYTES,
    );
    this.#store = makeAgentStore(sink.store?.bind(sink));
    this.#prices = frozenPrices(options.modelPrices);
    this.#turns = new TurnQueue(options.maxQueuedTurns ?? MAX_QUEUED_TURNS, (outcome) =>
      sink.turnDone?.(outcome),
    );
  }

  /** `idle` → `running` → (`stopping`) → `finished`. */
  get state(): LoopState {
    return this.#state;
  }

  /** Aborted when a stop is asked. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Turns waiting to run (not counting the running one). */
  get queuedTurns(): number {
    return this.#turns.length;
  }

  /** True between {@link AgentLoop.pause} and {@link AgentLoop.resume}. */
  get paused(): boolean {
    return this.#gate.paused;
  }

  /** Why the loop is paused (the last `pause` reason); undefined when it is not. */
  get pauseReason(): string | undefined {
    return this.#gate.reason;
  }

  /**
   * Pauses the loop: the iteration or turn in progress finishes, then no iteration and no
   * turn starts until {@link AgentLoop.resume} (turns submitted meanwhile wait in the queue;
   * setup, if it has not run yet, still runs). A stop while paused ends the run as usual,
   * without waiting for a resume. Pausing a paused loop only replaces the reason. Returns false
   * when the run is over (nothing to pause).
   */
  pause(reason = 'paused'): boolean {
    if (this.#state === 'finished') {
      return false;
    }
    this.#gate.pause(reason);
    return true;
  }

  /**
   * Ends a pause: queued turns and iterations start again (an iteration that fell due during
   * the pause starts at once). Returns false when the loop was not paused.
   */
  resume(): boolean {
    return this.#gate.resume();
  }

  /**
   * Queues `input` for the agent's `turn`. Never throws: a turn that cannot run ends at
   * once, as `error` when the agent has no `turn`, the queue is full
   * (`maxQueuedTurns`) or the id is in use, and as `cancelled` when the run is stopping or
   * over. Turns submitted before {@link AgentLoop.run} wait for `setup`.
   */
  submitTurn<I = unknown, O = unknown>(input: I, options: SubmitTurnOptions = {}): TurnHandle<O> {
    const refusal =
      this.#state === 'stopping' || this.#state === 'finished'
        ? {
            status: 'cancelled' as const,
            why: `the run is ${this.#state === 'stopping' ? 'stopping' : 'over'}`,
          }
        : this.agent.turn === undefined
          ? {
              status: 'error' as const,
              why: 'this agent does not accept turns (it has no turn(input, ctx) function)',
            }
          : undefined;
    const { turn, queued } = this.#turns.submit<I, O>(input, options.turnId, refusal);
    if (queued) {
      this.#wake?.();
    }
    return turn;
  }

  /**
   * Cancels the queued or running turn `turnId` (see {@link TurnHandle.cancel}).
   * Returns false when no such turn is queued or running.
   */
  cancelTurn(turnId: string, reason?: string): boolean {
    return this.#turns.find(turnId)?.cancel(reason) ?? false;
  }

  /**
   * Asks the loop to stop: aborts `ctx.signal` (and the running turn's), cancels queued
   * turns, lets the current iteration or turn finish within `graceMs` (less a 250 ms reserve
   * for teardown and reporting), skips the interval wait. Work still running when the grace
   * is over is abandoned. Idempotent.
   */
  stop(graceMs: number, reason = 'stop requested'): void {
    if (this.#state === 'finished' || this.#state === 'stopping') {
      return;
    }
    this.#state = this.#state === 'idle' ? 'finished' : 'stopping';
    this.#abort.abort(new Error(reason));
    this.#turns.running?.abort(reason);
    this.#turns.cancelWaiting(`the run is stopping: ${reason}`);
    this.#wake?.();
    this.#deadline.arm(Math.max(0, graceMs - STOP_RESERVE_MS));
  }

  /** Runs the agent to its end. Never rejects: agent errors become the outcome. */
  async run(): Promise<LoopOutcome> {
    if (this.#state !== 'idle') {
      return { reason: 'stopped', iterations: 0 };
    }
    this.#state = 'running';
    let state: unknown;
    try {
      state = await this.#work(`setup`, (scope) =>
        this.agent.setup?.(this.#context(0, undefined, scope)),
      );
    } catch (error) {
      const summary = boundText(`setup failed: ${describeThrown(error)}`, MAX_TEXT_LENGTH);
      this.sink.setupDone?.({ ok: false, error });
      this.sink.log(
        'error',
        boundText(`setup failed: ${describeWithStack(error)}`, MAX_TEXT_LENGTH),
      );
      return this.#finish({
        reason: 'error',
        iterations: 0,
        summary,
        errorDetail: toErrorDetail(error),
      });
    }
    if (state === ABANDONED) {
      this.sink.setupDone?.({ ok: false, error: new Error('stopped during setup') });
      return this.#finish({ reason: 'stopped', iterations: 0, summary: 'stopped during setup' });
    }
    this.sink.setupDone?.({ ok: true });

    const { maxIterations, intervalMs } = this.options;
    const hasStep = this.agent.step !== undefined;
    let completed = 0;
    let summary: string | undefined;
    let ending: Ending = { reason: 'stopped' };
    let nextIterationAt = performance.now();
    for (;;) {
      if (this.#abort.signal.aborted) {
        ending = { reason: 'stopped' };
        break;
      }
      if (this.#gate.paused) {
        // Woken by a resume or a stop; a turn wakes it too, and it sleeps again.
        await this.#sleep(undefined);
        continue;
      }
      const turn = this.#turns.next();
      if (turn !== undefined) {
        const end = await this.#runTurn(turn, state);
        if (end !== undefined) {
          ending = end;
          break;
        }
        continue;
      }
      if (!hasStep) {
        await this.#sleep(undefined);
        continue;
      }
      if (maxIterations !== undefined && completed >= maxIterations) {
        ending = { reason: 'max_iterations' };
        break;
      }
      const wait = nextIterationAt - performance.now();
      if (wait > 0) {
        await this.#sleep(wait);
        continue;
      }
      const step = await this.#runStep(state);
      completed += 1;
      if (this.#delivered !== undefined) {
        // Flow control: wait until the supervisor has taken the report (woken by a stop or turn).
        await Promise.race([this.#delivered, this.#sleep(undefined)]);
        this.#delivered = undefined;
      }
      summary = step.summary ?? summary;
      if (step.end !== undefined) {
        ending = step.end;
        break;
      }
      if (maxIterations !== undefined && completed >= maxIterations) {
        ending = { reason: 'max_iterations' };
        break;
      }
      nextIterationAt = performance.now() + intervalMs;
      if (intervalMs <= 0) {
        // Yield so a stop, a turn (and I/O) can be seen between back-to-back iterations.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }

    // Nothing runs after this point but teardown: turns still queued will not run.
    this.#turns.cancelWaiting(`the run ended (${ending.reason}) before the turn started`);
    const abandonedMs = await this.#runTeardown(state);
    const outcome: LoopOutcome = { reason: ending.reason, iterations: completed };
    const ended = ending.summary ?? summary;
    if (abandonedMs !== undefined) {
      const note = `teardown abandoned after ${abandonedMs} ms: the stop grace period ran out`;
      this.sink.log('warn', note);
      outcome.summary = boundText(
        ended === undefined ? note : `${note}; ${ended}`,
        MAX_TEXT_LENGTH,
      );
      outcome.teardownAbandonedMs = abandonedMs;
    } else if (ended !== undefined) {
      outcome.summary = ended;
    }
    if (ending.errorDetail !== undefined) {
      outcome.errorDetail = ending.errorDetail;
    }
    return this.#finish(outcome);
  }

  /** Runs one iteration and reports it. `end` is set when it ends the run. */
  async #runStep(state: unknown): Promise<{ summary?: string; end?: Ending }> {
    this.#iteration += 1;
    const iteration = this.#iteration;
    const started = performance.now();
    this.sink.iterationStart(iteration, Date.now());
    let result: unknown;
    let failed = false;
    let failure: unknown;
    try {
      result = await this.#work(`iteration ${iteration}`, (scope) =>
        // Called on the agent object, so that `this` in a step is the agent.
        this.agent.step?.(this.#context(iteration, state, scope)),
      );
    } catch (error) {
      failed = true;
      failure = error;
    }
    const durationMs = Math.round(performance.now() - started);
    if (result === ABANDONED) {
      // The run is ending: nothing waits for this report to be taken.
      void this.sink.iterationDone({
        iteration,
        status: 'error',
        durationMs,
        error: 'abandoned: did not finish within the stop grace period',
      });
      return { end: { reason: 'stopped' } };
    }
    const outcome = judgeIteration(
      iteration,
      durationMs,
      failed ? { threw: true, error: failure } : { threw: false, result },
    );
    for (const warning of outcome.warnings) {
      this.sink.log('warn', warning);
    }
    this.#delivered = this.sink.iterationDone(outcome.report) ?? undefined;
    if (outcome.failure !== undefined) {
      this.sink.log('error', outcome.failure);
    }
    const { summary } = outcome.report;
    return {
      ...(outcome.end === undefined ? {} : { end: outcome.end }),
      ...(summary === undefined ? {} : { summary }),
    };
  }

  /** Runs teardown, if any. Returns how long it had run when the stop grace abandoned it. */
  async #runTeardown(state: unknown): Promise<number | undefined> {
    if (this.agent.teardown === undefined) {
      return undefined;
    }
    const started = performance.now();
    try {
      const result = await this.#work(
        'teardown',
        (scope) => this.agent.teardown?.(this.#context(0, state, scope)),
        TEARDOWN_RESERVE_MS,
      );
      if (result === ABANDONED) {
        return Math.round(performance.now() - started);
      }
    } catch (error) {
      this.sink.log(
        'error',
        boundText(`teardown failed: ${describeWithStack(error)}`, MAX_TEXT_LENGTH),
      );
    }
    return undefined;
  }

  /** Runs a turn. Returns how the run ends when the turn threw a ConfigError or was abandoned. */
  async #runTurn(turn: Turn, state: unknown): Promise<Ending | undefined> {
    if (turn.ended || this.agent.turn === undefined) {
      return undefined;
    }
    this.#turns.started(turn);
    turn.start();
    this.sink.turnStart?.(turn.turnId, Date.now());
    let output: unknown;
    let failed = false;
    let failure: unknown;
    try {
      output = await this.#work(`turn ${turn.turnId}`, (scope) =>
        this.agent.turn?.(turn.input, this.#turnContext(turn, state, scope)),
      );
    } catch (error) {
      failed = true;
      failure = error;
    }
    this.#turns.started(undefined);
    if (output === ABANDONED) {
      turn.fail('cancelled', 'abandoned: did not finish within the stop grace period');
      return { reason: 'stopped' };
    }
    if (!failed) {
      turn.succeed(output);
      return undefined;
    }
    if (turn.signal.aborted) {
      // The cancel reason, as the caller gave it (an abort reason is an Error made from it).
      const reason: unknown = turn.signal.reason;
      turn.fail('cancelled', reason instanceof Error ? reason.message : String(reason), failure);
      return undefined;
    }
    turn.fail('error', describeThrown(failure), failure);
    this.sink.log(
      'error',
      boundText(`turn ${turn.turnId} failed: ${describeWithStack(failure)}`, MAX_TEXT_LENGTH),
    );
    return isConfigError(failure)
      ? configEnding(`turn ${turn.turnId}`, failure, toErrorDetail(failure))
      : undefined;
  }

  #finish(outcome: LoopOutcome): LoopOutcome {
    this.#state = 'finished';
    this.#deadline.clear();
    this.#checkpoints.close(`the run ended (${outcome.reason})`);
    if (!this.#abort.signal.aborted) {
      this.#abort.abort(new Error(`run ended: ${outcome.reason}`));
    }
    this.#turns.cancelWaiting(`the run ended (${outcome.reason}) before the turn started`);
    return outcome;
  }

  /**
   * Runs one piece of agent code (`what`: setup, a step, a turn, teardown) against the stop
   * deadline, with a scope signal that aborts when it settles or is abandoned, so that a
   * permission request it left pending is withdrawn then.
   */
  async #work<T>(
    what: string,
    call: (scope: AbortSignal) => T | Promise<T>,
    afterMs = 0,
  ): Promise<Awaited<T> | typeof ABANDONED> {
    const scope = new AbortController();
    try {
      return await this.#deadline.race(
        Promise.resolve().then(() => call(scope.signal)),
        afterMs,
      );
    } finally {
      scope.abort(new Error(`${what} ended before the request was answered`));
    }
  }

  /** Sleeps `ms` (undefined: until woken) or until woken by a turn or a stop. */
  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === done) {
          this.#wake = undefined;
        }
        resolve();
      };
      if (ms !== undefined) {
        timer = setTimeout(done, ms);
      }
      this.#wake = done;
    });
  }

  #context(iteration: number, state: unknown, scope: AbortSignal) {
    return makeAgentContext(this.#run, { iteration, state, signal: this.#abort.signal, scope });
  }

  #turnContext(turn: Turn, state: unknown, scope: AbortSignal) {
    return makeTurnContext(this.#run, { iteration: 0, state, signal: turn.signal, scope }, turn);
  }

  /** What every context of this run shares. */
  get #run(): ContextRun {
    const { runId, name, params, restored } = this.options;
    return {
      runId,
      name,
      params,
      sink: this.sink,
      restored,
      modelPrices: this.#prices,
      checkpoints: this.#checkpoints,
      store: this.#store,
      live: () => this.#state !== 'finished',
      gate: this.#gate,
      usageHandled: () => this.sink.usageHandled?.(),
    };
  }
}
