import { describe, expect, it } from 'vitest';
import { ModelCost } from '../src/index.js';

describe('ModelCost (the bundled @pydantic/genai-prices catalog, no network)', () => {
  it('prices a known model from the catalog, with or without its provider (gpt-4o-mini: $0.15 in, $0.60 out per M)', () => {
    const cost = new ModelCost();
    const tokens = { inputTokens: 1000, outputTokens: 100 };
    expect(cost.costUsd(tokens, 'gpt-4o-mini', 'openai.chat')).toBeCloseTo(
      (1000 * 0.15 + 100 * 0.6) / 1e6,
      12,
    );
    expect(cost.costUsd(tokens, 'gpt-4o-mini', undefined)).toBeCloseTo(
      (1000 * 0.15 + 100 * 0.6) / 1e6,
      12,
    );
  });

  it('a model missing from the catalog has no cost (undefined), asked twice', () => {
    const cost = new ModelCost();
    expect(cost.costUsd({ inputTokens: 10, outputTokens: 1 }, 'no-such-model-x1', 'acme')).toBe(
      undefined,
    );
    expect(cost.costUsd({ inputTokens: 10, outputTokens: 1 }, 'no-such-model-x1', 'acme')).toBe(
      undefined,
    );
  });

  it('an operator price overrides the catalog, cache reads at their own price; a bad one is a TypeError naming it', () => {
    const cost = new ModelCost({
      'gpt-4o-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 10, cacheReadUsdPerMTok: 0.5 },
    });
    expect(
      cost.costUsd(
        { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 100 },
        'gpt-4o-mini',
        'openai',
      ),
    ).toBeCloseTo((600 * 1 + 400 * 0.5 + 100 * 10) / 1e6, 12);
    expect(
      () => new ModelCost({ m: { inputUsdPerMTok: Number.NaN, outputUsdPerMTok: 1 } }, '@x/ai-sdk'),
    ).toThrow(/^@x\/ai-sdk: prices\["m"\]: inputUsdPerMTok must be a finite number >= 0, got null/);
  });
});
