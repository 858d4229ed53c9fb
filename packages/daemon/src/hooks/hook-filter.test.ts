import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../monitor/monitor-event.js';
import type { HookFilter } from './hook-config.js';
import { hookMatches } from './hook-filter.js';

const runState = (name: string, state: string, reason?: string) =>
  ({
    id: 1,
    at: 0,
    type: 'run_state',
    runId: 'r-1',
    name,
    run: { runId: 'r-1', name, state, exit: reason === undefined ? null : { reason } },
  }) as unknown as MonitorEvent;
const permission = {
  id: 2,
  at: 0,
  type: 'permission_request',
  runId: 'r-1',
  name: 'a',
} as MonitorEvent;
const persistence = { id: 3, at: 0, type: 'persistence', runId: null, name: null } as MonitorEvent;

describe('hookMatches', () => {
  it.each<[string, string[], HookFilter, MonitorEvent, boolean]>([
    ['the type is chosen', ['permission_request'], {}, permission, true],
    ['the type is not chosen', ['run_state'], {}, permission, false],
    ['* takes every type', ['*'], {}, persistence, true],
    ['a run name that matches', ['run_state'], { runs: ['a'] }, runState('a', 'running'), true],
    ['another run name', ['run_state'], { runs: ['b'] }, runState('a', 'running'), false],
    ['a runs filter on an event of no run', ['*'], { runs: ['a'] }, persistence, false],
    [
      'a state that matches',
      ['run_state'],
      { states: ['failed'] },
      runState('a', 'failed', 'crashed'),
      true,
    ],
    [
      'another state',
      ['run_state'],
      { states: ['failed'] },
      runState('a', 'backoff', 'crashed'),
      false,
    ],
    [
      'a reason that matches',
      ['run_state'],
      { reasons: ['oom'] },
      runState('a', 'backoff', 'oom'),
      true,
    ],
    [
      'no exit yet, with a reasons filter',
      ['run_state'],
      { reasons: ['oom'] },
      runState('a', 'running'),
      false,
    ],
    [
      'state and reason both needed',
      ['run_state'],
      { states: ['failed'], reasons: ['oom'] },
      runState('a', 'failed', 'crashed'),
      false,
    ],
    ['a states filter leaves out other types', ['*'], { states: ['failed'] }, permission, false],
  ])('%s', (_title, on, filter, event, expected) => {
    expect(hookMatches({ on: on, filter }, event)).toBe(expected);
  });
});
