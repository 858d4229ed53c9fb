import { describe, expect, it } from 'vitest';
import { RUN_STATES, canTransition, isActiveState, type RunState } from './run-state.js';

describe('run state machine', () => {
  const allowed: [RunState, RunState][] = [
    ['starting', 'running'],
    ['starting', 'paused'],
    ['running', 'paused'],
    ['paused', 'running'],
    ['paused', 'stopping'],
    ['paused', 'backoff'],
    ['paused', 'exited'],
    ['paused', 'failed'],
    ['starting', 'stopping'],
    ['starting', 'backoff'],
    ['starting', 'exited'],
    ['starting', 'failed'],
    ['running', 'stopping'],
    ['running', 'backoff'],
    ['running', 'exited'],
    ['running', 'failed'],
    // An operator's restart (agent.restart): the stopped attempt is followed by the next.
    ['stopping', 'backoff'],
    ['stopping', 'exited'],
    ['stopping', 'failed'],
    ['backoff', 'starting'],
    ['backoff', 'exited'],
    ['backoff', 'failed'],
  ];
  for (const from of RUN_STATES) {
    for (const to of RUN_STATES) {
      const expected = allowed.some(([a, b]) => a === from && b === to);
      it(`${from} → ${to} is ${expected ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(expected);
      });
    }
  }
  it('exited and failed are terminal and the only inactive states', () => {
    expect(RUN_STATES.filter((state) => !isActiveState(state))).toEqual(['exited', 'failed']);
    expect(
      RUN_STATES.filter((state) => !isActiveState(state)).flatMap((from) =>
        RUN_STATES.filter((to) => canTransition(from, to)),
      ),
    ).toEqual([]);
  });
});
