import { describe, expect, it } from 'vitest';
import { stoppedInBackoff, supervisorFailure } from './run-exits.js';

describe('run exits without a process', () => {
  it('a stop during backoff is stopped, keeping the previous reason', () => {
    expect(stoppedInBackoff('crashed')).toMatchObject({
      reason: 'stopped',
      exitCode: null,
      signal: null,
      evidence: { previous: 'crashed' },
    });
  });

  it("x's own failure names what it was doing and the stack's first line", () => {
    expect(supervisorFailure('restarting', 'TypeError: boom\n    at x.js:1')).toMatchObject({
      reason: 'supervisor_error',
      explanation:
        'x failed while restarting: TypeError: boom; the stack is in the run log (a bug in x: please report it)',
    });
  });
});
