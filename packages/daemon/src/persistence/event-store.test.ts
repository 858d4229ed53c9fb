import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { toMonitorEvent } from '../monitor/monitor-event.js';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';
import { EventStore, type EventPage, type EventRow } from './event-store.js';
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
    name: monitorEvent.name,
    json: JSON.stringify(monitorEvent),
  };
};

const ids = (page: EventPage) => page.events.map((event) => event.id);

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
    expect(store.after(0, 10)).toEqual({ events: [], bytes: [], more: false });
  });

  it('stores whole events and reads them back after an id, oldest first, with a limit', () => {
    store.append([1, 2, 3, 4].map((id) => row(id, log('r-1', 'a', `m${id}`))));
    const page = store.after(1, 2);
    expect(page.events.map((event) => event.id)).toEqual([2, 3]);
    expect(page.more).toBe(true);
    expect(page.events[0]).toEqual({
      type: 'log',
      runId: 'r-1',
      name: 'a',
      level: 'info',
      message: 'm2',
      id: 2,
      at: 1002,
    });
    expect(ids(store.latest(2))).toEqual([3, 4]);
    expect(store.latest(2).more).toBe(true);
    expect(store.after(2, 2).more).toBe(false);
    expect(store.latest(4).more).toBe(false);
  });

  it('filters by run id, by run name, and by types', () => {
    store.append([
      row(1, log('r-1', 'a', 'x')),
      row(2, log('r-2', 'b', 'y')),
      row(3, { type: 'notify', runId: 'r-3', name: 'a', payload: { n: 1 } }),
      row(4, log('r-2', 'b', 'z')),
    ]);
    expect(ids(store.after(0, 10, { ref: 'r-2' }))).toEqual([2, 4]);
    expect(ids(store.after(0, 10, { ref: 'a' }))).toEqual([1, 3]);
    expect(ids(store.after(0, 10, { types: ['notify'] }))).toEqual([3]);
    expect(ids(store.after(0, 10, { ref: 'a', types: ['log'] }))).toEqual([1]);
    expect(ids(store.latest(1, { ref: 'b' }))).toEqual([4]);
  });

  it('a failed batch writes nothing (one transaction)', () => {
    store.append([row(1, log('r-1', 'a', 'x'))]);
    // Id 1 again makes the second row fail: the first of the batch must not stay.
    expect(() =>
      store.append([row(2, log('r-1', 'a', 'y')), row(1, log('r-1', 'a', 'z'))]),
    ).toThrow();
    expect(ids(store.after(0, 10))).toEqual([1]);
  });

  it('prunes to the newest maxRows ids and by age; ids are never reused after pruning or reopening', () => {
    store.append(Array.from({ length: 10 }, (_, i) => row(i + 1, log('r-1', 'a', `m${i}`), i)));
    expect(store.prune({ maxRows: 4 })).toBe(6);
    expect(ids(store.after(0, 100))).toEqual([7, 8, 9, 10]);
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

  it('ends a page before the event that would take it over maxBytes, always returning one event', () => {
    store.append([1, 2, 3, 4].map((id) => row(id, log('r-1', 'a', 'x'.repeat(1000)))));
    const each = store.after(0, 1).bytes[0];
    expect(each).toBeGreaterThan(1000);
    const page = store.after(0, 10, {}, each * 2 + 10);
    expect(ids(page)).toEqual([1, 2]);
    expect(page.bytes).toEqual([each, each]);
    expect(page.more).toBe(true);
    expect(ids(store.after(0, 10, {}, 1))).toEqual([1]);
    // The newest are kept.
    const newest = store.latest(10, {}, each * 3);
    expect(ids(newest)).toEqual([2, 3, 4]);
    expect(newest.more).toBe(true);
  });

  it('a filter by run name reads the (name, id) index, not every payload', () => {
    const plan = runs.database
      .prepare(
        "EXPLAIN QUERY PLAN SELECT payload FROM events WHERE id > 0 AND (run_id = 'a' OR name = 'a') ORDER BY id LIMIT 10",
      )
      .all() as { detail: string }[];
    const details = plan.map((step) => step.detail).join('\n');
    expect(details).toMatch(/events_by_name/);
    expect(details).not.toMatch(/SCAN events(?! USING)/);
  });
});
