import { describe, expect, it } from 'vitest';
import { describeStartFailure, firstStackFrame, isConfigFailure } from './start-failure.js';

const stack = [
  'Error: cannot reach the model endpoint',
  '    at setup (file:///agents/setup-fails.mjs:6:11)',
  '    at AgentLoop.run (file:///x/kernel/dist/agent-loop.js:219:62)',
].join('\n');

describe('describeStartFailure', () => {
  it("adds what the agent threw (name: message) and its first frame from the exit's error detail", () => {
    const text = describeStartFailure('x: agent a did not start: the agent failed: setup failed', {
      exit: {
        reason: 'failed',
        exitCode: 1,
        explanation: 'the agent failed: setup failed: cannot reach the model endpoint',
        stderrTail: '',
        error: { name: 'Error', message: 'cannot reach the model endpoint', stack },
      },
    });
    expect(text.split('\n')).toEqual([
      'x: agent a did not start: the agent failed: setup failed',
      '  Error: cannot reach the model endpoint',
      '    at setup (file:///agents/setup-fails.mjs:6:11)',
    ]);
  });

  it('takes the detail from exit.evidence.error too, and does not repeat what the message says', () => {
    const text = describeStartFailure('x: agent a did not start: ConfigError: no API key', {
      exit: {
        reason: 'config_error',
        exitCode: 78,
        evidence: { error: { name: 'ConfigError', message: 'no API key' } },
        stderrTail: 'ConfigError: no API key\n',
      },
    });
    expect(text.split('\n')).toEqual([
      'x: agent a did not start: ConfigError: no API key',
      '--- runner stderr (tail) ---',
      'ConfigError: no API key',
    ]);
  });

  it('without a detail: the first stack frame of the explanation or the stderr tail', () => {
    const text = describeStartFailure('x: agent a did not start: boom', {
      exit: { reason: 'failed', explanation: 'boom', stderrTail: stack },
    });
    expect(text.split('\n').slice(0, 2)).toEqual([
      'x: agent a did not start: boom',
      '    at setup (file:///agents/setup-fails.mjs:6:11)',
    ]);
  });

  it('a run without an exit: the message alone', () => {
    expect(describeStartFailure('x: agent a did not start', undefined)).toBe(
      'x: agent a did not start',
    );
  });
});

describe('isConfigFailure', () => {
  it.each([
    [{ exit: { reason: 'config_error' } }, true],
    [{ exit: { reason: 'failed', exitCode: 78 } }, true],
    [{ exit: { reason: 'failed', exitCode: 1 } }, false],
    [{ exit: null }, false],
    [undefined, false],
  ])('%j → %s', (run, config) => {
    expect(isConfigFailure(run)).toBe(config);
  });
});

describe('firstStackFrame', () => {
  it('skips texts without one', () => {
    expect(firstStackFrame(undefined, 'no frames here', stack)).toBe(
      'at setup (file:///agents/setup-fails.mjs:6:11)',
    );
    expect(firstStackFrame('plain')).toBeUndefined();
  });
});
