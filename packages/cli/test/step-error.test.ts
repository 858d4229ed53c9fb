import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES_CLI, tempHome, waitFor, x, xJson } from './helpers.js';

interface Status {
  recentIterations: {
    status: string;
    error: string | null;
    errorDetail?: { name: string; stack?: string };
  }[];
}

describe('a step that throws', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('keeps the error name, message and stack, and agent status shows where it was thrown', async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const start = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES_CLI}step-throws.mjs`,
      '--name',
      'thrower',
      '--interval',
      '100',
    ]);
    expect(start.code, start.stderr).toBe(0);
    let status: Status | undefined;
    await waitFor(async () => {
      status = await xJson<Status>(home.path, ['agent', 'status', 'thrower']);
      return status.recentIterations.length > 0;
    }, 10_000);
    const [last] = status!.recentIterations;
    expect(last.status).toBe('error');
    expect(last.error).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(last.errorDetail?.name).toBe('TypeError');
    expect(last.errorDetail?.stack).toMatch(/step-throws\.mjs:5:\d+/);
    const text = await x(home.path, ['agent', 'status', 'thrower']);
    expect(text.stdout).toMatch(
      /iteration \d+ threw:\nTypeError: Cannot read properties of undefined[^\n]*\n\s+at [^\n]*step-throws\.mjs:5/,
    );
  });
});
