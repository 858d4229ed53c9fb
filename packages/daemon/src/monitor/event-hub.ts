import { Emitter, type Disposable, type Event } from '@x/ipc';
import {
  BACKLOG_PAGE_MAX_BYTES,
  EVENT_BACKLOG_MAX_ROWS,
  EVENT_FLUSH_INTERVAL_MS,
  EVENT_FLUSH_MAX_EVENTS,
  EVENT_MAX_BYTES,
  EVENT_REPLAY_PAGE_BYTES,
  EVENT_REPLAY_PAGE_SIZE,
} from '../constants.js';
import type {
  EventPage,
  EventStore,
  EventRow,
  EventPruneRule,
} from '../persistence/event-store.js';
import { PersistenceGuard, type PersistenceHealth } from '../persistence/persistence-guard.js';
import { silentLogger, type Logger } from '../process/logger.js';
import type { SupervisorEvent } from '../supervisor/supervisor-events.js';
import {
  EventSubscription,
  type EventSink,
  type SizedEvent,
  type SubscriptionEnd,
} from './event-subscription.js';
import { boundEvent } from './bound-event.js';
import { toMonitorEvent, type EventFilter, type MonitorEvent } from './monitor-event.js';
import { DEFAULT_SUBSCRIBER_LIMITS, type SubscriberLimits } from './subscriber-limits.js';

const emptyPage = (): EventPage => ({ events: [], bytes: [], more: false });

/** Options of {@link EventHub}. */
export interface EventHubOptions {
  /** What to publish: the supervisor's `onEvent`. */
  source: Event<SupervisorEvent>;
  store: EventStore;
  logger?: Logger | undefined;
  /** The daemon's persistence guard (one health for its one database). @default a guard of its own */
  guard?: PersistenceGuard | undefined;
  /** Longest an event waits to be stored while events keep coming, ms. @default 50 */
  flushIntervalMs?: number | undefined;
  /** Events per transaction; reaching it stores at once. @default 500 */
  flushMaxEvents?: number | undefined;
  /** Backlog bound kept as events are stored (newest ids). @default 100 000 */
  maxRows?: number | undefined;
  limits?: SubscriberLimits | undefined;
  /** Backlog rows per replay page. @default 500 */
  pageSize?: number | undefined;
  /**
   * Largest JSON of one event, bytes; a larger one (or one that cannot be serialised) loses
   * its largest fields and gets `payloadError`. @default 512 KiB (EVENT_MAX_BYTES)
   */
  maxEventBytes?: number | undefined;
  now?: (() => number) | undefined;
}

/** Counters of an {@link EventHub} since it started. */
export interface EventHubStats {
  /** Events published. */
  events: number;
  /** Backlog transactions (one per flush). */
  flushes: number;
  /** Events delivered live without being stored (the store failed). */
  unstored: number;
  /** Current subscriptions. */
  subscribers: number;
  /** Subscriptions dropped for lagging. */
  lagged: number;
  /** Id of the last event published and fanned out. */
  lastEventId: number;
  persistence: PersistenceHealth;
}

/** A backlog query (`monitor.backlog`). */
export interface BacklogQuery extends EventFilter {
  /** Events after this id, oldest first; absent: the newest `limit`. */
  since?: number | undefined;
  limit: number;
  /** Bytes of event JSON in the page at most (one event always). @default 768 KiB (BACKLOG_PAGE_MAX_BYTES) */
  maxBytes?: number | undefined;
}

/**
 * The event log behind `monitor.subscribe`: takes every supervisor event, gives it the next
 * id, stores it in the SQLite backlog, then fans it out to the subscribers.
 *
 * Writes are batched: an event after a quiet spell is stored on the next turn of the event
 * loop; while events keep coming they are stored at most every `flushIntervalMs` (50 ms) or
 * every `flushMaxEvents` (500), one transaction each, so a chatty agent does not cost one
 * transaction per log line. Events are fanned out after their transaction (persisted first).
 *
 * Ids are assigned here, continuing after the largest id SQLite ever handed out. When the
 * store fails (full disk…), the events still go out live with their ids, are missing from
 * the backlog (a replay skips them), and the failure shows in `stats.persistence`.
 */
export class EventHub {
  readonly #store: EventStore;
  readonly #guard: PersistenceGuard;
  readonly #source: Disposable;
  readonly #subscribers = new Set<EventSubscription>();
  readonly #now: () => number;
  readonly #flushIntervalMs: number;
  readonly #flushMaxEvents: number;
  readonly #maxRows: number;
  readonly #maxEventBytes: number;
  #pending: SizedEvent[] = [];
  #pendingJson: string[] = [];
  #nextId: number;
  #lastEventId: number;
  #lastFlushAt = 0;
  #scheduled: { cancel(): void } | undefined;
  #storedSincePrune = 0;
  #nextSubscription = 1;
  #closed = false;
  #stats = { events: 0, flushes: 0, unstored: 0, lagged: 0 };
  readonly #published: Emitter<readonly MonitorEvent[]>;

  constructor(private readonly options: EventHubOptions) {
    this.#store = options.store;
    this.#guard = options.guard ?? new PersistenceGuard(options.logger ?? silentLogger);
    this.#now = options.now ?? Date.now;
    this.#flushIntervalMs = options.flushIntervalMs ?? EVENT_FLUSH_INTERVAL_MS;
    this.#flushMaxEvents = options.flushMaxEvents ?? EVENT_FLUSH_MAX_EVENTS;
    this.#maxRows = options.maxRows ?? EVENT_BACKLOG_MAX_ROWS;
    this.#maxEventBytes = options.maxEventBytes ?? EVENT_MAX_BYTES;
    this.#lastEventId = this.#guard.read('read last event id', () => this.#store.lastId(), 0);
    this.#nextId = this.#lastEventId + 1;
    this.#source = options.source((event) => this.publish(event));
    this.#published = new Emitter((error) =>
      options.logger?.error(`monitor: a listener of published events threw: ${String(error)}`),
    );
  }

  /**
   * Fires with each batch of events once it is stored and fanned out to the subscribers, ids
   * ascending (the event hooks listen here). A listener must not block: it runs on the
   * daemon's event loop, inside the flush.
   */
  get onPublished(): Event<readonly MonitorEvent[]> {
    return this.#published.event;
  }

  /** Id of the last event fanned out (0 when none yet). */
  get lastEventId(): number {
    return this.#lastEventId;
  }

  get stats(): EventHubStats {
    return {
      ...this.#stats,
      subscribers: this.#subscribers.size,
      lastEventId: this.#lastEventId,
      persistence: this.#guard.health,
    };
  }

  /**
   * Takes one event: assigns its id and time, and schedules its write and fan-out. Never
   * throws: an event whose JSON cannot be produced or is over `maxEventBytes` goes out with
   * its largest fields left out and `payloadError` set (see {@link boundEvent}).
   */
  publish(event: SupervisorEvent): void {
    if (this.#closed) {
      return;
    }
    const id = this.#nextId;
    this.#nextId += 1;
    // Serialised now: the JSON is the snapshot stored and the size the subscribers count.
    const bounded = boundEvent(toMonitorEvent(id, this.#now(), event), this.#maxEventBytes);
    if (bounded.event.payloadError !== undefined) {
      this.options.logger?.warn(`monitor: ${bounded.event.payloadError}`);
    }
    this.#pending.push({ event: bounded.event, bytes: bounded.bytes });
    this.#pendingJson.push(bounded.json);
    this.#stats.events += 1;
    if (this.#pending.length >= this.#flushMaxEvents) {
      this.flush();
    } else {
      this.#schedule();
    }
  }

  /** Stores the pending events in one transaction, then fans them out. */
  flush(): void {
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
    if (this.#pending.length === 0) {
      return;
    }
    const batch = this.#pending;
    const rows: EventRow[] = batch.map(({ event }, i) => ({
      id: event.id,
      at: event.at,
      type: event.type,
      runId: event.runId,
      name: event.name,
      json: this.#pendingJson[i],
    }));
    this.#pending = [];
    this.#pendingJson = [];
    this.#lastFlushAt = this.#now();
    this.#stats.flushes += 1;
    // Not kept in memory on a full disk (unlike the records of runs): they were delivered live,
    // and a flood of log events would take the room those records need. Counted in `unstored`.
    const stored = this.#guard.write(
      'store events',
      () => {
        this.#store.append(rows);
        return true;
      },
      false,
    );
    if (!stored) {
      this.#stats.unstored += batch.length;
    }
    this.#lastEventId = batch[batch.length - 1].event.id;
    for (const subscription of this.#subscribers) {
      subscription.deliver(batch);
    }
    if (this.#published.size > 0) {
      this.#published.fire(batch.map(({ event }) => event));
    }
    this.#storedSincePrune += batch.length;
    if (this.#storedSincePrune >= Math.max(1, Math.floor(this.#maxRows / 10))) {
      this.#storedSincePrune = 0;
      this.prune({ maxRows: this.#maxRows });
    }
  }

  /**
   * Subscribes `sink` to the events after `since` (default: from now on) that pass `filter`.
   * Replay starts when `start()` is called on the result (after the response is sent).
   */
  subscribe(
    sink: EventSink,
    request: EventFilter & { since?: number | undefined },
  ): EventSubscription {
    this.flush();
    const subscription = new EventSubscription({
      id: `s-${this.#nextSubscription++}`,
      sink,
      filter: { ref: request.ref, types: request.types },
      since: Math.min(request.since ?? this.#lastEventId, this.#lastEventId),
      backlog: {
        read: (afterId, limit, filter) =>
          this.#guard.read(
            'read events',
            () => this.#store.after(afterId, limit, filter, EVENT_REPLAY_PAGE_BYTES),
            emptyPage(),
          ),
        lastEventId: () => this.#lastEventId,
      },
      limits: this.options.limits ?? DEFAULT_SUBSCRIBER_LIMITS,
      pageSize: this.options.pageSize ?? EVENT_REPLAY_PAGE_SIZE,
      onClose: (closed, end) => this.#onClose(closed, end),
    });
    this.#subscribers.add(subscription);
    return subscription;
  }

  /**
   * Stored events: after `since`, or the newest `limit`; oldest first; at most `maxBytes` of
   * JSON (`more` says whether matching events were left out).
   */
  backlog(query: BacklogQuery): EventPage {
    this.flush();
    const maxBytes = query.maxBytes ?? BACKLOG_PAGE_MAX_BYTES;
    const filter = { ref: query.ref, types: query.types };
    return this.#guard.read(
      'read events',
      () =>
        query.since === undefined
          ? this.#store.latest(query.limit, filter, maxBytes)
          : this.#store.after(query.since, query.limit, filter, maxBytes),
      emptyPage(),
    );
  }

  /** Smallest id still in the backlog, or null. */
  oldestEventId(): number | null {
    return this.#guard.read('read events', () => this.#store.oldestId(), null);
  }

  /** Prunes the backlog (stored events only). Returns the rows deleted. */
  prune(rule: EventPruneRule): number {
    // Deleting nothing writes nothing: on a full disk it succeeds without proving recovery.
    return this.#guard.write('prune events', () => this.#store.prune(rule), 0, {
      proves: (deleted) => deleted > 0,
    });
  }

  /**
   * Stores what is pending, stops listening, and closes every subscription: each writes what
   * it has queued first (the control server's close then ends the connections). Idempotent.
   */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.flush();
    this.#closed = true;
    this.#source.dispose();
    for (const subscription of [...this.#subscribers]) {
      subscription.close('shutdown');
    }
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) {
      return;
    }
    const delay = this.#lastFlushAt + this.#flushIntervalMs - this.#now();
    if (delay <= 0) {
      // Quiet until now: store and deliver on the next turn, with whatever else this turn adds.
      const immediate = setImmediate(() => this.flush());
      this.#scheduled = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(() => this.flush(), delay);
      timer.unref();
      this.#scheduled = { cancel: () => clearTimeout(timer) };
    }
  }

  #onClose(subscription: EventSubscription, end: SubscriptionEnd): void {
    this.#subscribers.delete(subscription);
    if (end === 'lagged') {
      this.#stats.lagged += 1;
      this.options.logger?.warn(
        `monitor: subscriber ${subscription.id} lagged after event ${subscription.lastEventId}; dropped`,
      );
    }
  }
}
