import type {
  Disposable,
  LogLevel,
  ModelPrices,
  PermissionDecision,
  StoreOp,
  StoreOpResult,
} from '@x/ipc';
import {
  AgentLoop,
  type IterationReport,
  type LoopOutcome,
  type SubmitTurnOptions,
} from './agent-loop.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_STOP_GRACE_MS } from './constants.js';
import { checkCheckpointOptions, storeWith } from './checkpoint-options.js';
import {
  describeAgentProblem,
  type AgentDefinition,
  type CheckpointReceipt,
  type PermissionRequest,
  type RestoredCheckpoint,
  type UsageReport,
} from './define-agent.js';
import { describeThrown } from './error-detail.js';
import { KERNEL_ERROR_CODES, RunnerSetupError, StoreError } from './errors.js';
import type { StoreBatch } from './agent-store.js';
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
  /**
   * `ctx.restored` of every context: the checkpoint the run resumes from (typically what
   * `onCheckpoint` stored last, in an earlier run). @default undefined (a fresh start)
   */
  restored?: RestoredCheckpoint;
  /**
   * `ctx.modelPrices` of every context: prices by model id, US dollars per million tokens,
   * which x's framework adapters use before their catalog (as a daemon's `modelPrices`).
   * Not checked here: the adapters refuse a price that is not a number >= 0.
   * @default none (an empty object)
   */
  modelPrices?: Readonly<ModelPrices>;
  /**
   * Largest state `ctx.checkpoint` takes, as the UTF-8 bytes of its JSON text; a larger one
   * rejects with `X_CHECKPOINT_TOO_LARGE`. @default 1 048 576 (DEFAULT_CHECKPOINT_MAX_BYTES)
   */
  checkpointMaxBytes?: number;
  /**
   * Stores a checkpoint (`ctx.checkpoint(state)`): where an embedder keeps them (a file, a
   * database). `state` is a copy of what the agent gave, made through JSON (so it is exactly
   * what a restart would get back), within `checkpointMaxBytes`; `meta.iteration` is the
   * iteration it was taken in (0 in setup, teardown and turns). Resolve once it is stored
   * durably, with its sequence number (1, 2, … in the order stored) and when it was stored
   * (ms since the Unix epoch): the agent's `ctx.checkpoint` resolves with that. A rejection
   * reaches the agent as a CheckpointError `X_CHECKPOINT_REFUSED` (its `cause` is what was
   * thrown), as does a result without a numeric `seq` and `savedAt`. @default none:
   * `ctx.checkpoint` rejects with `X_CHECKPOINT_UNSUPPORTED`.
   */
  onCheckpoint?: CheckpointHandler;
  /**
   * Told of usage the agent reports with `ctx.reportUsage` in setup, a step or teardown (each
   * report checked, with at least one field). Usage of turns comes with their outcome
   * (`TurnOutcome.usage`) and usage returned by steps with their report
   * (`IterationReport.usage`): the three add up, none is told twice. Exceptions are rethrown
   * asynchronously, as for listeners. @default none
   */
  onUsage?: (usage: UsageReport) => void;
  /**
   * Applies a batch of record operations for `ctx.store` (checked: 1 to 1000 operations on
   * valid namespaces and keys, JSON values), in order and all or none, and resolves with one
   * result per operation once its writes are stored durably: where an embedder keeps a run's
   * records (the x daemon keeps them in SQLite). A rejection reaches the agent as a StoreError
   * (`X_STORE_REFUSED`, its `cause` what was thrown, unless it is a StoreError already).
   * @default none: `ctx.store` rejects with `X_STORE_UNSUPPORTED`.
   */
  onStore?: StoreBatch;
}

/** Stores one checkpoint of an in-process runner: see {@link CreateRunnerOptions.onCheckpoint}. */
export type CheckpointHandler = (
  state: unknown,
  meta: { readonly iteration: number },
) => Promise<CheckpointReceipt>;

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
  /** True between {@link Runner.pause} and {@link Runner.resume}. */
  readonly paused: boolean;
  /**
   * Pauses the run: the iteration or turn in progress finishes, then no iteration and no turn
   * starts until {@link Runner.resume}; turns submitted meanwhile wait in the queue. `stop()`
   * still ends a paused run at once. Before `start()`, setup still runs on start, then the run
   * waits. Pausing a paused runner only replaces the reason. Returns false (and does nothing)
   * once the run is over. @param reason why, for the embedder. @default 'paused'
   */
  pause(reason?: string): boolean;
  /**
   * Ends a pause: queued turns and iterations start again (an iteration that fell due
   * meanwhile starts at once). Returns false when the runner was not paused.
   */
  resume(): boolean;
  /** Subscribes to pauses and resumes: `{ paused: true, reason }`, then `{ paused: false }`. */
  onPauseChange(listener: (change: PauseChange) => void): Disposable;
}

/** A pause or a resume of an in-process runner. */
export type PauseChange = { paused: true; reason: string } | { paused: false };

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
 * Checkpoints go to `onCheckpoint` (without it, `ctx.checkpoint` rejects with
 * `X_CHECKPOINT_UNSUPPORTED`), `restored` is what `ctx.restored` shows, usage reported with
 * `ctx.reportUsage` outside turns goes to `onUsage`, and `pause()` / `resume()` hold and
 * release the loop as a supervisor's `pause` and `resume` messages do.
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
  const problem = describeAgentProblem(agent) ?? checkCheckpointOptions(options);
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
  const pauseChanges = new Listeners<PauseChange>();
  const { onCheckpoint, onUsage, onStore } = options;
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
      restored: options.restored,
      checkpointMaxBytes: options.checkpointMaxBytes,
      modelPrices: options.modelPrices,
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
      ...(onCheckpoint === undefined ? {} : { checkpoint: storeWith(onCheckpoint) }),
      ...(onStore === undefined ? {} : { store: (ops: StoreOp[]) => applyWith(onStore, ops) }),
      ...(onUsage === undefined
        ? {}
        : {
            usage: (usage: UsageReport) => {
              try {
                onUsage(usage);
              } catch (error) {
                queueMicrotask(() => {
                  throw error;
                });
              }
            },
          }),
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
    get paused() {
      return loop.paused;
    },
    pause(reason = 'paused') {
      const wasPaused = loop.paused;
      if (!loop.pause(reason)) {
        return false;
      }
      if (!wasPaused) {
        pauseChanges.fire({ paused: true, reason });
      }
      return true;
    },
    resume() {
      if (!loop.resume()) {
        return false;
      }
      pauseChanges.fire({ paused: false });
      return true;
    },
    onPauseChange: (listener) => pauseChanges.add(listener),
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

/** `onStore(ops)`, its rejections as StoreErrors (see {@link CreateRunnerOptions.onStore}). */
async function applyWith(onStore: StoreBatch, ops: StoreOp[]): Promise<StoreOpResult[]> {
  try {
    return await onStore(ops);
  } catch (error) {
    if (error instanceof StoreError) {
      throw error;
    }
    const text = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      KERNEL_ERROR_CODES.STORE_REFUSED,
      `@x/kernel: ctx.store: onStore did not apply the request: ${text}`,
      { cause: error },
    );
  }
}
