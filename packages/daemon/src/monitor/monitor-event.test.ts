import { describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';
import { matchesFilter, toMonitorEvent, type EventFilter } from './monitor-event.js';

describe('toMonitorEvent', () => {
  it('takes runId and name from the event, else from its run record', () => {
    const log: SupervisorEvent = {
      type: 'log',
      runId: 'r-1',
      name: 'a',
      level: 'warn',
      message: 'm',
    };
    expect(toMonitorEvent(7, 100, log)).toEqual({ ...log, id: 7, at: 100 });
    const state = {
      type: 'run_state',
      run: { runId: 'r-2', name: 'b', state: 'running' },
    } as never;
    expect(toMonitorEvent(8, 101, state)).toMatchObject({
      id: 8,
      at: 101,
      runId: 'r-2',
      name: 'b',
    });
  });

  it('an unknown variant without a run gets null runId and name; its own id and at cannot shadow the envelope', () => {
    const future = { type: 'daemon_note', id: 'x', at: 'y', text: 't' } as never;
    expect(toMonitorEvent(9, 102, future)).toEqual({
      type: 'daemon_note',
      text: 't',
      id: 9,
      at: 102,
      runId: null,
      name: null,
    });
  });
});

describe('matchesFilter', () => {
  const event = { id: 1, at: 1, type: 'log', runId: 'r-1', name: 'a' };
  it.each<[EventFilter, boolean]>([
    [{}, true],
    [{ ref: 'r-1' }, true],
    [{ ref: 'a' }, true],
    [{ ref: 'b' }, false],
    [{ types: ['log', 'notify'] }, true],
    [{ types: ['notify'] }, false],
    [{ ref: 'a', types: ['notify'] }, false],
    [{ ref: 'a', types: ['log'] }, true],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilter(event, filter)).toBe(expected);
  });
});
