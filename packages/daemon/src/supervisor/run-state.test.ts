import { describe, expect, it } from 'vitest';
import { RUN_STATES, canTransition, isActiveState, type RunState } from './run-state.js';

describe('run state machine', () => {
  const allowed: [RunState, RunState][] = [
    ['starting', 'running'],
    ['starting', 'stopping'],
    ['starting', 'exited'],
    ['running', 'stopping'],
    ['running', 'exited'],
    ['stopping', 'exited'],
  ];
  for (const from of RUN_STATES) {
    for (const to of RUN_STATES) {
      const expected = allowed.some(([a, b]) => a === from && b === to);
      it(`${from} → ${to} is ${expected ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(expected);
      });
    }
  }
  it('exited is terminal and the only inactive state', () => {
    expect(RUN_STATES.filter((state) => !isActiveState(state))).toEqual(['exited']);
  });
});
