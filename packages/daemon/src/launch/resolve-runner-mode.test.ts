import { describe, expect, it } from 'vitest';
import { resolveRunnerMode, type RunnerModeInput } from './resolve-runner-mode.js';
import type { RunnerMode } from './runner-launcher.js';

const both = { kind: 'subprocess', modes: ['subprocess', 'thread'] as RunnerMode[] };
const threadDefault = {
  kind: 'thread',
  modes: ['subprocess', 'thread'] as RunnerMode[],
  defaultMode: 'thread' as const,
};
const threadOnly = {
  kind: 'thread',
  modes: ['thread'] as RunnerMode[],
  defaultMode: 'thread' as const,
  modeNote: 'subprocesses are unavailable on win32',
};
const subprocessOnly = { kind: 'subprocess' };

describe('resolveRunnerMode', () => {
  const table: [string, Partial<RunnerModeInput>, string][] = [
    ['a module run without a mode gets the default', { launcher: both }, 'subprocess'],
    ['the default can be thread', { launcher: threadDefault }, 'thread'],
    [
      'a requested thread is granted when offered',
      { launcher: both, requested: 'thread' },
      'thread',
    ],
    [
      'a requested subprocess wins over a thread default',
      { launcher: threadDefault, requested: 'subprocess' },
      'subprocess',
    ],
    [
      'a launcher without modes offers its kind only',
      { launcher: subprocessOnly, requested: 'thread' },
      '-32602 /runnerMode: not available in this daemon, which offers subprocess',
    ],
    [
      'a command run asking for thread is refused',
      { launcher: both, command: true, requested: 'thread' },
      '-32602 /runnerMode: is for agent modules only; a command run (--command) is always a subprocess',
    ],
    [
      'a service asking for thread is refused',
      { launcher: both, kind: 'service', command: true, requested: 'thread' },
      '-32602 /runnerMode: a service is always a subprocess',
    ],
    [
      'a command run under a thread default is a subprocess',
      { launcher: threadDefault, command: true },
      'subprocess',
    ],
    [
      'a command run where subprocesses are unavailable is refused, saying why',
      { launcher: threadOnly, command: true },
      '-32602 /command: cannot start subprocesses (subprocesses are unavailable on win32)',
    ],
    ['win32: a module run falls back to thread', { launcher: threadOnly }, 'thread'],
    [
      'win32: asking for subprocess is refused, naming the reason',
      { launcher: threadOnly, requested: 'subprocess' },
      '-32602 /runnerMode: offers thread (subprocesses are unavailable on win32)',
    ],
  ];
  it.each(table)('%s', (_title, input, expected) => {
    const decision = resolveRunnerMode({
      requested: undefined,
      kind: 'agent',
      command: false,
      launcher: subprocessOnly,
      ...input,
    });
    if (expected === 'subprocess' || expected === 'thread') {
      expect(decision).toEqual({ ok: true, mode: expected });
      return;
    }
    const [, field, fragment] = /^-32602 (\S+): (.*)$/.exec(expected)!;
    expect(decision.ok).toBe(false);
    expect(decision.ok === false && decision.field).toBe(field);
    expect(decision.ok === false && decision.message).toContain(fragment);
  });
});
