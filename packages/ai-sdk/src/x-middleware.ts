import type { LanguageModelMiddleware } from 'ai';
import { RunPausedError } from './errors.js';
import { ModelCost, type CallTokens, type ModelPrice } from '@x/model-prices';

/** What the middleware needs of an x agent's `ctx` (setup, a step, a turn or teardown). */
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

/** Options of {@link xMiddleware}. */
export interface XMiddlewareOptions {
  /**
   * What a model call made while the run is paused does: `'wait'` holds it until the run is
   * resumed (it rejects with the stop's reason if the run is stopped meanwhile); `'throw'`
   * rejects it at once with a {@link RunPausedError}. Either way nothing reaches the model
   * while paused, so a run goes over its budget by at most the calls already in flight.
   * @default 'wait'
   */
  whenPaused?: 'wait' | 'throw';
  /**
   * Prices overriding the catalog, by model id as the provider answers it (`gpt-4o-mini`):
   * US dollars per million tokens. For models the catalog lacks, negotiated prices, or
   * self-hosted models. The operator's prices (`ctx.modelPrices`: the `modelPrices` of the
   * daemon's x.config.json) win over these for the models they name. @default {} (the catalog
   * and the operator's prices only)
   */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** False: report tokens and model only, never a cost. @default true */
  cost?: boolean;
}

type Usage = Record<string, unknown> | undefined;
type WrapStream = NonNullable<LanguageModelMiddleware['wrapStream']>;
type StreamResult = Awaited<ReturnType<WrapStream>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

/**
 * An AI SDK language-model middleware (for `wrapLanguageModel`) that, for every
 * `generateText`, `streamText`, `generateObject`, `streamObject` call through the wrapped
 * model, and every step of a multi-step call:
 *
 * - before the call, holds it while the run is paused (see `whenPaused`): the budget is
 *   enforced at the model-call boundary, not only between iterations;
 * - after it, reports the call's tokens, model id and cost in US dollars to x with
 *   `ctx.reportUsage` (for a stream, from its `finish` part, when the stream reaches it).
 *
 * The cost comes from the operator's prices (`ctx.modelPrices`, the daemon's x.config.json
 * `modelPrices`), else `prices`, else `@pydantic/genai-prices`' bundled catalog (no network).
 * A model the catalog does not know is reported without `costUsd`: its tokens count, and a
 * run with a cost budget gets one warning naming the model. A call that reports no token
 * counts reports nothing.
 *
 * ```js
 * import { wrapLanguageModel, generateText } from 'ai';
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: xMiddleware(ctx) });
 * ```
 *
 * Make one per step or turn (it reports to that `ctx`; making one costs a few objects).
 * @throws TypeError when `ctx` lacks `reportUsage`, `pauseReason` or `whenResumed` (an
 *   `@x/kernel` older than this package), or a price in `prices` is not a number >= 0.
 */
export function xMiddleware(
  ctx: ModelCallContext,
  options: XMiddlewareOptions = {},
): LanguageModelMiddleware {
  for (const method of ['reportUsage', 'pauseReason', 'whenResumed'] as const) {
    if (typeof ctx?.[method] !== 'function') {
      throw new TypeError(
        `@x/ai-sdk: xMiddleware(ctx): ctx.${method} is ${typeof ctx?.[method]}; pass the ctx of an x agent's setup, step or turn (@x/kernel >= 0.2)`,
      );
    }
  }
  const { whenPaused = 'wait', cost = true } = options;
  if (whenPaused !== 'wait' && whenPaused !== 'throw') {
    throw new TypeError(
      `@x/ai-sdk: xMiddleware: whenPaused must be 'wait' or 'throw', got ${JSON.stringify(whenPaused)}`,
    );
  }
  // The operator's prices (x.config.json, via the daemon) win over the code's, both over the catalog.
  const pricing = cost
    ? new ModelCost({ ...options.prices, ...ctx.modelPrices }, '@x/ai-sdk')
    : undefined;

  const beforeCall = async (model: { provider: string; modelId: string }): Promise<void> => {
    // whenResumed first makes sure the usage reported so far was handled by the supervisor:
    // the pause the last call's report caused is seen here, before this call is sent.
    const reason = await ctx.whenResumed({ wait: whenPaused === 'wait' });
    if (reason !== undefined) {
      throw new RunPausedError(reason, `${model.provider}:${model.modelId}`);
    }
  };

  const report = (usage: Usage, modelId: string, provider: string): void => {
    const tokens = readTokens(usage);
    if (tokens.inputTokens === undefined && tokens.outputTokens === undefined) {
      return;
    }
    const costUsd = pricing?.costUsd(tokens, modelId, provider);
    ctx.reportUsage({
      inputTokens: tokens.inputTokens ?? 0,
      outputTokens: tokens.outputTokens ?? 0,
      model: modelId.slice(0, 256) || provider.slice(0, 256) || 'unknown',
      ...(costUsd === undefined ? {} : { costUsd }),
    });
  };

  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, model }) {
      await beforeCall(model);
      const result = await doGenerate();
      report(result.usage, result.response?.modelId ?? model.modelId, model.provider);
      return result;
    },
    async wrapStream({ doStream, model }) {
      await beforeCall(model);
      const result = await doStream();
      let modelId = model.modelId;
      const watch = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === 'response-metadata' && part.modelId !== undefined) {
            modelId = part.modelId;
          } else if (part.type === 'finish') {
            report(part.usage, modelId, model.provider);
          }
          controller.enqueue(part);
        },
      });
      return { ...result, stream: result.stream.pipeThrough(watch) };
    },
  };
}

/**
 * Token counts from an AI SDK usage: the v3 shape (`inputTokens: { total, cacheRead,
 * cacheWrite }`, `outputTokens: { total }`) or the flat v2 one (`inputTokens: number`,
 * `cachedInputTokens`). Counts that are not safe integers >= 0 are unknown.
 */
export function readTokens(usage: Usage): CallTokens {
  const input = usage?.['inputTokens'];
  const output = usage?.['outputTokens'];
  if (input !== null && typeof input === 'object') {
    const i = input as Record<string, unknown>;
    const o = (output ?? {}) as Record<string, unknown>;
    return {
      inputTokens: count(i['total']),
      cacheReadTokens: count(i['cacheRead']),
      cacheWriteTokens: count(i['cacheWrite']),
      outputTokens: count(o['total']),
    };
  }
  return {
    inputTokens: count(input),
    cacheReadTokens: count(usage?.['cachedInputTokens']),
    outputTokens: count(output),
  };
}

function count(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}
