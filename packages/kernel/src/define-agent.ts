import type { LogLevel, Usage } from '@x/ipc';

/** What an agent's `step` sees: the run, the iteration and ways to report. */
export interface AgentContext<P = Record<string, unknown>> {
  /** Run id assigned by the supervisor. */
  readonly runId: string;
  /** Name of the run. */
  readonly name: string;
  /** 1-based number of the iteration being run (0 during `setup` and `teardown`). */
  readonly iteration: number;
  /** Parameters given at `x agent start --params`, as a JSON object. */
  readonly params: P;
  /**
   * Aborted when the run is asked to stop (or its supervisor is gone). Pass it to `fetch`,
   * timers and child processes so that a stop ends the iteration quickly.
   */
  readonly signal: AbortSignal;
  /** Writes a structured log line to the run's log (`x agent logs`). */
  log(level: LogLevel, message: string): void;
  /** Publishes an application event (any JSON value) to the supervisor. */
  notify(payload: unknown): void;
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

/** An agent: a loop body with optional setup and teardown. */
export interface AgentDefinition<P = Record<string, unknown>, S = unknown> {
  /** Runs once after the handshake, before the first iteration. Its result is `ctx.state`. */
  setup?(ctx: AgentContext<P>): S | Promise<S>;
  /**
   * Runs one iteration. A thrown error fails that iteration only (status `error`); the run
   * goes on. Runs again `intervalMs` after the previous one ends.
   */
  step(
    ctx: AgentContext<P> & { readonly state: S },
  ): StepResult | void | Promise<StepResult | void>;
  /** Runs once when the run ends for any reason but a crash, within the stop grace period. */
  teardown?(ctx: AgentContext<P> & { readonly state: S }): void | Promise<void>;
}

/**
 * Declares an agent. Use it as the default export of an agent module:
 *
 * ```js
 * import { defineAgent } from '@x/kernel';
 * export default defineAgent({
 *   async step(ctx) { return { summary: `iteration ${ctx.iteration}` }; },
 * });
 * ```
 *
 * @throws TypeError when `step` is not a function, or `setup`/`teardown` are given but are
 *   not functions.
 */
export function defineAgent<P = Record<string, unknown>, S = unknown>(
  definition: AgentDefinition<P, S>,
): AgentDefinition<P, S> {
  const problem = describeAgentProblem(definition);
  if (problem !== undefined) {
    throw new TypeError(`@x/kernel: defineAgent: ${problem}`);
  }
  return Object.freeze({ ...definition });
}

/** Why `value` is not an agent definition, or undefined when it is one. */
export function describeAgentProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `expected an object with a step(ctx) function, got ${value === null ? 'null' : typeof value}`;
  }
  const agent = value as Record<string, unknown>;
  if (typeof agent.step !== 'function') {
    return `step must be a function, got ${typeof agent.step}`;
  }
  for (const hook of ['setup', 'teardown'] as const) {
    if (agent[hook] !== undefined && typeof agent[hook] !== 'function') {
      return `${hook} must be a function when given, got ${typeof agent[hook]}`;
    }
  }
  return undefined;
}
