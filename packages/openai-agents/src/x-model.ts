import type { Model, ModelProvider, ModelRequest, ModelResponse } from '@openai/agents';
import { RunPausedError } from './errors.js';
import { ModelCost, type CallTokens, type ModelPrice } from '@x/model-prices';

/** What the wrapper needs of an x agent's `ctx` (setup, a step, a turn or teardown). */
export interface ModelCallContext {
  reportUsage(usage: {
    inputTokens?: number;
    outputTokens?: number;
    costUsd?: number;
    model?: string;
  }): void;
  pauseReason(): string | undefined;
  whenResumed(options?: { wait?: boolean }): Promise<string | undefined>;
  /** The operator's prices (the daemon's `modelPrices`); absent with an older `@x/kernel`. */
  readonly modelPrices?: Readonly<Record<string, ModelPrice>> | undefined;
}

/** Options of {@link withX} and {@link xModelProvider}. */
export interface XModelOptions {
  /**
   * What a model call made while the run is paused does: `'wait'` holds it until the run is
   * resumed (it rejects with the stop's reason if the run is stopped meanwhile); `'throw'`
   * rejects it at once with a {@link RunPausedError}. Either way nothing reaches the model
   * while paused, so a run goes over its budget by at most the calls already in flight.
   * @default 'wait'
   */
  whenPaused?: 'wait' | 'throw';
  /**
   * Prices overriding the catalog, by model name (`gpt-4.1-mini`): US dollars per million
   * tokens. For models the catalog lacks, negotiated prices, or self-hosted models. The
   * operator's prices (`ctx.modelPrices`: the `modelPrices` of the daemon's x.config.json) win
   * over these for the models they name. @default {} (the catalog and the operator's prices only)
   */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** False: report tokens and model only, never a cost. @default true */
  cost?: boolean;
  /**
   * The catalog provider the model is priced under (`openai`, `anthropic`, `google`…).
   * @default 'openai'
   */
  provider?: string;
}

/** Stream events a model yields; only `response_done` (with the call's usage) is read. */
type StreamEvent =
  ReturnType<Model['getStreamedResponse']> extends AsyncIterable<infer E> ? E : never;

/**
 * `model` (an Agents SDK `Model`) wrapped for `ctx`: for every `getResponse` and
 * `getStreamedResponse` call the Runner makes through it (each turn of an agent run):
 *
 * - before the call, holds it while the run is paused (see `whenPaused`): the budget is
 *   enforced at the model-call boundary, not only between iterations;
 * - after it, reports the call's tokens, the model name and its cost in US dollars to x with
 *   `ctx.reportUsage` (for a stream, from its `response_done` event).
 *
 * The cost comes from the operator's prices (`ctx.modelPrices`, the daemon's x.config.json
 * `modelPrices`), else `prices`, else `@pydantic/genai-prices`' bundled catalog (no network).
 * A model the catalog does not know is reported without `costUsd`: its tokens count, and a
 * run with a cost budget gets one warning naming the model. A call that reports no tokens
 * reports nothing.
 *
 * ```js
 * const agent = new Agent({ name: 'a', model: withX(new OpenAIResponsesModel(client, 'gpt-4.1-mini'), ctx, { modelName: 'gpt-4.1-mini' }) });
 * ```
 * @param modelName - the name reported to x and priced (a `Model` does not carry one).
 * @throws TypeError when `ctx` lacks `reportUsage`, `pauseReason` or `whenResumed` (an
 *   `@x/kernel` older than this package), `whenPaused` is neither `'wait'` nor `'throw'`, or a
 *   price in `prices` is not a number >= 0.
 */
export function withX(
  model: Model,
  ctx: ModelCallContext,
  options: XModelOptions & { modelName: string },
): Model {
  return new XModel(model, options.modelName, ctx, resolve(ctx, options));
}

/**
 * `provider` (an Agents SDK `ModelProvider`, e.g. `new OpenAIProvider()`) wrapped so that
 * every model it gives is wrapped with {@link withX}: give it to `new Runner({ modelProvider })`
 * and every agent's calls by model name report usage and wait while the run is paused.
 * An agent whose `model` is a `Model` instance (not a name) bypasses providers: wrap that
 * model with {@link withX}.
 * @throws TypeError as {@link withX}.
 */
export function xModelProvider(
  provider: ModelProvider,
  ctx: ModelCallContext,
  options: XModelOptions = {},
): ModelProvider {
  const settings = resolve(ctx, options);
  return {
    async getModel(modelName?: string): Promise<Model> {
      const model = await provider.getModel(modelName);
      return new XModel(model, modelName ?? 'default', ctx, settings);
    },
  };
}

interface Settings {
  readonly pricing: ModelCost | undefined;
  readonly wait: boolean;
  readonly provider: string;
}

/** Checks `ctx` and `options` once, for every model made with them. */
function resolve(ctx: ModelCallContext, options: XModelOptions): Settings {
  for (const method of ['reportUsage', 'pauseReason', 'whenResumed'] as const) {
    if (typeof ctx?.[method] !== 'function') {
      throw new TypeError(
        `@x/openai-agents: ctx.${method} is ${typeof ctx?.[method]}; pass the ctx of an x agent's setup, step or turn (@x/kernel >= 0.2)`,
      );
    }
  }
  const { whenPaused = 'wait', cost = true, provider = 'openai' } = options;
  if (whenPaused !== 'wait' && whenPaused !== 'throw') {
    throw new TypeError(
      `@x/openai-agents: whenPaused must be 'wait' or 'throw', got ${JSON.stringify(whenPaused)}`,
    );
  }
  return {
    wait: whenPaused === 'wait',
    provider,
    // The operator's prices (x.config.json, via the daemon) win over the code's, both over the catalog.
    pricing: cost
      ? new ModelCost({ ...options.prices, ...ctx.modelPrices }, '@x/openai-agents')
      : undefined,
  };
}

class XModel implements Model {
  constructor(
    private readonly inner: Model,
    private readonly modelName: string,
    private readonly ctx: ModelCallContext,
    private readonly settings: Settings,
  ) {}

  get supportsPromptModelSelection(): boolean | undefined {
    return this.inner.supportsPromptModelSelection;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    await this.#beforeCall();
    const response = await this.inner.getResponse(request);
    this.#report(response.usage as unknown as Record<string, unknown>);
    return response;
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    await this.#beforeCall();
    for await (const event of this.inner.getStreamedResponse(request)) {
      if (event.type === 'response_done') {
        this.#report(event.response.usage);
      }
      yield event;
    }
  }

  async #beforeCall(): Promise<void> {
    // whenResumed first makes sure the usage reported so far was handled by the supervisor:
    // the pause the last call's report caused is seen here, before this call is sent.
    const reason = await this.ctx.whenResumed({ wait: this.settings.wait });
    if (reason !== undefined) {
      throw new RunPausedError(reason, this.modelName);
    }
  }

  #report(usage: Record<string, unknown> | undefined): void {
    const tokens = readTokens(usage);
    if (tokens.inputTokens === undefined && tokens.outputTokens === undefined) {
      return;
    }
    const costUsd = this.settings.pricing?.costUsd(tokens, this.modelName, this.settings.provider);
    this.ctx.reportUsage({
      inputTokens: tokens.inputTokens ?? 0,
      outputTokens: tokens.outputTokens ?? 0,
      model: this.modelName.slice(0, 256) || 'unknown',
      ...(costUsd === undefined ? {} : { costUsd }),
    });
  }
}

/**
 * Token counts from an Agents SDK usage (`Usage` of a `ModelResponse`, or the usage of a
 * stream's `response_done` event): `inputTokens`, `outputTokens`, and the cached input
 * tokens from `inputTokensDetails.cached_tokens` (a record or an array of records). Counts
 * that are not safe integers >= 0 are unknown.
 */
export function readTokens(usage: Record<string, unknown> | undefined): CallTokens {
  const details = usage?.['inputTokensDetails'];
  let cached: number | undefined;
  for (const entry of Array.isArray(details) ? details : [details]) {
    const value = count((entry as Record<string, unknown> | undefined)?.['cached_tokens']);
    if (value !== undefined) {
      cached = (cached ?? 0) + value;
    }
  }
  return {
    inputTokens: count(usage?.['inputTokens']),
    outputTokens: count(usage?.['outputTokens']),
    ...(cached ? { cacheReadTokens: cached } : {}),
  };
}

function count(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}
