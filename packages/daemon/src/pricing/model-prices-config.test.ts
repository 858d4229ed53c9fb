import { describe, expect, it } from 'vitest';
import { isDaemonError } from '../errors.js';
import { resolveModelPrices } from './model-prices-config.js';

function problem(value: unknown): string {
  try {
    resolveModelPrices(value, 'x.config.json: modelPrices');
  } catch (error) {
    expect(isDaemonError(error) && error.code).toBe('X_DAEMON_PRICE_CONFIG');
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('resolveModelPrices', () => {
  it('keeps valid prices, cache prices included, frozen', () => {
    const prices = resolveModelPrices({
      'in-house-7b': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 },
      'gpt-4o-mini': {
        inputUsdPerMTok: 0.1,
        outputUsdPerMTok: 0.5,
        cacheReadUsdPerMTok: 0.05,
        cacheWriteUsdPerMTok: 0,
      },
    });
    expect(prices['in-house-7b']).toEqual({ inputUsdPerMTok: 1, outputUsdPerMTok: 10 });
    expect(prices['gpt-4o-mini']?.cacheReadUsdPerMTok).toBe(0.05);
    expect(Object.isFrozen(prices) && Object.isFrozen(prices['in-house-7b'])).toBe(true);
    expect(resolveModelPrices({})).toEqual({});
  });

  it.each([
    ['an array', [], 'modelPrices: expected an object of prices by model id'],
    ['a price that is a number', { m: 2 }, 'modelPrices["m"]: expected an object such as'],
    [
      'a price given as a string',
      { m: { inputUsdPerMTok: 1, outputUsdPerMTok: '0.6' } },
      'modelPrices["m"].outputUsdPerMTok: expected a number ≥ 0 (US dollars per million tokens), got "0.6"',
    ],
    [
      'a negative price',
      { m: { inputUsdPerMTok: -1, outputUsdPerMTok: 1 } },
      'modelPrices["m"].inputUsdPerMTok: expected a number ≥ 0 (US dollars per million tokens), got -1',
    ],
    [
      'a missing output price',
      { m: { inputUsdPerMTok: 1 } },
      'modelPrices["m"].outputUsdPerMTok: missing',
    ],
    [
      'a misspelt field',
      { m: { inputUsdPerMTok: 1, outputUsdPerMTok: 1, cachedUsdPerMTok: 1 } },
      'modelPrices["m"].cachedUsdPerMTok: not a price field (they are inputUsdPerMTok, outputUsdPerMTok',
    ],
    [
      'an empty model id',
      { '': { inputUsdPerMTok: 1, outputUsdPerMTok: 1 } },
      'modelPrices[""]: a model id must be',
    ],
  ])('refuses %s, naming the model and the field', (_name, value, expected) => {
    const message = problem(value);
    expect(message).toContain(`x: x.config.json: ${expected}`);
  });

  it('refuses more than 1000 models', () => {
    const many = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [
        `m${i}`,
        { inputUsdPerMTok: 1, outputUsdPerMTok: 1 },
      ]),
    );
    expect(problem(many)).toContain('1001 models, over the limit of 1000');
  });
});
