import type { ExitReason, LogLevel, PermissionDecision, Usage } from '@x/ipc';
import { checkPermissionRequest } from './check-permission-request.js';
import { MAX_QUEUED_TURNS, STOP_RESERVE_MS } from './constants.js';
import type {
  AgentContext,
  AgentDefinition,
  PermissionRequest,
  StepResult,
  TurnContext,
} from './define-agent.js';
import { Turn, type TurnHandle, type TurnOutcome } from './turn.js';

/** What one run of an agent is given. */
export interface AgentLoopOptions {
  runId: string;
  name: string;
  params: Record<string, unknown>;
  /** Pause between the end of one iteration and the start of the next, in ms. */
  intervalMs: number;
  /** End the run (reason `max_iterations`) after this many iterations. @default unlimited */
  maxIterations?: number | undefined;
  /**
   * Most turns that may wait in the queue; a turn submitted beyond it ends at once with
   * status `error`. @default 1000 (MAX_QUEUED_TURNS)
   */
  maxQueuedTurns?: number | undefined;
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

/**
 * Where an {@link AgentLoop} reports what happens. Calls must not throw. The optional
 * members are for hosts that support them: without `requestPermission`, every permission
 * request is denied.
 */
export interface AgentLoopSink {
  iterationStart(iteration: number, startedAt: number): void;
  iterationDone(report: IterationReport): void;
  log(level: LogLevel, message: string): void;
  notify(payload: unknown): void;
  /** `setup` finished (`ok: true`, turns and iterations follow) or threw. */
  setupDone?(result: { ok: true } | { ok: false; error: unknown }): void;
  /** A turn began (`startedAt` in ms since the Unix epoch). */
  turnStart?(turnId: string, startedAt: number): void;
  /** A turn ended: exactly once per submitted turn, whatever happened to it. */
  turnDone?(outcome: TurnOutcome): void;
  /**
   * Asks for permission on the agent's behalf. `signal` aborts when the asking context is
   * cancelled or stopped: the loop then answers `'denied'` itself and ignores the result,
   * so the host may drop the pending request. A rejection counts as `'denied'`.
   */
  requestPermission?(
    request: PermissionRequest,
    signal: AbortSignal,
  ): PermissionDecision | Promise<PermissionDecision>;
}

/** How a run of the loop ended. */
export interface LoopOutcome {
  reason: ExitReason;
  /** Iterations that ran to their end (ok or error). */
  iterations: number;
  /** Summary of the last iteration, or why the run failed. */
  summary?: string;
}

/** Options of {@link AgentLoop.submitTurn}. */
export interface SubmitTurnOptions {
  /** Id of the turn, unique within the run. @default `t-1`, `t-2`, … */
  turnId?: string;
}

type LoopState = 'idle' | 'running' | 'stopping' | 'finished';
/** Of the stop reserve, how long teardown may still run after the step deadline: 200 ms. */
const TEARDOWN_RESERVE_MS = 200;
const ABANDONED = Symbol('abandoned');
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
 */
export class AgentLoop {
  readonly #abort = new AbortController();
  #state: LoopState = 'idle';
  #wake: (() => void) | undefined;
  /** Set once the stop grace has passed: work raced from then on is abandoned at once. */
  #deadlinePassed = false;
  /** One entry per piece of work racing the deadline; each removes itself when its work settles. */
  readonly #onDeadline = new Set<() => void>();
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #iteration = 0;
  readonly #queue: Turn[] = [];
  #current: Turn | undefined;
  #turnCount = 0;

  constructor(
    private readonly agent: Agent,
    private readonly options: AgentLoopOptions,
    private readonly sink: AgentLoopSink,
  ) {}

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
    return this.#queue.length;
  }

  /**
   * Queues `input` for the agent's `turn`. Never throws: a turn that cannot run ends at
   * once, as `error` when the agent has no `turn`, the queue is full
   * (`maxQueuedTurns`) or the id is in use, and as `cancelled` when the run is stopping or
   * over. Turns submitted before {@link AgentLoop.run} wait for `setup`.
   */
  submitTurn<I = unknown, O = unknown>(input: I, options: SubmitTurnOptions = {}): TurnHandle<O> {
    this.#turnCount += 1;
    const turnId = options.turnId ?? `t-${this.#turnCount}`;
    const turn = new Turn<I, O>(turnId, input, (ended, outcome) =>
      this.#turnEnded(ended as unknown as Turn, outcome),
    );
    const maxQueued = this.options.maxQueuedTurns ?? MAX_QUEUED_TURNS;
    if (this.#state === 'stopping' || this.#state === 'finished') {
      turn.cancel(`the run is ${this.#state === 'stopping' ? 'stopping' : 'over'}`);
    } else if (this.agent.turn === undefined) {
      turn.fail('error', 'this agent does not accept turns (it has no turn(input, ctx) function)');
    } else if (this.#findTurn(turnId) !== undefined) {
      turn.fail('error', `turn id ${turnId} is already queued or running; turn ids must be unique`);
    } else if (this.#queue.length >= maxQueued) {
      turn.fail(
        'error',
        `the turn queue is full (${maxQueued} turns waiting, maxQueuedTurns); retry when earlier turns have finished`,
      );
    } else {
      this.#queue.push(turn as unknown as Turn);
      this.#wake?.();
    }
    return turn;
  }

  /**
   * Cancels the queued or running turn `turnId` (see {@link TurnHandle.cancel}).
   * Returns false when no such turn is queued or running.
   */
  cancelTurn(turnId: string, reason?: string): boolean {
    return this.#findTurn(turnId)?.cancel(reason) ?? false;
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
    this.#current?.abort(reason);
    this.#cancelQueued(`the run is stopping: ${reason}`);
    this.#wake?.();
    // Not unref()ed: while stopping, the grace period must keep the process alive even when
    // the step awaits something that holds no handle. Cleared when the run finishes.
    this.#deadlineTimer = setTimeout(
      () => {
        this.#deadlinePassed = true;
        for (const abandon of this.#onDeadline) {
          abandon();
        }
        this.#onDeadline.clear();
      },
      Math.max(0, graceMs - STOP_RESERVE_MS),
    );
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
      this.sink.setupDone?.({ ok: false, error });
      return this.#finish({ reason: 'error', iterations: 0, summary: message });
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
    let reason: ExitReason = 'stopped';
    let nextIterationAt = performance.now();
    for (;;) {
      if (this.#abort.signal.aborted) {
        reason = 'stopped';
        break;
      }
      const turn = this.#queue.shift();
      if (turn !== undefined) {
        if ((await this.#runTurn(turn, state)) === ABANDONED) {
          reason = 'stopped';
          break;
        }
        continue;
      }
      if (!hasStep) {
        await this.#sleep(undefined);
        continue;
      }
      if (maxIterations !== undefined && completed >= maxIterations) {
        reason = 'max_iterations';
        break;
      }
      const wait = nextIterationAt - performance.now();
      if (wait > 0) {
        await this.#sleep(wait);
        continue;
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
          // Called on the agent object, so that `this` in a step is the agent.
          Promise.resolve().then(() => this.agent.step?.(this.#context(iteration, state))),
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
      nextIterationAt = performance.now() + intervalMs;
      if (intervalMs <= 0) {
        // Yield so a stop, a turn (and I/O) can be seen between back-to-back iterations.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }

    // Nothing runs after this point but teardown: turns still queued will not run.
    this.#cancelQueued(`the run ended (${reason}) before the turn started`);
    if (this.agent.teardown !== undefined) {
      try {
        await this.#raceDeadline(
          Promise.resolve().then(() => this.agent.teardown?.(this.#context(0, state))),
          TEARDOWN_RESERVE_MS,
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

  async #runTurn(turn: Turn, state: unknown): Promise<typeof ABANDONED | undefined> {
    if (turn.ended || this.agent.turn === undefined) {
      return undefined;
    }
    this.#current = turn;
    turn.start();
    this.sink.turnStart?.(turn.turnId, Date.now());
    let output: unknown;
    let failed = false;
    let failure: unknown;
    try {
      output = await this.#raceDeadline(
        Promise.resolve().then(() => this.agent.turn?.(turn.input, this.#turnContext(turn, state))),
      );
    } catch (error) {
      failed = true;
      failure = error;
    }
    this.#current = undefined;
    if (output === ABANDONED) {
      turn.fail('cancelled', 'abandoned: did not finish within the stop grace period');
      return ABANDONED;
    }
    if (!failed) {
      turn.succeed(output);
    } else if (turn.signal.aborted) {
      turn.fail('cancelled', errorMessage(turn.signal.reason), failure);
    } else {
      turn.fail('error', errorMessage(failure), failure);
    }
    return undefined;
  }

  #turnEnded(turn: Turn, outcome: TurnOutcome): void {
    const index = this.#queue.indexOf(turn);
    if (index !== -1) {
      this.#queue.splice(index, 1);
    }
    this.sink.turnDone?.(outcome);
  }

  #findTurn(turnId: string): Turn | undefined {
    if (this.#current?.turnId === turnId && !this.#current.ended) {
      return this.#current;
    }
    return this.#queue.find((turn) => turn.turnId === turnId);
  }

  #cancelQueued(reason: string): void {
    // Each cancel removes its turn from the queue (#turnEnded), so iterate over a copy.
    for (const turn of [...this.#queue]) {
      turn.cancel(reason);
    }
  }

  #finish(outcome: LoopOutcome): LoopOutcome {
    this.#state = 'finished';
    if (this.#deadlineTimer !== undefined) {
      clearTimeout(this.#deadlineTimer);
    }
    if (!this.#abort.signal.aborted) {
      this.#abort.abort(new Error(`run ended: ${outcome.reason}`));
    }
    this.#cancelQueued(`the run ended (${outcome.reason}) before the turn started`);
    return outcome;
  }

  /**
   * Settles as `work` does, or with ABANDONED `afterMs` after the stop deadline passed
   * (teardown may use the reserve: TEARDOWN_RESERVE_MS), whichever comes first. Each call
   * races a promise of its own, forgotten when `work` settles: racing one long-lived deadline
   * promise instead adds a reaction to it per call that keeps every step's result alive until
   * the run ends (https://github.com/nodejs/node/issues/17469).
   */
  #raceDeadline<T>(work: Promise<T>, afterMs = 0): Promise<T | typeof ABANDONED> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let abandon!: () => void;
    const abandoned = new Promise<typeof ABANDONED>((resolve) => {
      abandon = () => {
        if (afterMs === 0) {
          resolve(ABANDONED);
        } else {
          timer = setTimeout(() => resolve(ABANDONED), afterMs);
        }
      };
    });
    if (this.#deadlinePassed) {
      abandon();
    } else {
      this.#onDeadline.add(abandon);
    }
    return Promise.race([work, abandoned]).finally(() => {
      this.#onDeadline.delete(abandon);
      clearTimeout(timer);
    });
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

  #context(iteration: number, state: unknown): AgentContext & { readonly state: unknown } {
    return this.#makeContext(iteration, state, this.#abort.signal);
  }

  #turnContext(turn: Turn, state: unknown): TurnContext<Record<string, unknown>, unknown> {
    return {
      ...this.#makeContext(0, state, turn.signal),
      turnId: turn.turnId,
      reportUsage(usage: Usage) {
        turn.addUsage(usage);
      },
    };
  }

  #makeContext(
    iteration: number,
    state: unknown,
    signal: AbortSignal,
  ): AgentContext & { readonly state: unknown } {
    const { runId, name, params } = this.options;
    const sink = this.sink;
    const live = () => this.#state !== 'finished';
    return {
      runId,
      name,
      iteration,
      params,
      state,
      signal,
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
      requestPermission(request) {
        const checked = checkPermissionRequest(request);
        if (!live() || signal.aborted || sink.requestPermission === undefined) {
          return Promise.resolve('denied');
        }
        return askPermission(sink.requestPermission.bind(sink), checked, signal);
      },
    };
  }
}

/** Asks the sink; an abort of `signal` or a failure of the sink answers `'denied'`. */
function askPermission(
  ask: NonNullable<AgentLoopSink['requestPermission']>,
  request: PermissionRequest,
  signal: AbortSignal,
): Promise<PermissionDecision> {
  return new Promise((resolve) => {
    const onAbort = () => resolve('denied');
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => ask(request, signal))
      .then(
        (decision) => resolve(decision === 'granted' ? 'granted' : 'denied'),
        () => resolve('denied'),
      )
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}
