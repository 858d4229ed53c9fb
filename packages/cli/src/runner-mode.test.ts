import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { daemonRunnerModes, requestedRunnerMode, runnerModeFromEnv } from './runner-mode.js';

describe('daemonRunnerModes', () => {
  const table: [
    string,
    Record<string, string>,
    NodeJS.Platform,
    string,
    boolean,
    RegExp | undefined,
  ][] = [
    ['linux without X_RUNNER_MODE: subprocess', {}, 'linux', 'subprocess', true, undefined],
    [
      'an empty X_RUNNER_MODE counts as unset',
      { X_RUNNER_MODE: '' },
      'linux',
      'subprocess',
      true,
      undefined,
    ],
    [
      'X_RUNNER_MODE=thread makes thread the default',
      { X_RUNNER_MODE: 'thread' },
      'darwin',
      'thread',
      true,
      undefined,
    ],
    [
      'win32: thread, no subprocesses, and the note says so',
      {},
      'win32',
      'thread',
      false,
      /unavailable on win32/,
    ],
    [
      'win32 ignores X_RUNNER_MODE=subprocess, saying so',
      { X_RUNNER_MODE: 'subprocess' },
      'win32',
      'thread',
      false,
      /X_RUNNER_MODE=subprocess ignored/,
    ],
  ];
  it.each(table)('%s', (_title, env, platform, defaultMode, subprocess, note) => {
    const modes = daemonRunnerModes(env, platform);
    expect(modes.defaultMode).toBe(defaultMode);
    expect(modes.subprocess).toBe(subprocess);
    if (note === undefined) {
      expect(modes.note).toBeUndefined();
    } else {
      expect(modes.note).toMatch(note);
    }
  });

  it('refuses a bad X_RUNNER_MODE with exit 78 (EX_CONFIG), naming the value', () => {
    const error = (() => {
      try {
        runnerModeFromEnv({ X_RUNNER_MODE: 'fork' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(78);
    expect((error as CliError).message).toContain('X_RUNNER_MODE="fork"');
  });
});

describe('requestedRunnerMode: flag > X_RUNNER_MODE of the CLI > fleet file > daemon default', () => {
  const table: [
    string,
    Parameters<typeof requestedRunnerMode>[0],
    'subprocess' | 'thread' | undefined,
  ][] = [
    ['nothing given: the daemon decides', { env: {}, command: false }, undefined],
    [
      'the flag wins over the environment',
      { flag: 'subprocess', env: { X_RUNNER_MODE: 'thread' }, command: false },
      'subprocess',
    ],
    [
      'the environment wins over the fleet file',
      { env: { X_RUNNER_MODE: 'thread' }, config: 'subprocess', command: false },
      'thread',
    ],
    [
      'the fleet file applies without flag or environment',
      { env: {}, config: 'thread', command: false },
      'thread',
    ],
    [
      'the environment is no default for a command run',
      { env: { X_RUNNER_MODE: 'thread' }, command: true },
      undefined,
    ],
    [
      'an explicit flag on a command run is passed on (the daemon refuses thread)',
      { flag: 'thread', env: {}, command: true },
      'thread',
    ],
  ];
  it.each(table)('%s', (_title, input, expected) => {
    expect(requestedRunnerMode(input)).toBe(expected);
  });
});
