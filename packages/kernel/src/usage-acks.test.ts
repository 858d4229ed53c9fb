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
    expect(acks.ask()).toBeUndefined();
    expect(acks.handled()).toBeUndefined();
  });

  it('under a budget each report asks the next number; a wait ends at the ack of the last one sent', async () => {
    const acks = new UsageAcks(true);
    expect([acks.ask(), acks.ask()]).toEqual([1, 2]);
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
    acks.ask();
    const one = acks.handled();
    acks.ask();
    const two = acks.handled();
    acks.answer(1);
    expect([await settled(one), await settled(two)]).toEqual([true, false]);
    acks.answer(7); // an ack past the last report asked counts as the last
    expect(await settled(two)).toBe(true);
    expect(acks.ask()).toBe(3);
  });

  it('budget_state false ends waits; close ends them and asks nothing more', async () => {
    const acks = new UsageAcks(true);
    acks.ask();
    const waiting = acks.handled();
    acks.setBudgeted(false);
    expect(await settled(waiting)).toBe(true);
    expect(acks.ask()).toBeUndefined();
    acks.setBudgeted(true);
    expect(acks.ask()).toBe(2);
    const again = acks.handled();
    acks.close();
    expect(await settled(again)).toBe(true);
    expect(acks.ask()).toBeUndefined();
  });
});
