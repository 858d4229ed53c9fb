import { describe, expect, it } from 'vitest';
import { UsageAcks } from './usage-acks.js';

const settled = async (promise: Promise<void> | undefined) => {
  let done = promise === undefined;
  void promise?.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
};

describe('UsageAcks', () => {
  it('under no budget a report asks no ack and nothing is awaited', () => {
    const acks = new UsageAcks(false);
    expect(acks.ask({})).toBeUndefined();
    expect(acks.handled()).toBeUndefined();
  });

  it('under a budget each report asks the next number; a wait ends at the ack of the last one sent', async () => {
    const acks = new UsageAcks(true);
    expect([acks.ask({}), acks.ask({})]).toEqual([1, 2]);
    const first = acks.handled();
    expect(acks.handled()).toBe(first); // concurrent waits share one promise
    acks.answer(1);
    expect(await settled(first)).toBe(false);
    acks.answer(2);
    expect(await settled(first)).toBe(true);
    expect(acks.handled()).toBeUndefined();
  });

  it('a wait for report 1 ends at ack 1 while report 2 is still counted', async () => {
    const acks = new UsageAcks(true);
    acks.ask({});
    const one = acks.handled();
    acks.ask({});
    const two = acks.handled();
    acks.answer(1);
    expect([await settled(one), await settled(two)]).toEqual([true, false]);
    acks.answer(7); // an ack past the last report asked counts as the last
    expect(await settled(two)).toBe(true);
    expect(acks.ask({})).toBe(3);
  });

  it('budget_state false ends waits; close ends them and asks nothing more', async () => {
    const acks = new UsageAcks(true);
    acks.ask({});
    const waiting = acks.handled();
    acks.setBudgeted(false);
    expect(await settled(waiting)).toBe(true);
    expect(acks.ask({})).toBeUndefined();
    acks.setBudgeted(true);
    expect(acks.ask({})).toBe(2);
    const again = acks.handled();
    acks.close();
    expect(await settled(again)).toBe(true);
    expect(acks.ask({})).toBeUndefined();
  });

  it('within the headroom of the last ack, unacknowledged reports are not awaited; at or past it, they are', async () => {
    const acks = new UsageAcks(true);
    acks.ask({ costUsd: 0.3 });
    acks.answer(1, { costUsd: 1, tokens: 1000 });
    acks.ask({ costUsd: 0.3, inputTokens: 400 });
    acks.ask({ costUsd: 0.3, outputTokens: 500 });
    expect(acks.handled()).toBeUndefined(); // $0.60 and 900 tokens: within $1 and 1000
    acks.ask({ inputTokens: 100 }); // 1000 tokens: at the limit
    const waiting = acks.handled();
    expect(waiting).toBeDefined();
    acks.answer(4, { costUsd: 0.1 });
    expect(await settled(waiting)).toBe(true);
    acks.ask({ costUsd: 0.0999999 }); // within the cost margin of $0.000001: awaited
    expect(acks.handled()).toBeDefined();
  });

  it('no limit in the headroom bounds nothing; usage sent another way or a budget_state drops it', () => {
    const acks = new UsageAcks(true);
    acks.ask({});
    acks.answer(1, {});
    acks.ask({ costUsd: 1e6, inputTokens: 1e9 });
    expect(acks.handled()).toBeUndefined();
    acks.dropHeadroom();
    expect(acks.handled()).toBeDefined();
    acks.answer(2, {});
    acks.setBudgeted(true);
    acks.ask({ costUsd: 0 });
    expect(acks.handled()).toBeDefined();
  });

  it('past 1024 unacknowledged reports the headroom is not used until they are acknowledged', () => {
    const acks = new UsageAcks(true);
    acks.ask({});
    acks.answer(1, {});
    for (let i = 0; i < 1025; i += 1) {
      acks.ask({});
    }
    expect(acks.handled()).toBeDefined();
    acks.answer(1026, {});
    acks.ask({});
    expect(acks.handled()).toBeUndefined();
  });
});
