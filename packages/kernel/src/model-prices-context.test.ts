import { describe, expect, it } from 'vitest';
import { createRunner } from './create-runner.js';
import { defineAgent, type AgentContext } from './define-agent.js';

describe('ctx.modelPrices', () => {
  it("is a frozen copy of createRunner's modelPrices in setup, steps and turns; the caller's object stays as it is", async () => {
    const prices = { 'in-house-7b': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } };
    const seen: AgentContext['modelPrices'][] = [];
    const runner = createRunner(
      defineAgent({
        setup(ctx) {
          seen.push(ctx.modelPrices);
        },
        step(ctx) {
          seen.push(ctx.modelPrices);
          return { done: true };
        },
      }),
      { intervalMs: 0, modelPrices: prices },
    );
    await runner.start();
    await runner.finished;
    expect(seen).toEqual([prices, prices]);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.isFrozen(seen[0]) && Object.isFrozen(seen[0]?.['in-house-7b'])).toBe(true);
    expect(Object.isFrozen(prices)).toBe(false);
  });

  it('is an empty object when none were given', async () => {
    let seen: unknown;
    const runner = createRunner({
      step(ctx) {
        seen = ctx.modelPrices;
        return { done: true };
      },
    });
    await runner.start();
    await runner.finished;
    expect(seen).toEqual({});
  });
});
