import { describe, expect, it } from 'vitest';
import { TurnUsageSum } from './turn-usage.js';

describe('TurnUsageSum', () => {
  it('nothing reported: undefined; reports naming no model, all with a cost: sums without models', () => {
    const sum = new TurnUsageSum();
    expect(sum.value).toBeUndefined();
    sum.add({ inputTokens: 1, costUsd: 0.1 });
    sum.add({ outputTokens: 2, costUsd: 0.2 });
    expect(sum.value).toEqual({ inputTokens: 1, outputTokens: 2, costUsd: 0.1 + 0.2 });
  });

  it('one model: named in models', () => {
    const sum = new TurnUsageSum();
    sum.add({ inputTokens: 5, model: 'in-house-llm-7b' });
    expect(sum.value).toEqual({
      inputTokens: 5,
      models: [{ model: 'in-house-llm-7b', inputTokens: 5 }],
    });
  });

  it('past 62 models, further ones are counted under no model (64 entries at most)', () => {
    const sum = new TurnUsageSum();
    for (let i = 0; i < 100; i += 1) {
      sum.add({ inputTokens: 1, model: `m-${i}` });
      sum.add({ inputTokens: 1, costUsd: 0.5, model: `m-${i}` });
    }
    const models = sum.value?.models ?? [];
    expect(models).toHaveLength(64);
    const unnamed = models.filter((entry) => entry.model === undefined);
    expect(unnamed).toEqual([{ inputTokens: 69 }, { inputTokens: 69, costUsd: 34.5 }]);
    expect(models.reduce((total, entry) => total + (entry.inputTokens ?? 0), 0)).toBe(200);
  });
});
