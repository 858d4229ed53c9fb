import type { Disposable, LogLevel, PermissionDecision } from '@x/ipc';
import {
  AgentLoop,
  type IterationReport,
  type LoopOutcome,
  type SubmitTurnOptions,
} from './agent-loop.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_STOP_GRACE_MS } from './constants.js';
import {
  describeAgentProblem,
  type AgentDefinition,
  type PermissionRequest,
} from './define-agent.js';
import { describeThrown } from './error-detail.js';
import { RunnerSetupError } from './errors.js';
import { readPermissionAnswer } from './permission-answer.js';
import type { TurnHandle, TurnOutcome } from './turn.js';

/**
 * Decides a permission request of an in-process agent: returns (or resolves with) exactly
 * `'granted'` or `'denied'`. `signal` aborts when the asker gave up (its turn was cancelled,
 * the run is stopping, or the step or turn that asked has ended); the answer is then
 * ignored.
 *
 * Anything else is a bug in the handler, and is never guessed at: `true`, `'allow'`,
 * `'GRANTED'`, `{ decision: 'granted' }` deny the request (the agent's `requestPermission`
 * resolves `'denied'`, as its contract says: it never rejects for the host's faults), and
 * the mistake is surfaced to the embedder twice: a runner log entry at level `error`
 * (`onLog`) naming the value returned and the accepted values, and a process warning
 * (`process.emitWarning` with that TypeError: printed on stderr, `process.on('warning')`).
 * A throw or rejection also denies the request, and is logged at level `error`.
 */
export type PermissionHandler = (
  request: PermissionRequest,
  signal: AbortSignal,
) => PermissionDecision | Promise<PermissionDecision>;

/** Options of {@link createRunner}. */
export interface CreateRunnerOptions<P = Record<string, unknown>> {
  /** Name of the run (`ctx.name`). @default 'agent' */
  name?: string;
  /** Run id (`ctx.runId`). @default `run-` and a random UUID */
  runId?: string;
  /** Parameters (`ctx.params`). @default {} */
  params?: P;
  /** Pause between the end of one iteration and the start of the next, in ms. @default 1000 */
  intervalMs?: number;
  /** End the run (reason `max_iterations`) after this many iterations. @default unlimited */
  maxIterations?: number;
  /** Most turns that may wait in the queue. @default 1000 (MAX_QUEUED_TURNS) */
  maxQueuedTurns?: number;
  /**
   * Answers `ctx.requestPermission`. @default none: every request is denied, so an agent
   * embedded without a handler can never use a tool that needs permission.
   */
  onPermissionRequest?: PermissionHandler;
}

/** Options of {@link Runner.stop}. */
export interface RunnerStopOptions {
  /**
   * How long the current iteration or turn may take to finish after the stop, in ms; work
   * still running after it (less a 250 ms reserve for teardown) is abandoned.
   * @default 10 000 (DEFAULT_STOP_GRACE_MS)
   */
  graceMs?: number;
  /** Why, as the abort reason agents see on `ctx.signal`. @default 'stop requested' */
  reason?: string;
}

/** `idle` → `starting` (setup) → `running` → `stopping` → `stopped`; `stopped` is terminal. */
export type RunnerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A log line written by the agent (`ctx.log`). */
export interface RunnerLogEntry {
  level: LogLevel;
  message: string;
}

/** The start of an iteration: its number and when it began (ms since the Unix epoch). */
export interface IterationStart {
  iteration: number;
  startedAt: number;
}

/**
 * An agent running in this process, without the daemon. Made by {@link createRunner}.
 * @typeParam I - what turns take.
 * @typeParam O - what turns return.
 */
export interface Runner<I = unknown, O = unknown> {
  readonly runId: string;
  readonly name: string;
  readonly state: RunnerState;
  /**
   * Starts the run: resolves once `setup` finished and the runner is ready for turns
   * (the first iteration, if the agent has `step`, starts right after). Calling it again
   * returns the same promise.
   * @throws RunnerSetupError (rejection; `cause` is what setup threw) when `setup` throws,
   *   or when the runner was stopped before setup finished.
   */
  start(): Promise<void>;
  /**
   * Stops the run (see {@link RunnerStopOptions}): aborts `ctx.signal`, cancels queued turns
   * (their callers get `TurnCancelledError`), waits for teardown. Resolves with the outcome
   * once the run has ended; calling it again returns the same outcome. Before `start()`, it
   * ends the runner without running anything.
   */
  stop(options?: RunnerStopOptions): Promise<LoopOutcome>;
  /** Resolves with the outcome when the run ends for any reason (stop, done, max_iterations, setup error). */
  readonly finished: Promise<LoopOutcome>;
  /**
   * Submits a turn (see {@link TurnHandle}). Never throws; a turn that cannot run ends at
   * once (`error` without `turn`, `cancelled` after a stop). Turns submitted before
   * `start()` wait for setup.
   */
  submitTurn(input: I, options?: SubmitTurnOptions): TurnHandle<O>;
  /** Subscribes to iteration starts. */
  onIterationStart(listener: (event: IterationStart) => void): Disposable;
  /** Subscribes to finished iterations. */
  onIteration(listener: (report: IterationReport) => void): Disposable;
  /** Subscribes to the agent's log lines. */
  onLog(listener: (entry: RunnerLogEntry) => void): Disposable;
  /** Subscribes to the agent's notifications (`ctx.notify`). */
  onNotify(listener: (payload: unknown) => void): Disposable;
  /** Subscribes to turn outcomes: one per submitted turn. */
  onTurnResult(listener: (outcome: TurnOutcome<O>) => void): Disposable;
}

/**
 * Runs an agent in this process, without the daemon: the kernel as a library. The same
 * {@link AgentLoop} as under `x runner --pipe` drives it, so steps, turns, stops and
 * permissions behave alike; events that would be protocol messages are delivered to
 * subscribers instead, and permission requests to `onPermissionRequest` (default: denied).
 *
 * ```ts
 * const runner = createRunner(agent, { name: 'chat', onPermissionRequest: () => 'granted' });
 * await runner.start();
 * const reply = await runner.submitTurn({ text: 'hi' }).result({ timeoutMs: 30_000 });
 * await runner.stop();
 * ```
 *
 * The agent's context checks its arguments as under the daemon (a TypeError at the call for
 * `ctx.log('warning', …)`, a non-JSON `notify` payload, …), and step results are read the
 * same way (a bad field is left out and said so in a `warn` log entry). Turn outputs are
 * handed over as they are: in this process they need not be JSON.
 *
 * Listener exceptions are rethrown asynchronously (an uncaught exception), as with any
 * event emitter; they never reach the agent. While running, an agent with a `step` keeps
 * the process alive through its interval timer; a turn-only agent holds nothing and lets
 * the process exit when nothing else keeps it alive.
 *
 * @throws TypeError when `agent` is not an agent definition (no `step` or `turn`).
 */
export function createRunner<P = Record<string, unknown>, S = unknown, I = unknown, O = unknown>(
  agent: AgentDefinition<P, S, I, O>,
  options: CreateRunnerOptions<P> = {},
): Runner<I, O> {
  const problem = describeAgentProblem(agent);
  if (problem !== undefined) {
    throw new TypeError(`@x/kernel: createRunner: ${problem}`);
  }
  const runId = options.runId ?? `run-${globalThis.crypto.randomUUID()}`;
  const name = options.name ?? 'agent';
  const iterationStarts = new Listeners<IterationStart>();
  const iterations = new Listeners<IterationReport>();
  const logs = new Listeners<RunnerLogEntry>();
  const notifications = new Listeners<unknown>();
  const turnResults = new Listeners<TurnOutcome<O>>();
  let state: RunnerState = 'idle';
  let setupSettled: ((result: { ok: true } | { ok: false; error: unknown }) => void) | undefined;
  let resolveFinished!: (outcome: LoopOutcome) => void;
  const finished = new Promise<LoopOutcome>((resolve) => {
    resolveFinished = resolve;
  });
  let startPromise: Promise<void> | undefined;
  const onPermissionRequest = options.onPermissionRequest;

  const loop = new AgentLoop(
    agent as unknown as AgentDefinition<Record<string, unknown>, unknown>,
    {
      runId,
      name,
      params: options.params ?? {},
      intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
      maxIterations: options.maxIterations,
      maxQueuedTurns: options.maxQueuedTurns,
    },
    {
      iterationStart: (iteration, startedAt) => iterationStarts.fire({ iteration, startedAt }),
      iterationDone: (report) => iterations.fire(report),
      log: (level, message) => logs.fire({ level, message }),
      notify: (payload) => notifications.fire(payload),
      turnDone: (outcome) => turnResults.fire(outcome as TurnOutcome<O>),
      setupDone: (result) => {
        if (result.ok && state === 'starting') {
          state = 'running';
        }
        setupSettled?.(result);
      },
      ...(onPermissionRequest === undefined
        ? {}
        : {
            requestPermission: async (request, signal) => {
              let answer: unknown;
              try {
                answer = await onPermissionRequest(request, signal);
              } catch (error) {
                logs.fire({
                  level: 'error',
                  message: `onPermissionRequest threw for tool ${JSON.stringify(request.tool)}: ${describeThrown(error)}; the request was denied`,
                });
                return 'denied';
              }
              const decision = readPermissionAnswer(answer, request.tool);
              if (decision instanceof TypeError) {
                logs.fire({ level: 'error', message: decision.message });
                process.emitWarning(decision);
                return 'denied';
              }
              return decision;
            },
          }),
    },
  );

  const end = (outcome: LoopOutcome) => {
    state = 'stopped';
    resolveFinished(outcome);
    return outcome;
  };

  return {
    runId,
    name,
    get state() {
      return state;
    },
    finished,
    start() {
      if (startPromise !== undefined) {
        return startPromise;
      }
      if (state !== 'idle') {
        startPromise = Promise.reject(
          new RunnerSetupError(`@x/kernel: runner ${name} was stopped before it started`),
        );
        return startPromise;
      }
      state = 'starting';
      startPromise = new Promise<void>((resolve, reject) => {
        setupSettled = (result) => {
          setupSettled = undefined;
          if (result.ok) {
            resolve();
          } else {
            reject(
              new RunnerSetupError(
                `@x/kernel: runner ${name}: setup failed: ${describeThrown(result.error)}`,
                { cause: result.error },
              ),
            );
          }
        };
      });
      void loop.run().then(end);
      return startPromise;
    },
    stop(stopOptions = {}) {
      if (state === 'idle') {
        loop.stop(0);
        return Promise.resolve(end({ reason: 'stopped', iterations: 0 }));
      }
      if (state === 'starting' || state === 'running') {
        state = 'stopping';
        loop.stop(stopOptions.graceMs ?? DEFAULT_STOP_GRACE_MS, stopOptions.reason);
      }
      return finished;
    },
    submitTurn(input, submitOptions) {
      return loop.submitTurn<I, O>(input, submitOptions);
    },
    onIterationStart: (listener) => iterationStarts.add(listener),
    onIteration: (listener) => iterations.add(listener),
    onLog: (listener) => logs.add(listener),
    onNotify: (listener) => notifications.add(listener),
    onTurnResult: (listener) => turnResults.add(listener),
  };
}

/**
 * A listener set. Kept here rather than using `@x/ipc`'s Emitter so that the root entry of
 * `@x/kernel` loads no `@x/ipc` code.
 */
class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Disposable {
    // A wrapper per subscription, so subscribing one function twice yields two listeners.
    const entry = (value: T) => listener(value);
    this.#listeners.add(entry);
    return { dispose: () => void this.#listeners.delete(entry) };
  }

  fire(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
