import { calcPrice, type PriceCalculationResult } from '@pydantic/genai-prices';

/** The tokens of one model call, as a framework reports them (unknown counts undefined). */
export interface CallTokens {
  /** All input tokens, cached ones included. */
  inputTokens: number | undefined;
  /** Of `inputTokens`, read from the provider's prompt cache. */
  cacheReadTokens?: number | undefined;
  /** Of `inputTokens`, written to the provider's prompt cache. */
  cacheWriteTokens?: number | undefined;
  outputTokens: number | undefined;
}

/**
 * An operator's price for one model, overriding the catalog: US dollars per million tokens.
 * Cache prices default to `inputUsdPerMTok`.
 */
export interface ModelPrice {
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  cacheReadUsdPerMTok?: number;
  cacheWriteUsdPerMTok?: number;
}

/** Model ids whose catalog lookup came out empty, kept so the catalog is not searched again. */
const MAX_REMEMBERED_MISSES = 1024;

/**
 * Prices model calls: from `prices` (an operator's override, by model id) when the model is
 * there, else from `@pydantic/genai-prices`' catalog bundled with the package (no network:
 * its auto-update is never enabled here). A provider (`openai`, or an AI SDK provider id such as
 * `openai.chat`, `anthropic.messages`: its first part) narrows the catalog search; a provider
 * the catalog does not know falls back to a search by model id alone. Memory: at most 1024
 * model ids remembered as missing from the catalog.
 */
export class ModelCost {
  readonly #misses = new Set<string>();

  /**
   * @param prices an operator's prices by model id, overriding the catalog.
   * @param owner the package named in errors (`@x/ai-sdk`). @default '@x/model-prices'
   * @throws TypeError naming the model and the field of a price that is not a finite number ≥ 0.
   */
  constructor(
    private readonly prices: Readonly<Record<string, ModelPrice>> = {},
    owner = '@x/model-prices',
  ) {
    for (const [model, price] of Object.entries(prices)) {
      const problem = priceProblem(price);
      if (problem !== undefined) {
        throw new TypeError(
          `${owner}: prices[${JSON.stringify(model)}]: ${problem}; give US dollars per million tokens, e.g. { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 }`,
        );
      }
    }
  }

  /** The cost of a call in US dollars, or undefined when the model's price is not known. */
  costUsd(tokens: CallTokens, modelId: string, provider: string | undefined): number | undefined {
    const input = tokens.inputTokens ?? 0;
    const output = tokens.outputTokens ?? 0;
    const override = this.prices[modelId];
    if (override !== undefined) {
      const cacheRead = tokens.cacheReadTokens ?? 0;
      const cacheWrite = tokens.cacheWriteTokens ?? 0;
      const plain = Math.max(0, input - cacheRead - cacheWrite);
      return (
        (plain * override.inputUsdPerMTok +
          cacheRead * (override.cacheReadUsdPerMTok ?? override.inputUsdPerMTok) +
          cacheWrite * (override.cacheWriteUsdPerMTok ?? override.inputUsdPerMTok) +
          output * override.outputUsdPerMTok) /
        1e6
      );
    }
    const key = `${provider ?? ''}\u0000${modelId}`;
    if (this.#misses.has(key)) {
      return undefined;
    }
    const usage = {
      input_tokens: input,
      output_tokens: output,
      ...(tokens.cacheReadTokens ? { cache_read_tokens: tokens.cacheReadTokens } : {}),
      ...(tokens.cacheWriteTokens ? { cache_write_tokens: tokens.cacheWriteTokens } : {}),
    };
    const providerId = provider?.split('.')[0];
    let found: PriceCalculationResult = null;
    try {
      found =
        (providerId ? calcPrice(usage, modelId, { providerId }) : null) ??
        calcPrice(usage, modelId);
    } catch {
      found = null; // a usage the catalog refuses (cache tokens above input): cost unknown
    }
    if (found === null) {
      if (this.#misses.size >= MAX_REMEMBERED_MISSES) {
        this.#misses.clear();
      }
      this.#misses.add(key);
      return undefined;
    }
    return found.total_price;
  }
}

function priceProblem(price: ModelPrice): string | undefined {
  if (price === null || typeof price !== 'object') {
    return `expected an object, got ${JSON.stringify(price)}`;
  }
  for (const field of [
    'inputUsdPerMTok',
    'outputUsdPerMTok',
    'cacheReadUsdPerMTok',
    'cacheWriteUsdPerMTok',
  ] as const) {
    const value = price[field];
    const optional = field.startsWith('cache');
    if ((value !== undefined || !optional) && !(Number.isFinite(value) && (value as number) >= 0)) {
      return `${field} must be a finite number >= 0, got ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}
