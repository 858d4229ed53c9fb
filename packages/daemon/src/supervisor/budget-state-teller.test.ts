import { describe, expect, it } from 'vitest';
import { BudgetStateTeller } from './budget-state-teller.js';

function setup(budgeted: boolean | undefined, ready = true) {
  const sent: boolean[] = [];
  const state = { ready };
  const teller = new BudgetStateTeller(
    budgeted,
    () => state.ready,
    (message) => void sent.push(message.budgeted),
  );
  return { teller, sent, state };
}

describe('BudgetStateTeller', () => {
  it('tells a change of whether a budget applies, and every change of a budgeted run', () => {
    const t = setup(false);
    t.teller.changed(false); // as told in init: nothing to say
    t.teller.changed(true);
    t.teller.changed(true); // its limits changed: the headroom given no longer holds
    t.teller.changed(false);
    expect(t.sent).toEqual([true, true, false]);
  });

  it('keeps what is due until the runner can take it, then tells it once', () => {
    const t = setup(true, false);
    t.teller.changed(false);
    t.teller.tell();
    expect(t.sent).toEqual([]);
    t.state.ready = true;
    t.teller.tell();
    t.teller.tell();
    expect(t.sent).toEqual([false]);
  });

  it('says nothing when init said nothing and nothing changed', () => {
    const t = setup(undefined);
    t.teller.tell();
    expect(t.sent).toEqual([]);
  });
});
