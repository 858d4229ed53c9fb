import { AsyncLocalStorage } from 'node:async_hooks';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import {
  getContextVariable,
  registerConfigureHook,
  setContextVariable,
} from '@langchain/core/context';
import type { LLMResult } from '@langchain/core/outputs';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { ModelCost, type CallTokens, type ModelPrice } from '@x/model-prices';

/** What {@link reportModelUsage} needs of an x agent's context. */
export interface UsageContext {
  reportUsage(usage: {
    inputTokens?: number;
    outputTokens?: number;
    costUsd?: number;
    model?: string;
  }): void;
  /** The operator's prices (the daemon's `modelPrices`); absent with an older `@x/kernel`. */
  readonly modelPrices?: Readonly<Record<string, ModelPrice>> | undefined;
}

/** Options of {@link reportModelUsage}. */
export interface ModelUsageOptions {
  /**
   * Prices overriding the catalog, by model name (`gpt-4o-mini`): US dollars per million
   * tokens. The operator's prices (`ctx.modelPrices`: the `modelPrices` of the daemon's
   * x.config.json) win over these for the models they name. @default {} (the catalog and the
   * operator's prices only)
   */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** False: report tokens and model only, never a cost. @default true */
  cost?: boolean;
}

/** Calls whose model name and provider are kept from their start until their end, at most. */
const MAX_CALLS_IN_FLIGHT = 1024;
/** The context variable the handler is registered under (LangChain's configure hooks). */
const CONTEXT_VAR = 'x_model_usage_handler';

/**
 * Reports the usage of every LangChain model call made from here on in this async context
 * (the rest of the step or turn that calls it: a graph's nodes, chains, agents) to x with
 * `ctx.reportUsage`: the message's `usage_metadata` (`input_tokens`, `output_tokens`, else
 * the older `llmOutput.tokenUsage`), the model's name (`response_metadata.model_name` or
 * `model`, else the call's `ls_model_name`) and the cost in US dollars: from the operator's
 * prices (`ctx.modelPrices`), else `options.prices`, else `@pydantic/genai-prices`' bundled
 * catalog (no network), under the call's `ls_provider` (`openai`, `anthropic`); cached input
 * tokens (`input_token_details.cache_read`, `cache_creation`) at the cache prices. A model
 * priced nowhere is reported without a cost: its tokens count, and a run with a cost budget
 * is warned once, naming it. No call site changes: the handler is installed for every call
 * with LangChain's `registerConfigureHook`, as LangSmith's tracer is. Calls that report no
 * tokens report nothing.
 *
 * ```js
 * async step(ctx) {
 *   reportModelUsage(ctx);
 *   await app.invoke(null, saver.config());
 * }
 * ```
 *
 * Call it at the start of each step or turn (it sets an AsyncLocalStorage variable of
 * LangChain's, which lasts for the async context it is set in).
 * @returns the handler (a LangChain `BaseCallbackHandler`), e.g. to pass in `callbacks` too.
 * @throws TypeError when `ctx` lacks `reportUsage`, or a price in `options.prices` is not a
 *   number >= 0 (naming the model and the field).
 */
export function reportModelUsage(
  ctx: UsageContext,
  options: ModelUsageOptions = {},
): BaseCallbackHandler {
  if (typeof ctx?.reportUsage !== 'function') {
    throw new TypeError(
      `@x/langgraph: reportModelUsage(ctx): ctx.reportUsage is ${typeof ctx?.reportUsage}; pass the ctx of an x agent's setup, step or turn`,
    );
  }
  // LangChain keeps context variables in a global AsyncLocalStorage that its runnables
  // set up on first use; set it up here if this comes first.
  const provider = AsyncLocalStorageProviderSingleton as unknown as {
    getInstance(): unknown;
    initializeGlobalInstance(instance: AsyncLocalStorage<unknown>): void;
  };
  if (
    provider.getInstance() === undefined ||
    !('enterWith' in (provider.getInstance() as object))
  ) {
    provider.initializeGlobalInstance(new AsyncLocalStorage());
  }
  // The operator's prices (x.config.json, via the daemon) win over the code's, both over the catalog.
  const pricing =
    options.cost === false
      ? undefined
      : new ModelCost({ ...options.prices, ...ctx.modelPrices }, '@x/langgraph');
  const handler = new UsageHandler(ctx, pricing);
  // Hooks and variables live together in one context: where ours is set, the hook is there
  // too (registering again each step would grow LangChain's list of hooks).
  if (getContextVariable(CONTEXT_VAR) === undefined) {
    registerConfigureHook({ contextVar: CONTEXT_VAR, inheritable: true });
  }
  setContextVariable(CONTEXT_VAR, handler);
  return handler;
}

/** The callback handler behind {@link reportModelUsage}. */
class UsageHandler extends BaseCallbackHandler {
  readonly name = 'x_model_usage';
  override awaitHandlers = false;
  readonly #models = new Map<string, { model?: string; provider?: string }>();

  constructor(
    private readonly ctx: UsageContext,
    private readonly pricing: ModelCost | undefined,
  ) {
    super();
  }

  override handleChatModelStart(
    _llm: unknown,
    _messages: unknown,
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.#remember(runId, metadata, extraParams);
  }

  override handleLLMStart(
    _llm: unknown,
    _prompts: string[],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.#remember(runId, metadata, extraParams);
  }

  override handleLLMError(_error: unknown, runId: string): void {
    this.#models.delete(runId);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const started = this.#models.get(runId);
    this.#models.delete(runId);
    let inputTokens = 0;
    let outputTokens = 0;
    let cacheReadTokens = 0;
    let cacheWriteTokens = 0;
    let model: string | undefined;
    let found = false;
    for (const generations of output.generations ?? []) {
      for (const generation of generations ?? []) {
        const message = (generation as { message?: MessageLike }).message;
        const usage = message?.usage_metadata;
        if (usage !== undefined) {
          found = true;
          inputTokens += count(usage.input_tokens);
          outputTokens += count(usage.output_tokens);
          cacheReadTokens += count(usage.input_token_details?.cache_read);
          cacheWriteTokens += count(usage.input_token_details?.cache_creation);
        }
        const meta = message?.response_metadata;
        model ??= text(meta?.['model_name']) ?? text(meta?.['model']);
      }
    }
    const legacy = (output.llmOutput as { tokenUsage?: Record<string, unknown> } | undefined)
      ?.tokenUsage;
    if (!found && legacy !== undefined) {
      found = true;
      inputTokens = count(legacy['promptTokens']);
      outputTokens = count(legacy['completionTokens']);
    }
    model ??= started?.model;
    if (found) {
      const tokens: CallTokens = { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens };
      const costUsd =
        model === undefined ? undefined : this.pricing?.costUsd(tokens, model, started?.provider);
      this.ctx.reportUsage({
        inputTokens,
        outputTokens,
        ...(model === undefined ? {} : { model }),
        ...(costUsd === undefined ? {} : { costUsd }),
      });
    }
  }

  #remember(
    runId: string,
    metadata: Record<string, unknown> | undefined,
    extraParams: Record<string, unknown> | undefined,
  ): void {
    const invocation = extraParams?.['invocation_params'] as Record<string, unknown> | undefined;
    const model = text(metadata?.['ls_model_name']) ?? text(invocation?.['model']);
    const provider = text(metadata?.['ls_provider']);
    if (model === undefined && provider === undefined) {
      return;
    }
    if (this.#models.size >= MAX_CALLS_IN_FLIGHT) {
      this.#models.clear();
    }
    this.#models.set(runId, {
      ...(model === undefined ? {} : { model }),
      ...(provider === undefined ? {} : { provider }),
    });
  }
}

interface MessageLike {
  usage_metadata?: {
    input_tokens?: unknown;
    output_tokens?: unknown;
    input_token_details?: { cache_read?: unknown; cache_creation?: unknown };
  };
  response_metadata?: Record<string, unknown>;
}

/** A token count as x takes it: a safe integer ≥ 0, else 0. */
function count(value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0;
}

/** A model name as x takes it: 1 to 256 characters, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 256) : undefined;
}
