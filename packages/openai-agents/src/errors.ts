/**
 * Thrown (as the rejection of the model call) by a model wrapped with `whenPaused: 'throw'`
 * when the run is paused: a budget was reached (`--max-cost`, `--max-tokens`, a daily
 * budget) or `x agent pause` was asked. Nothing was sent to the model. Code
 * `X_OPENAI_AGENTS_RUN_PAUSED`; `reason` is the supervisor's (e.g. `cost $1.02 reached the
 * budget of $1.00 (--max-cost)`).
 */
export class RunPausedError extends Error {
  override readonly name = 'RunPausedError';
  readonly code = 'X_OPENAI_AGENTS_RUN_PAUSED';

  constructor(
    /** Why the run is paused, as the supervisor said. */
    readonly reason: string,
    /** The model the call was for. */
    readonly model: string,
  ) {
    super(
      `@x/openai-agents: the run is paused (${reason}); the call to ${model} was not made. ` +
        `Resume the run (x agent resume <run>, with --add-cost to raise a cost budget), ` +
        `or use whenPaused: 'wait' to hold calls until then`,
    );
  }
}
