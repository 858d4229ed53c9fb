import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { toMonitorEvent } from '../monitor/monitor-event.js';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';
import { EventStore, type EventRow } from './event-store.js';
import { RunStore } from './run-store.js';

const log = (runId: string, name: string, message: string): SupervisorEvent => ({
  type: 'log',
  runId,
  name,
  level: 'info',
  message,
});

const row = (id: number, event: SupervisorEvent, at = 1000 + id): EventRow => {
  const monitorEvent = toMonitorEvent(id, at, event);
  return {
    id,
    at,
    type: monitorEvent.type,
    runId: monitorEvent.runId,
    json: JSON.stringify(monitorEvent),
  };
};

describe('EventStore (real SQLite file, the RunStore connection)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let store: EventStore;
  beforeEach(() => {
    dir = tempDir('x-evs-');
    runs = new RunStore(`${dir.path}/x.db`);
    store = new EventStore(runs.database);
  });
  afterEach(() => {
    runs.close();
    dir.remove();
  });

  it('starts empty: last id 0, no oldest id', () => {
    expect(store.lastId()).toBe(0);
    expect(store.oldestId()).toBeNull();
    expect(store.after(0, 10)).toEqual([]);
  });

  it('stores whole events and reads them back after an id, oldest first, with a limit', () => {
    store.append([1, 2, 3, 4].map((id) => row(id, log('r-1', 'a', `m${id}`))));
    const read = store.after(1, 2);
    expect(read.map((event) => event.id)).toEqual([2, 3]);
    expect(read[0]).toEqual({
      type: 'log',
      runId: 'r-1',
      name: 'a',
      level: 'info',
      message: 'm2',
      id: 2,
      at: 1002,
    });
    expect(store.latest(2).map((event) => event.id)).toEqual([3, 4]);
  });

  it('filters by run id, by run name, and by types', () => {
    store.append([
      row(1, log('r-1', 'a', 'x')),
      row(2, log('r-2', 'b', 'y')),
      row(3, { type: 'notify', runId: 'r-3', name: 'a', payload: { n: 1 } }),
      row(4, log('r-2', 'b', 'z')),
    ]);
    expect(store.after(0, 10, { ref: 'r-2' }).map((e) => e.id)).toEqual([2, 4]);
    expect(store.after(0, 10, { ref: 'a' }).map((e) => e.id)).toEqual([1, 3]);
    expect(store.after(0, 10, { types: ['notify'] }).map((e) => e.id)).toEqual([3]);
    expect(store.after(0, 10, { ref: 'a', types: ['log'] }).map((e) => e.id)).toEqual([1]);
    expect(store.latest(1, { ref: 'b' }).map((e) => e.id)).toEqual([4]);
  });

  it('a failed batch writes nothing (one transaction)', () => {
    store.append([row(1, log('r-1', 'a', 'x'))]);
    // Id 1 again makes the second row fail: the first of the batch must not stay.
    expect(() =>
      store.append([row(2, log('r-1', 'a', 'y')), row(1, log('r-1', 'a', 'z'))]),
    ).toThrow();
    expect(store.after(0, 10).map((e) => e.id)).toEqual([1]);
  });

  it('prunes to the newest maxRows ids and by age; ids are never reused after pruning or reopening', () => {
    store.append(Array.from({ length: 10 }, (_, i) => row(i + 1, log('r-1', 'a', `m${i}`), i)));
    expect(store.prune({ maxRows: 4 })).toBe(6);
    expect(store.after(0, 100).map((e) => e.id)).toEqual([7, 8, 9, 10]);
    // Event id n was published at n - 1: before 8 means ids 7 and 8.
    expect(store.prune({ maxRows: 100, before: 8 })).toBe(2);
    expect(store.oldestId()).toBe(9);
    expect(store.prune({ maxRows: 0 })).toBe(2);
    expect(store.count()).toBe(0);
    // Empty, yet the sequence remembers 10, across a reopen.
    expect(store.lastId()).toBe(10);
    runs.close();
    runs = new RunStore(`${dir.path}/x.db`);
    store = new EventStore(runs.database);
    expect(store.lastId()).toBe(10);
  });
});
