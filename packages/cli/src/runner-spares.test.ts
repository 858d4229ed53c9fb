import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { runnerSpares } from './runner-spares.js';

const subprocess = { defaultMode: 'subprocess', subprocess: true } as const;
const thread = { defaultMode: 'thread', subprocess: true } as const;
const win32 = { defaultMode: 'thread', subprocess: false } as const;

describe('runnerSpares', () => {
  it.each([
    ['unset, subprocess default', {}, subprocess, 1],
    ['empty, subprocess default', { X_RUNNER_SPARES: '' }, subprocess, 1],
    ['unset, thread default', {}, thread, 0],
    ['0 turns them off', { X_RUNNER_SPARES: '0' }, subprocess, 0],
    ['2', { X_RUNNER_SPARES: '2' }, subprocess, 2],
    ['explicit 1 with a thread default', { X_RUNNER_SPARES: '1' }, thread, 1],
    ['8 (the most)', { X_RUNNER_SPARES: '8' }, subprocess, 8],
    ['win32: no subprocesses, ignored', { X_RUNNER_SPARES: '3' }, win32, 0],
  ])('%s', (_title, env, modes, expected) => {
    expect(runnerSpares(env, modes)).toBe(expected);
  });

  it.each(['9', '-1', '1.5', 'one', ' 1'])('%j is refused with exit 78', (value) => {
    let error: unknown;
    try {
      runnerSpares({ X_RUNNER_SPARES: value }, subprocess);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(`X_RUNNER_SPARES=${JSON.stringify(value)}`);
    expect((error as CliError).exitCode).toBe(78);
  });
});
