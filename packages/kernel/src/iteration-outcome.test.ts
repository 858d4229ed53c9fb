import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { judgeIteration } from './iteration-outcome.js';

describe('judgeIteration', () => {
  it('reports what a step returned: summary, usage, done', () => {
    const outcome = judgeIteration(3, 12, {
      threw: false,
      result: { summary: 'read 2 files', done: true, usage: { inputTokens: 10, outputTokens: 2 } },
    });
    expect(outcome).toEqual({
      report: {
        iteration: 3,
        status: 'ok',
        durationMs: 12,
        summary: 'read 2 files',
        usage: { inputTokens: 10, outputTokens: 2 },
      },
      warnings: [],
      end: { reason: 'done' },
    });
  });

  it('reports a step that returned nothing as ok, and the run goes on', () => {
    expect(judgeIteration(1, 0, { threw: false, result: undefined })).toEqual({
      report: { iteration: 1, status: 'ok', durationMs: 0 },
      warnings: [],
    });
  });

  it('leaves a bad field out of the report and says so, without losing the iteration', () => {
    const outcome = judgeIteration(4, 5, { threw: false, result: { summary: 42, done: 'yes' } });
    expect(outcome.report).toEqual({ iteration: 4, status: 'ok', durationMs: 5 });
    expect(outcome.end).toBeUndefined();
    expect(outcome.warnings).toEqual([
      expect.stringMatching(/^iteration 4: summary must be a string, got 42/),
      expect.stringMatching(/^iteration 4: done must be a boolean/),
    ]);
  });

  it('reports a throw as an error with its stack to log; the run goes on', () => {
    const outcome = judgeIteration(2, 7, { threw: true, error: new TypeError('boom') });
    expect(outcome.report).toMatchObject({
      iteration: 2,
      status: 'error',
      durationMs: 7,
      error: 'TypeError: boom',
      errorDetail: { name: 'TypeError', message: 'boom' },
    });
    expect(outcome.failure).toMatch(/^iteration 2 failed: TypeError: boom\n {4}at /);
    expect(outcome.end).toBeUndefined();
    expect(outcome.warnings).toEqual([]);
  });

  it('ends the run on a ConfigError (a restart will not fix it)', () => {
    const outcome = judgeIteration(5, 1, { threw: true, error: new ConfigError('no API key') });
    expect(outcome.end).toMatchObject({
      reason: 'error',
      summary: expect.stringContaining('configuration error in iteration 5'),
      errorDetail: { config: true },
    });
  });
});
