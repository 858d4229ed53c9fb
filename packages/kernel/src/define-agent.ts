import type { LogLevel, PermissionDecision, Usage } from '@x/ipc';

/** What an agent asks permission for: `ctx.requestPermission({ tool, input, rationale })`. */
export interface PermissionRequest {
  /** What the agent wants to use: a tool or action name, 1 to 256 characters. */
  tool: string;
  /** The arguments it wants to use it with (any JSON value). */
  input?: unknown;
  /** Why, in the agent's words (at most 65 536 characters). */
  rationale?: string;
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
  /** Writes a structured log line to the run's log (`x agent logs`). */
  log(level: LogLevel, message: string): void;
  /** Publishes an application event (any JSON value) to the supervisor. */
  notify(payload: unknown): void;
  /**
   * Asks whoever supervises the run for permission to use a tool. Under the daemon this is
   * a `permission_request` answered by `x agent approve|deny` or the control API; in an
   * in-process runner, the `onPermissionRequest` callback (default: denied).
   *
   * Resolves `'denied'` without asking when the run is stopping or over, and resolves
   * `'denied'` for a pending request when this context's `signal` aborts (stop, cancelled
   * turn) or the supervisor goes away. Never rejects for those.
   * @throws TypeError (synchronously) when `tool` is not a string of 1 to 256 characters or
   *   `rationale` is given but is not a string of at most 65 536 characters.
   */
  requestPermission(request: PermissionRequest): Promise<PermissionDecision>;
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
  /** Adds tokens and cost spent by this turn; the sums are reported with its result. */
  reportUsage(usage: Usage): void;
}

/** What `step` returns. Every field is optional; returning nothing is fine. */
export interface StepResult {
  /** One-line result of the iteration, shown by `x agent status` and stored with it. */
  summary?: string;
  /** True to end the run after this iteration (exit reason `done`). */
  done?: boolean;
  /** Tokens and cost spent by this iteration, if the agent tracks them. */
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
  /** Runs once after the handshake, before the first iteration or turn. Its result is `ctx.state`. */
  setup?(ctx: AgentContext<P>): S | Promise<S>;
  /**
   * Runs one iteration. A thrown error fails that iteration only (status `error`); the run
   * goes on. Runs again `intervalMs` after the previous one ends.
   */
  step?(
    ctx: AgentContext<P> & { readonly state: S },
  ): StepResult | void | Promise<StepResult | void>;
  /**
   * Handles one submitted input and returns the output (any JSON value under the daemon).
   * A thrown error fails that turn only (status `error`); the run goes on.
   */
  turn?(input: I, ctx: TurnContext<P, S>): O | Promise<O>;
  /** Runs once when the run ends for any reason but a crash, within the stop grace period. */
  teardown?(ctx: AgentContext<P> & { readonly state: S }): void | Promise<void>;
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
 * @throws TypeError when neither `step` nor `turn` is a function, or `step`, `turn`,
 *   `setup` or `teardown` is given but is not a function.
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
  return undefined;
}
