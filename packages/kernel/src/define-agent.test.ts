import { describe, expect, it } from 'vitest';
import { defineAgent, describeAgentProblem } from './define-agent.js';

describe('defineAgent', () => {
  it('returns an agent with only a step, keeping the step function', () => {
    const step = () => ({ summary: 'ok' });
    const agent = defineAgent({ step });
    expect(agent).toHaveProperty('step', step);
    expect(agent).not.toHaveProperty('setup');
    expect(agent).not.toHaveProperty('teardown');
  });

  it('accepts setup and teardown when they are functions', () => {
    const setup = () => 42;
    const step = () => undefined;
    const teardown = () => undefined;
    const agent = defineAgent({ setup, step, teardown });
    expect(agent).toEqual({ setup, step, teardown });
  });

  it('returns a frozen copy, not the object it was given', () => {
    const definition = { step: () => undefined };
    const agent = defineAgent(definition);
    expect(Object.isFrozen(agent)).toBe(true);
    expect(agent).not.toBe(definition);
    // The caller's object stays its own: freezing the copy does not freeze it.
    expect(Object.isFrozen(definition)).toBe(false);
    expect(() => {
      (agent as { step: unknown }).step = () => 'replaced';
    }).toThrow(TypeError);
  });

  it('throws a TypeError naming step and turn when both are missing', () => {
    expect(() => defineAgent({} as never)).toThrow(TypeError);
    expect(() => defineAgent({} as never)).toThrow(
      '@x/kernel: defineAgent: expected a step(ctx) or a turn(input, ctx) function, got neither',
    );
  });

  it('returns an agent with only a turn (no step)', () => {
    const turn = (input: unknown) => ({ echo: input });
    const agent = defineAgent({ turn });
    expect(agent).toEqual({ turn });
    expect(agent).not.toHaveProperty('step');
  });

  it('keeps retryTurns: true, and refuses a retryTurns that is not a boolean', () => {
    const turn = () => 'out';
    expect(defineAgent({ turn, retryTurns: true })).toEqual({ turn, retryTurns: true });
    expect(() => defineAgent({ turn, retryTurns: 'yes' } as never)).toThrow(
      '@x/kernel: defineAgent: retryTurns must be a boolean when given, got string',
    );
  });

  it('accepts step and turn together', () => {
    const step = () => undefined;
    const turn = () => 'out';
    expect(defineAgent({ step, turn })).toEqual({ step, turn });
  });

  it('throws a TypeError naming turn when turn is not a function', () => {
    expect(() => defineAgent({ step: () => undefined, turn: 'chat' } as never)).toThrow(
      'turn must be a function when given, got string',
    );
  });

  it('throws a TypeError naming step when step is a string', () => {
    expect(() => defineAgent({ step: 'run' } as never)).toThrow(
      'step must be a function when given, got string',
    );
  });

  it('throws a TypeError naming setup when setup is not a function', () => {
    const define = () => defineAgent({ setup: 'connect', step: () => undefined } as never);
    expect(define).toThrow(TypeError);
    expect(define).toThrow('setup must be a function when given, got string');
  });

  it('throws a TypeError naming teardown when teardown is an object', () => {
    const define = () => defineAgent({ step: () => undefined, teardown: {} } as never);
    expect(define).toThrow('teardown must be a function when given, got object');
  });

  it.each([
    ['null', null, 'got null'],
    ['undefined', undefined, 'got undefined'],
    ['a function', () => undefined, 'got function'],
    ['a number', 7, 'got number'],
  ])('throws a TypeError for %s instead of an object', (_label, value, expected) => {
    expect(() => defineAgent(value as never)).toThrow(TypeError);
    expect(() => defineAgent(value as never)).toThrow(expected);
  });
});

describe('describeAgentProblem', () => {
  it.each([
    ['a plain object with a step', { step() {} }],
    ['explicitly undefined hooks', { setup: undefined, step() {}, teardown: undefined }],
    ['an async step', { async step() {} }],
    ['a turn without step', { turn() {} }],
    ['an explicitly undefined step beside a turn', { step: undefined, turn() {} }],
  ] as [string, unknown][])('finds no problem with %s', (_label, value) => {
    expect(describeAgentProblem(value)).toBeUndefined();
  });

  it.each([
    ['null', null, 'expected an object with a step(ctx) or turn(input, ctx) function, got null'],
    [
      'a string',
      'agent',
      'expected an object with a step(ctx) or turn(input, ctx) function, got string',
    ],
    [
      'an object without step or turn',
      { setup() {} },
      'expected a step(ctx) or a turn(input, ctx) function, got neither',
    ],
    ['a turn that is a number', { turn: 3 }, 'turn must be a function when given, got number'],
    ['a null setup', { setup: null, step() {} }, 'setup must be a function when given, got object'],
    [
      'a numeric teardown',
      { step() {}, teardown: 1 },
      'teardown must be a function when given, got number',
    ],
  ])('describes %s', (_label, value, expected) => {
    expect(describeAgentProblem(value)).toBe(expected);
  });
});
