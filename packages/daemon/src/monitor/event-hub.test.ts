import { Emitter, toDisposable } from '@x/ipc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { EventStore } from '../persistence/event-store.js';
import { RunStore } from '../persistence/run-store.js';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';
import { EventHub, type EventHubOptions } from './event-hub.js';
import type { EventSink } from './event-subscription.js';
import type { MonitorEvent } from './monitor-event.js';

/** A connection stand-in: counts unread bytes until `read()`, which drains. */
class FakeSink implements EventSink {
  events: MonitorEvent[] = [];
  lagged: unknown[] = [];
  unread = 0;
  dropped = false;
  readonly #drains = new Set<() => void>();
  notify(method: string, params: unknown): void {
    if (method === 'monitor.event') {
      this.events.push(params as MonitorEvent);
    } else if (method === 'monitor.lagged') {
      this.lagged.push(params);
    }
    this.unread += JSON.stringify(params).length;
  }
  get bufferedBytes(): number {
    return this.unread;
  }
  onDrain(listener: () => void) {
    this.#drains.add(listener);
    return toDisposable(() => this.#drains.delete(listener));
  }
  drop(): void {
    this.dropped = true;
  }
  read(): void {
    this.unread = 0;
    for (const listener of this.#drains) {
      listener();
    }
  }
  get ids(): number[] {
    return this.events.map((event) => event.id);
  }
}

const log = (n: number, runId = 'r-1', name = 'a'): SupervisorEvent => ({
  type: 'log',
  runId,
  name,
  level: 'info',
  message: `line ${n}`,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A sink that reads everything as it arrives until `until()` holds. */
async function drainUntil(sink: FakeSink, until: () => boolean, maxTicks = 10_000) {
  for (let i = 0; i < maxTicks && !until(); i += 1) {
    sink.read();
    await tick();
  }
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('EventHub (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let runs: RunStore;
  let source: Emitter<SupervisorEvent>;
  let hub: EventHub;
  const open = (options: Partial<EventHubOptions> = {}) => {
    hub = new EventHub({
      source: source.event,
      store: new EventStore(runs.database),
      ...options,
    });
    return hub;
  };
  beforeEach(() => {
    dir = tempDir('x-hub-');
    runs = new RunStore(`${dir.path}/x.db`);
    source = new Emitter();
  });
  afterEach(() => {
    hub?.close();
    runs.close();
    dir.remove();
  });

  it('gives ids from 1, stores before it delivers, and carries runId and name of a run_state event', async () => {
    open();
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    source.fire(log(1));
    source.fire({
      type: 'run_state',
      run: { runId: 'r-9', name: 'nine', state: 'running' } as never,
    });
    expect(sink.events).toEqual([]); // not yet stored
    await tick();
    expect(sink.ids).toEqual([1, 2]);
    expect(sink.events[1]).toMatchObject({ type: 'run_state', runId: 'r-9', name: 'nine' });
    expect(hub.backlog({ limit: 10 }).events.map((event) => event.id)).toEqual([1, 2]);
  });

  it('a flood of 20 000 events over many turns costs few transactions (50 ms / 500 events)', async () => {
    open();
    const started = Date.now();
    for (let n = 1; n <= 20_000; n += 1) {
      source.fire(log(n));
      if (n % 20 === 0) {
        await tick(); // as a chatty runner's frames arrive: a few per I/O callback
      }
    }
    hub.flush();
    const elapsedMs = Date.now() - started;
    const { flushes, events } = hub.stats;
    expect(events).toBe(20_000);
    // At most one per 500 events plus one per 50 ms (+1 for the first, immediate one).
    expect(flushes).toBeLessThanOrEqual(Math.ceil(20_000 / 500) + Math.ceil(elapsedMs / 50) + 2);
    expect(flushes).toBeLessThan(1000); // one per turn would be 1000
    expect(hub.backlog({ since: 0, limit: 1000 }).events).toHaveLength(1000);
    expect(hub.lastEventId).toBe(20_000);
  });

  it('replays from since in pages, then follows live, with no gap and no duplicate', async () => {
    open({ pageSize: 100, flushIntervalMs: 0 });
    for (let n = 1; n <= 5000; n += 1) {
      source.fire(log(n));
    }
    hub.flush();
    const sink = new FakeSink();
    const subscription = hub.subscribe(sink, { since: 250 });
    subscription.start();
    // While it replays (64 KiB per read), more events are stored and fanned out.
    const states = new Set<string>();
    for (let round = 0; round < 30; round += 1) {
      for (let k = 1; k <= 20; k += 1) {
        source.fire(log(5000 + round * 20 + k));
      }
      await tick(); // stored and fanned out
      states.add(subscription.state);
      sink.read();
    }
    expect(states).toEqual(new Set(['replaying', 'live']));
    hub.flush();
    await drainUntil(sink, () => sink.ids.at(-1) === 5600);
    expect(sink.ids).toEqual(range(251, 5600));
  });

  it('a replay paced by the socket holds at most one page', async () => {
    open({
      pageSize: 50,
      limits: { maxQueuedEvents: 1000, maxBufferedBytes: 1 << 20, socketHighWaterBytes: 1000 },
    });
    for (let n = 1; n <= 500; n += 1) {
      source.fire(log(n));
    }
    hub.flush();
    const sink = new FakeSink();
    hub.subscribe(sink, { since: 0 }).start();
    // Without reading, only what fits the high-water mark was written.
    const first = sink.events.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(50);
    await drainUntil(sink, () => sink.events.length === 500);
    expect(sink.ids).toEqual(range(1, 500));
    expect(sink.dropped).toBe(false);
  });

  it('filters live and replayed events by ref (id or name) and types', async () => {
    open();
    source.fire(log(1, 'r-1', 'a'));
    source.fire(log(2, 'r-2', 'b'));
    source.fire({ type: 'notify', runId: 'r-1', name: 'a', payload: 1 });
    hub.flush();
    const byName = new FakeSink();
    const byType = new FakeSink();
    hub.subscribe(byName, { since: 0, ref: 'a' }).start();
    hub.subscribe(byType, { since: 0, ref: 'r-2', types: ['log'] }).start();
    source.fire(log(4, 'r-2', 'b'));
    source.fire(log(5, 'r-1', 'a'));
    hub.flush();
    expect(byName.ids).toEqual([1, 3, 5]);
    expect(byType.ids).toEqual([2, 4]);
  });

  it('a subscriber that stops reading is told it lagged (last id sent), dropped, and its queue freed', async () => {
    open({
      limits: { maxQueuedEvents: 100, maxBufferedBytes: 1 << 20, socketHighWaterBytes: 2000 },
    });
    const slow = new FakeSink();
    const fast = new FakeSink();
    const subscription = hub.subscribe(slow, {});
    subscription.start();
    hub.subscribe(fast, {}).start();
    for (let n = 1; n <= 300; n += 1) {
      source.fire(log(n));
      if (n % 10 === 0) {
        hub.flush();
        fast.read();
      }
    }
    expect(slow.lagged).toEqual([
      { subscriptionId: subscription.id, lastEventId: slow.ids.at(-1) },
    ]);
    expect(slow.dropped).toBe(true);
    expect(subscription.state).toBe('closed');
    expect(slow.events.length).toBeLessThan(120);
    const stats = hub.stats;
    expect(stats.lagged).toBe(1);
    expect(stats.subscribers).toBe(1);
    // The other subscriber got everything.
    expect(fast.ids).toEqual(range(1, 300));
  });

  it('the byte bound also drops a subscriber (a few big events)', () => {
    open({
      limits: { maxQueuedEvents: 1000, maxBufferedBytes: 50_000, socketHighWaterBytes: 10_000 },
    });
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    for (let n = 1; n <= 10; n += 1) {
      source.fire({ type: 'notify', runId: 'r-1', name: 'a', payload: 'x'.repeat(10_000) });
    }
    hub.flush();
    expect(sink.lagged).toHaveLength(1);
    expect(sink.dropped).toBe(true);
  });

  it('ids continue after the largest stored one when the hub is reopened (and after pruning)', () => {
    open();
    for (let n = 1; n <= 30; n += 1) {
      source.fire(log(n));
    }
    hub.close();
    open();
    hub.prune({ maxRows: 0 });
    hub.close();
    open();
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    source.fire(log(31));
    hub.flush();
    expect(sink.ids).toEqual([31]);
  });

  it('keeps the backlog to maxRows as it stores', () => {
    open({ maxRows: 100, flushMaxEvents: 10 });
    for (let n = 1; n <= 1000; n += 1) {
      source.fire(log(n));
    }
    hub.flush();
    const stored = hub.backlog({ since: 0, limit: 1000 }).events.map((event) => event.id);
    expect(stored.length).toBeLessThanOrEqual(110);
    expect(stored.at(-1)).toBe(1000);
    expect(stored[0]).toBeGreaterThanOrEqual(891);
  });

  it('when the store fails, events still go out live with increasing ids and the failure is reported', () => {
    open();
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    source.fire(log(1));
    hub.flush();
    runs.database.exec('DROP TABLE events'); // every later write fails
    source.fire(log(2));
    source.fire(log(3));
    hub.flush();
    expect(sink.ids).toEqual([1, 2, 3]);
    const stats = hub.stats;
    expect(stats.unstored).toBe(2);
    expect(stats.persistence.ok).toBe(false);
    expect(stats.persistence.lastError).toMatch(/store events/);
  });

  it('a payload nested 100 000 deep (object or array) is stored and sent with payloadError, and the hub goes on', () => {
    open();
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as unknown;
    const deepArray = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(() => JSON.stringify(deepObject)).toThrow(RangeError);
    source.fire({ type: 'notify', runId: 'r-1', name: 'a', payload: deepObject });
    source.fire({ type: 'notify', runId: 'r-1', name: 'a', payload: { ok: 1, bad: deepArray } });
    source.fire(log(3));
    hub.flush();
    expect(sink.ids).toEqual([1, 2, 3]);
    const [first, second] = sink.events;
    // The payload is {a: <deep>}: its field `a` is what is left out.
    expect(first).toMatchObject({
      id: 1,
      type: 'notify',
      runId: 'r-1',
      name: 'a',
      payload: {},
      omitted: ['payload.a'],
    });
    expect(first.payloadError).toMatch(
      /could not be serialised \(Maximum call stack size exceeded\); left out payload\.a/,
    );
    // Only the part that cannot be serialised is left out.
    expect(second).toMatchObject({ payload: { ok: 1 }, omitted: ['payload.bad'] });
    const stored = hub.backlog({ since: 0, limit: 10 }).events;
    expect(stored.map((event) => event.payloadError === undefined)).toEqual([false, false, true]);
  });

  it('an event over maxEventBytes loses its largest fields (turn.output here), naming size and limit', () => {
    open({ maxEventBytes: 10_000 });
    const sink = new FakeSink();
    hub.subscribe(sink, {}).start();
    const turn = { turnId: 't-1', status: 'ok', input: 'small', output: 'y'.repeat(20_000) };
    source.fire({
      type: 'turn_result',
      runId: 'r-1',
      name: 'a',
      turn,
    } as unknown as SupervisorEvent);
    hub.flush();
    const [event] = sink.events;
    expect(event).toMatchObject({
      turn: { turnId: 't-1', input: 'small' },
      omitted: ['turn.output'],
    });
    expect(event.payloadError).toMatch(/its JSON of 2\d{4} bytes is over the limit of 10000 bytes/);
    expect(JSON.stringify(event).length).toBeLessThanOrEqual(10_000);
  });

  it('close writes what a subscriber has queued (past the high-water mark), then closes it', () => {
    open({
      limits: { maxQueuedEvents: 1000, maxBufferedBytes: 1 << 20, socketHighWaterBytes: 100 },
    });
    const sink = new FakeSink();
    const subscription = hub.subscribe(sink, {});
    subscription.start();
    for (let n = 1; n <= 20; n += 1) {
      source.fire(log(n));
    }
    hub.flush();
    // The peer has not read: one event went out, 19 wait.
    expect(sink.ids.length).toBeLessThan(5);
    expect(sink.dropped).toBe(false);
    hub.close();
    expect(sink.ids).toEqual(range(1, 20));
    expect(subscription.lastEventId).toBe(20);
    expect(subscription.state).toBe('closed');
  });
});
