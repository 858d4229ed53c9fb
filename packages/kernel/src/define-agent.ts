import type { LogLevel, ModelPrices, PermissionDecision, Usage } from '@x/ipc';
import type { AgentStore } from './agent-store.js';

/** What an agent asks permission for: `ctx.requestPermission({ tool, input, rationale })`. */
export interface PermissionRequest {
  /** What the agent wants to use: a tool or action name, 1 to 256 characters. */
  tool: string;
  /** The arguments it wants to use it with (any JSON value). */
  input?: unknown;
  /** Why, in the agent's words (at most 65 536 characters). */
  rationale?: string;
}

/**
 * The checkpoint a run resumes from (`ctx.restored`): what an earlier `ctx.checkpoint(state)`
 * stored, as the supervisor gives it back.
 */
export interface RestoredCheckpoint {
  /** Sequence number of the checkpoint within its run: 1, 2, … in the order stored. */
  readonly seq: number;
  /** The state given to `ctx.checkpoint`, as JSON gives it back. */
  readonly state: unknown;
  /** The attempt of the run (1-based) whose runner saved it. */
  readonly attempt: number;
  /** When the supervisor stored it, in ms since the Unix epoch. */
  readonly savedAt: number;
}

/** What `ctx.checkpoint(state)` resolves with once the state is stored. */
export interface CheckpointReceipt {
  /** Sequence number given to the checkpoint within its run: 1, 2, … in the order stored. */
  readonly seq: number;
  /** When it was stored, in ms since the Unix epoch. */
  readonly savedAt: number;
}

/**
 * Usage spent by the agent: `ctx.reportUsage(usage)`. Every field is optional; another field
 * is a mistake (a TypeError names it).
 */
export interface UsageReport {
  /** Input tokens: a safe integer >= 0. */
  inputTokens?: number;
  /** Output tokens: a safe integer >= 0. */
  outputTokens?: number;
  /** Cost in US dollars: a finite number >= 0. */
  costUsd?: number;
  /** The model that spent them (e.g. `gpt-4o-mini`): 1 to 256 characters. */
  model?: string;
}

/** What an agent's `setup`, `step` and `teardown` see: the run, the iteration and ways to report. */
export interface AgentContext<P = Record<string, unknown>> {
  /** Run id assigned by the supervisor. */
  readonly runId: string;
  /** Name of the run. */
  readonly name: string;
  /** 1-based number of the iteration being run (0 during `setup`, `teardown` and turns). */
  readonly iteration: number;
  /** Parameters given at `x agent start --params`, as a JSON object. */
  readonly params: P;
  /**
   * Aborted when the run is asked to stop (or its supervisor is gone); in a turn, also when
   * the turn is cancelled. Pass it to `fetch`, timers and child processes so that a stop
   * ends the work quickly.
   */
  readonly signal: AbortSignal;
  /**
   * Writes a structured log line to the run's log (`x agent logs`). A message longer than
   * 65 536 characters is cut, with a marker saying so.
   * @throws TypeError (synchronously) when `level` is not one of `debug`, `info`, `warn`,
   *   `error`, `message` is not a string, or more than two arguments are given.
   */
  log(level: LogLevel, message: string): void;
  /** Writes `message` to the run's log at level `info`. */
  log(message: string): void;
  /**
   * Publishes an application event to the supervisor: a JSON value (null, boolean, string,
   * finite number, array, plain object; nested at most 256 levels), or undefined for none.
   * @throws TypeError (synchronously) naming the path of the first part that is not JSON and
   *   the fix: `Map at payload.x: … use Object.fromEntries(map)`, BigInt (convert it to a
   *   string or a number), NaN, Date, class instances, cycles, …
   */
  notify(payload?: unknown): void;
  /**
   * Asks whoever supervises the run for permission to use a tool. Under the daemon this is
   * a `permission_request` answered by `x agent approve|deny` or the control API; in an
   * in-process runner, the `onPermissionRequest` callback (default: denied).
   *
   * Resolves `'denied'` without asking when the run is stopping or over, or when the step,
   * turn, setup or teardown that asks has already ended. A pending request resolves
   * `'denied'`, and is withdrawn from the supervisor (`permission_cancel`), when this
   * context's `signal` aborts (stop, cancelled turn), when the step or turn that made it
   * ends (a request that was not awaited does not outlive its work), or when the supervisor
   * goes away. Never rejects for those.
   * @throws TypeError (synchronously) when `tool` is not a string of 1 to 256 characters,
   *   `rationale` is given but is not a string of at most 65 536 characters, or `input` is
   *   not a JSON value (as for `notify`).
   */
  requestPermission(request: PermissionRequest): Promise<PermissionDecision>;
  /**
   * The checkpoint this run resumes from: the newest state the agent saved with
   * {@link AgentContext.checkpoint} that was stored, in an earlier attempt of this run (after a
   * crash or a restart) or in the run this one was started from. Undefined on a fresh start.
   * The same object in every context of the run, setup's included, so that setup can rebuild
   * its state from `restored.state`.
   */
  readonly restored: RestoredCheckpoint | undefined;
  /**
   * The operator's prices by model id, US dollars per million tokens (`{ 'in-house-7b': {
   * inputUsdPerMTok: 1, outputUsdPerMTok: 10 } }`): under the daemon, the `modelPrices` of its
   * x.config.json (`init.modelPrices`); in an in-process runner, `createRunner`'s `modelPrices`.
   * They win over a price catalog wherever the agent computes a model call's cost: x's framework
   * adapters (`@x/ai-sdk`, `@x/openai-agents`, `@x/langgraph`) price with them. A frozen object,
   * empty when none were given.
   */
  readonly modelPrices: Readonly<ModelPrices>;
  /**
   * Saves `state` (any JSON value) durably, as the point the run resumes from if its runner
   * dies or is restarted (`ctx.restored` of the next attempt). Resolves once it is stored: under
   * the daemon, committed to its SQLite database, so that it survives a `kill -9` of the runner
   * and of the daemon. Each call stores a new checkpoint; the newest stored one is what a
   * restart gets. Usable in setup, steps, turns and teardown (also while the run is stopping,
   * within the stop grace). Under the daemon the state is sent as a `checkpoint` message; in
   * an in-process runner it goes to `onCheckpoint`.
   * @throws TypeError (synchronously) naming the path of the first part of `state` that is not
   *   JSON, and the fix (as for `notify`; `undefined` is refused: use null).
   * @throws CheckpointError (rejection) with code `X_CHECKPOINT_TOO_LARGE` when the state's JSON
   *   text is larger than the run's `checkpointMaxBytes` (UTF-8 bytes; 1 048 576 unless the
   *   supervisor says otherwise), naming both sizes; nothing is sent then.
   * @throws CheckpointError (rejection) `X_CHECKPOINT_REFUSED` when the supervisor could not
   *   store it (its reason in the message, e.g. a full disk) or it could not be sent;
   *   `X_CHECKPOINT_STOPPING` when the run is over, or the runner lost its supervisor (or the
   *   stop grace ran out) before the answer came: it may or may not have been stored;
   *   `X_CHECKPOINT_UNSUPPORTED` when the runner has no checkpoint store (`createRunner`
   *   without `onCheckpoint`). Never left pending once the run has ended.
   */
  checkpoint(state: unknown): Promise<CheckpointReceipt>;
  /**
   * The run's durable records: JSON values under `(namespace, key)`, written and read in
   * batches that the supervisor commits durably before it answers, kept for the whole run
   * (every attempt sees them) until it is removed. What a framework's own saver needs, beyond
   * the newest state of {@link AgentContext.checkpoint}: `@x/langgraph` keeps a LangGraph
   * thread's checkpoints and pending writes here. See {@link AgentStore}.
   */
  readonly store: AgentStore;
  /**
   * Reports usage spent now, e.g. after each LLM call of a long step or of setup: sent to the
   * supervisor at once (a `usage` message), which adds it to the run's totals (and may pause
   * the run when a budget is reached). Report each spend once: usage returned in a step's
   * result (`StepResult.usage`) is counted too, so do not report the same tokens both ways.
   * A report with no field sends nothing. In a turn, usage is added to the turn's result
   * instead (see {@link TurnContext.reportUsage}).
   * @throws TypeError (synchronously) when `inputTokens` or `outputTokens` is not a safe
   *   integer >= 0, `costUsd` is not a finite number >= 0 (US dollars), `model` is not a string
   *   of 1 to 256 characters, or another field is given; nothing is reported then.
   */
  reportUsage(usage: UsageReport): void;
  /**
   * Why the run is paused (`x agent pause`, a budget reached: the supervisor's reason, e.g.
   * `cost $1.02 reached the budget of $1.00 (--max-cost)`), or undefined when it is not. A
   * pause holds the loop between pieces of work; the step or turn in progress keeps running,
   * so work that spends (a model call) can check this first, or wait with
   * {@link AgentContext.whenResumed}. Cheap: a field read.
   */
  pauseReason(): string | undefined;
  /**
   * Resolves when the run is not paused: at once, or when it is resumed (`x agent resume`,
   * `--add-cost`, `resume()` of `createRunner`). Call it before spending, e.g. before each model
   * call, so that a paused run goes over its budget by at most the call that reached it
   * (`@x/ai-sdk` does this for every AI SDK call). Under the daemon, when a budget applies to
   * the run, it first waits until the daemon has counted the usage reported so far (its
   * `usage_ack`, only after a `reportUsage` since the last call, and not while the reports
   * since the last ack stay within the headroom it gave), so the pause a report caused is seen
   * even when the next call follows at once; under no budget it waits for nothing.
   *
   * With `{ wait: false }` it does not wait: it resolves with the pause reason when the run is
   * paused, for an agent that would rather fail the call (undefined when not paused).
   * @returns undefined, or with `{ wait: false }` the pause reason if paused.
   * @throws the abort reason of {@link AgentContext.signal} (rejection) when the run is asked
   *   to stop (or, in a turn, the turn is cancelled) while waiting, or when the step, turn,
   *   setup or teardown that waits has ended: a wait never outlives its work.
   */
  whenResumed(options?: { wait?: boolean }): Promise<string | undefined>;
}

/** What a `turn` sees: the agent context, with the turn's own id and signal. */
export interface TurnContext<P = Record<string, unknown>, S = unknown> extends AgentContext<P> {
  /** The value `setup` returned (undefined without `setup`). */
  readonly state: S;
  /** Id of this turn: assigned by the submitter (`turn` message) or the runner (`t-1`, `t-2`, …). */
  readonly turnId: string;
  /**
   * Aborted when this turn is cancelled (`cancel()`, `turn_cancel`) or the run is asked to
   * stop. A turn that throws after its signal aborted ends with status `cancelled`.
   */
  readonly signal: AbortSignal;
  /**
   * Adds tokens and cost spent by this turn; the sums are reported with its result
   * (`turn_result.usage`, `TurnOutcome.usage`), not as separate `usage` messages, with the
   * same split by `model` (and by whether a cost was given) in `usage.models`, so that a model
   * without a price is named in `x agent status`. Under the daemon each report is also sent at
   * once (`usage` naming the turn), so budgets see it before the turn ends and
   * {@link AgentContext.whenResumed} in the turn sees the pause it caused; elsewhere a turn's
   * usage is known when the turn ends.
   * @throws TypeError (synchronously) when `inputTokens` or `outputTokens` is not a safe
   *   integer >= 0, `costUsd` is not a finite number >= 0 (US dollars), `model` is not a string
   *   of 1 to 256 characters, or another field is given; nothing is added then.
   */
  reportUsage(usage: UsageReport): void;
}

/**
 * What `step` returns. Every field is optional; returning nothing is fine. A field the
 * protocol cannot carry never costs the iteration: it is left out and a `warn` log line
 * says which and why (`iteration 3: usage.inputTokens must be a non-negative integer, got
 * 10n; usage not recorded`). A `summary` that is not a string is left out (not converted),
 * a `usage` with any bad field is left out whole, a `done` that is not a boolean does not end
 * the run; `null` counts as absent.
 */
export interface StepResult {
  /**
   * One-line result of the iteration, shown by `x agent status` and stored with it. Longer
   * than 65 536 characters, it is cut, with a marker saying so.
   */
  summary?: string;
  /** True to end the run after this iteration (exit reason `done`). */
  done?: boolean;
  /**
   * Tokens and cost spent by this iteration, if the agent tracks them: `inputTokens` and
   * `outputTokens` safe integers >= 0, `costUsd` a finite number >= 0 (US dollars). Added to
   * what the step reported with `ctx.reportUsage`: report each spend one way only.
   */
  usage?: Usage;
}

/**
 * An agent: a loop body (`step`), a request handler (`turn`), or both, with optional setup
 * and teardown. At least one of `step` and `turn` is required.
 *
 * How steps and turns share the run: one thing runs at a time. Turns are queued in the
 * order they arrive and run between iterations: a turn submitted while a step runs starts
 * when that step ends; a turn submitted during the `intervalMs` pause starts at once (the
 * pause is woken) and the next iteration stays due when it was (turns do not push it back).
 * Every queued turn runs before the next iteration starts. An agent with only `turn`
 * idles until a turn arrives or the run is stopped (`maxIterations` does not apply to it).
 * When the run ends (stop, `done`, `max_iterations`, failed setup) queued turns are
 * cancelled.
 *
 * @typeParam P - shape of `params`.
 * @typeParam S - what `setup` returns (`ctx.state`).
 * @typeParam I - the input a turn takes.
 * @typeParam O - what a turn returns.
 */
export interface AgentDefinition<
  P = Record<string, unknown>,
  S = unknown,
  I = unknown,
  O = unknown,
> {
  /**
   * Runs once after the handshake, before the first iteration or turn. Its result is
   * `ctx.state`. A throw fails the run (exit reason `error`, exit code 1) and is reported
   * whole (name, message, stack); throw a `ConfigError` (code `X_AGENT_CONFIG`) to say
   * that a restart cannot help (exit code 78, EX_CONFIG: never restarted).
   */
  setup?(ctx: AgentContext<P>): S | Promise<S>;
  /**
   * Runs one iteration. A thrown error fails that iteration only (status `error`, with the
   * error's name, message and stack); the run goes on, except after a `ConfigError`,
   * which ends it (exit code 78). Runs again `intervalMs` after the previous one ends.
   */
  step?(
    ctx: AgentContext<P> & { readonly state: S },
  ): StepResult | void | Promise<StepResult | void>;
  /**
   * Handles one submitted input and returns the output (any JSON value under the daemon:
   * an output that is not JSON ends the turn as `error`, naming where and how to fix it).
   * A thrown error fails that turn only (status `error`); the run goes on, except after a
   * `ConfigError`, which ends it (exit code 78).
   */
  turn?(input: I, ctx: TurnContext<P, S>): O | Promise<O>;
  /**
   * Runs once when the run ends for any reason but a crash, within the stop grace period.
   * When the grace runs out first, teardown is abandoned and that is reported (a `warn` log
   * line and the `exit` summary: `teardown abandoned after 1800 ms: …`).
   */
  teardown?(ctx: AgentContext<P> & { readonly state: S }): void | Promise<void>;
  /**
   * True when running a turn twice does no harm (it is idempotent): a turn that was running
   * when its runner died may then be run once more, by the next attempt of the run, instead
   * of ending as an error. Announced to the supervisor as `ready.capabilities.retryTurns`.
   * @default false
   */
  retryTurns?: boolean;
}

/** An agent definition with `step`, `turn` or both: what {@link defineAgent} accepts. */
export type AgentDefinitionWithWork<P, S, I, O> = AgentDefinition<P, S, I, O> &
  (
    | { step: NonNullable<AgentDefinition<P, S, I, O>['step']> }
    | { turn: NonNullable<AgentDefinition<P, S, I, O>['turn']> }
  );

/**
 * Declares an agent. Use it as the default export of an agent module:
 *
 * ```js
 * import { defineAgent } from '@x/kernel';
 * export default defineAgent({
 *   async step(ctx) { return { summary: `iteration ${ctx.iteration}` }; },
 *   async turn(input, ctx) { return { echo: input }; },
 * });
 * ```
 *
 * @throws TypeError when neither `step` nor `turn` is a function, `step`, `turn`,
 *   `setup` or `teardown` is given but is not a function, or `retryTurns` is given but is
 *   not a boolean.
 */
export function defineAgent<P = Record<string, unknown>, S = unknown, I = unknown, O = unknown>(
  definition: AgentDefinitionWithWork<P, S, I, O>,
): AgentDefinition<P, S, I, O> {
  const problem = describeAgentProblem(definition);
  if (problem !== undefined) {
    throw new TypeError(`@x/kernel: defineAgent: ${problem}`);
  }
  return Object.freeze({ ...definition });
}

/** Why `value` is not an agent definition, or undefined when it is one. */
export function describeAgentProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `expected an object with a step(ctx) or turn(input, ctx) function, got ${value === null ? 'null' : typeof value}`;
  }
  const agent = value as Record<string, unknown>;
  if (agent.step === undefined && agent.turn === undefined) {
    return 'expected a step(ctx) or a turn(input, ctx) function, got neither';
  }
  for (const hook of ['step', 'turn', 'setup', 'teardown'] as const) {
    if (agent[hook] !== undefined && typeof agent[hook] !== 'function') {
      return `${hook} must be a function when given, got ${typeof agent[hook]}`;
    }
  }
  if (agent.retryTurns !== undefined && typeof agent.retryTurns !== 'boolean') {
    return `retryTurns must be a boolean when given, got ${typeof agent.retryTurns}`;
  }
  return undefined;
}
