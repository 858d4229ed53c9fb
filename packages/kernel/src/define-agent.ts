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
   * Adds tokens and cost spent by this turn; the sums are reported with its result.
   * @throws TypeError (synchronously) when `inputTokens` or `outputTokens` is not a safe
   *   integer >= 0, `costUsd` is not a finite number >= 0 (US dollars), or another field is
   *   given; nothing is added then.
   */
  reportUsage(usage: Usage): void;
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
   * `outputTokens` safe integers >= 0, `costUsd` a finite number >= 0 (US dollars).
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
