import { describe, expect, it } from 'vitest';
import type { RunExit } from './records.js';
import { mergeRunFields } from './run-fields.js';

describe('mergeRunFields: two updates of a run as one', () => {
  it('the newer field wins; undefined and an exit of null leave the older as updateRun would', () => {
    const exit: RunExit = {
      reason: 'crashed',
      stopPhase: null,
      exitCode: 1,
      signal: null,
      explanation: 'exited with code 1',
      stderrTail: '',
      evidence: {},
    };
    expect(
      mergeRunFields(
        { state: 'running', pid: 10, exit, nextRestartAt: 5 },
        { state: 'backoff', pid: undefined, exit: null, nextRestartAt: null },
      ),
    ).toEqual({ state: 'backoff', pid: 10, exit, nextRestartAt: null });
  });
});
