import { AsyncLocalStorage } from 'node:async_hooks';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import {
  getContextVariable,
  registerConfigureHook,
  setContextVariable,
} from '@langchain/core/context';
import type { LLMResult } from '@langchain/core/outputs';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';

/** What {@link reportModelUsage} needs of an x agent's context. */
export interface UsageContext {
  reportUsage(usage: { inputTokens?: number; outputTokens?: number; model?: string }): void;
}

/** Calls whose model name is kept from their start until their end, at most. */
const MAX_CALLS_IN_FLIGHT = 1024;
/** The context variable the handler is registered under (LangChain's configure hooks). */
const CONTEXT_VAR = 'x_model_usage_handler';

/**
 * Reports the usage of every LangChain model call made from here on in this async context
 * (the rest of the step or turn that calls it: a graph's nodes, chains, agents) to x with
 * `ctx.reportUsage`: the message's `usage_metadata` (`input_tokens`, `output_tokens`, else
 * the older `llmOutput.tokenUsage`) and the model's name (`response_metadata.model_name` or
 * `model`, else the call's `ls_model_name`). No call site changes: the handler is installed
 * for every call with LangChain's `registerConfigureHook`, as LangSmith's tracer is. Calls
 * that report no tokens report nothing. Cost is not known here (x's budgets by tokens see
 * every call; a cost budget does not).
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
 */
export function reportModelUsage(ctx: UsageContext): BaseCallbackHandler {
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
  const handler = new UsageHandler(ctx);
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
  readonly #models = new Map<string, string>();

  constructor(private readonly ctx: UsageContext) {
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
    model ??= started;
    if (found) {
      this.ctx.reportUsage({
        inputTokens,
        outputTokens,
        ...(model === undefined ? {} : { model }),
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
    if (model === undefined) {
      return;
    }
    if (this.#models.size >= MAX_CALLS_IN_FLIGHT) {
      this.#models.clear();
    }
    this.#models.set(runId, model);
  }
}

interface MessageLike {
  usage_metadata?: { input_tokens?: unknown; output_tokens?: unknown };
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
