import type { Disposable } from '@x/ipc';
import type { EventPage } from '../persistence/event-store.js';
import { matchesFilter, type EventFilter, type MonitorEvent } from './monitor-event.js';
import { isLagging, type SubscriberLimits } from './subscriber-limits.js';

/** Where a subscription writes: one control connection. */
export interface EventSink {
  /** Sends a JSON-RPC notification (never throws; a closed connection drops it). */
  notify(method: string, params: unknown): void;
  /** Bytes written to the connection and not yet taken by the kernel. */
  readonly bufferedBytes: number;
  /** Calls `listener` when the connection's write buffer has drained. */
  onDrain(listener: () => void): Disposable;
  /** Ends the connection after what is written; destroys it if the peer does not read it. */
  drop(): void;
}

/** An event with the size of its JSON, as the hub fans it out. */
export interface SizedEvent {
  event: MonitorEvent;
  /** Bytes of its JSON. */
  bytes: number;
}

/** Where a replaying subscription reads the backlog from (the hub, over its store). */
export interface BacklogSource {
  /**
   * Up to `limit` stored events after `afterId` passing `filter`, oldest first (fewer when
   * a byte budget ends the page; `more` says whether there are more).
   */
  read(afterId: number, limit: number, filter: EventFilter): EventPage;
  /** Id of the last event the hub has fanned out (every stored id is at most this). */
  lastEventId(): number;
}

/**
 * Lifecycle of a subscription. `replaying`: reading the backlog from SQLite in pages, paced
 * by the socket; live events are left to the backlog. `live`: events from the hub go through
 * a bounded queue. `closed` is terminal (unsubscribed, connection gone, or lagged).
 *
 * replaying ──backlog read to its end──▶ live
 *     └───────────────┬───────────────────┘
 *                     ▼
 *                   closed
 */
export type SubscriptionState = 'replaying' | 'live' | 'closed';

/** Why a subscription closed. */
export type SubscriptionEnd = 'unsubscribed' | 'disconnected' | 'lagged' | 'shutdown';

/** Options of {@link EventSubscription}. */
export interface EventSubscriptionOptions {
  id: string;
  sink: EventSink;
  filter: EventFilter;
  /** Events after this id are delivered. */
  since: number;
  backlog: BacklogSource;
  limits: SubscriberLimits;
  /** Rows per backlog page. */
  pageSize: number;
  /** Called once, when it closes. */
  onClose(subscription: EventSubscription, end: SubscriptionEnd): void;
}

/**
 * One `monitor.subscribe`: replays the backlog after `since`, then follows live events with
 * no gap and no duplicate (ids strictly increase). Memory is bounded: at most one backlog
 * page, or SubscriberLimits of live events, wait in its queue; past that the peer gets
 * `monitor.lagged { subscriptionId, lastEventId }` and the connection is dropped.
 */
export class EventSubscription {
  #state: SubscriptionState = 'replaying';
  /** Last id handled: sent, filtered out, or (while replaying) read from the backlog. */
  #cursor: number;
  /** Id of the last event written to the sink. */
  #lastSentId: number;
  #queue: SizedEvent[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  #drain: Disposable | undefined;

  constructor(private readonly options: EventSubscriptionOptions) {
    this.#cursor = options.since;
    this.#lastSentId = options.since;
  }

  get id(): string {
    return this.options.id;
  }

  get state(): SubscriptionState {
    return this.#state;
  }

  /** Id of the last event sent: where a resubscription should start (`since`). */
  get lastEventId(): number {
    return this.#lastSentId;
  }

  /** Starts replaying (call after the subscribe response was sent). */
  start(): void {
    if (this.#state === 'closed' || this.#drain !== undefined) {
      return;
    }
    this.#drain = this.options.sink.onDrain(() => this.#pump());
    this.#pump();
  }

  /** Live events from the hub, in id order. Ignored while replaying (the backlog has them). */
  deliver(batch: readonly SizedEvent[]): void {
    if (this.#state !== 'live') {
      return;
    }
    for (const item of batch) {
      if (item.event.id <= this.#cursor) {
        continue;
      }
      this.#cursor = item.event.id;
      if (matchesFilter(item.event, this.options.filter)) {
        this.#queue.push(item);
        this.#queuedBytes += item.bytes;
      }
    }
    this.#pump();
    if (
      this.#state === 'live' &&
      isLagging(
        {
          queuedEvents: this.#queue.length - this.#queueHead,
          queuedBytes: this.#queuedBytes,
          socketBytes: this.options.sink.bufferedBytes,
        },
        this.options.limits,
      )
    ) {
      this.options.sink.notify('monitor.lagged', {
        subscriptionId: this.id,
        lastEventId: this.#lastSentId,
      });
      this.close('lagged');
      this.options.sink.drop();
    }
  }

  /**
   * Stops delivery and frees the queue. Idempotent. On `shutdown` the queued events are
   * written first (at most SubscriberLimits of them); the control server then ends the
   * connection after them (ending it here would let a client reconnect before the server
   * stops accepting, and lose that connection unanswered).
   */
  close(end: SubscriptionEnd): void {
    if (this.#state === 'closed') {
      return;
    }
    if (end === 'shutdown') {
      // The socket's high-water mark is ignored here: the queue is bounded, and these are the
      // last events the peer gets (the final run_state ones).
      for (let i = this.#queueHead; i < this.#queue.length; i += 1) {
        this.#lastSentId = this.#queue[i].event.id;
        this.options.sink.notify('monitor.event', this.#queue[i].event);
      }
    }
    this.#state = 'closed';
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    this.#drain?.dispose();
    this.options.onClose(this, end);
  }

  /** Writes queued events while the socket has room; while replaying, refills from the backlog. */
  #pump(): void {
    const { sink, limits, backlog, filter, pageSize } = this.options;
    while (this.#state !== 'closed' && sink.bufferedBytes < limits.socketHighWaterBytes) {
      if (this.#queueHead < this.#queue.length) {
        const item = this.#queue[this.#queueHead];
        this.#queueHead += 1;
        this.#queuedBytes -= item.bytes;
        this.#lastSentId = item.event.id;
        sink.notify('monitor.event', item.event);
        if (this.#queueHead >= 1024 && this.#queueHead * 2 >= this.#queue.length) {
          // Drop the sent prefix so a queue that never quite empties does not keep it.
          this.#queue = this.#queue.slice(this.#queueHead);
          this.#queueHead = 0;
        }
        continue;
      }
      this.#queue = [];
      this.#queueHead = 0;
      this.#queuedBytes = 0;
      if (this.#state === 'live') {
        return;
      }
      // Replaying: the next page. Reads and the switch to live happen in one synchronous
      // run, and the hub fans out only after storing: nothing can fall between them.
      const page = backlog.read(this.#cursor, pageSize, filter);
      page.events.forEach((event, i) => {
        this.#queue.push({ event, bytes: page.bytes[i] ?? 0 });
        this.#queuedBytes += page.bytes[i] ?? 0;
      });
      if (!page.more) {
        this.#cursor = Math.max(this.#cursor, backlog.lastEventId());
        this.#state = 'live';
      } else {
        this.#cursor = page.events[page.events.length - 1].id;
      }
    }
  }
}
