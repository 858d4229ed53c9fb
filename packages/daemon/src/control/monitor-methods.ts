import type { Socket } from 'node:net';
import { Type } from '@sinclair/typebox';
import { RpcError, toDisposable, type RpcConnection } from '@x/ipc';
import { LAGGED_DESTROY_AFTER_MS } from '../constants.js';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { EventHub, EventHubStats } from '../monitor/event-hub.js';
import type { EventSink } from '../monitor/event-subscription.js';
import type { MonitorEvent } from '../monitor/monitor-event.js';
import { compileParamsValidator } from './params-validator.js';

/** `monitor.subscribe` result. */
export interface MonitorSubscription {
  subscriptionId: string;
  /** Id of the newest event at the time of the call (0 when none yet). */
  lastEventId: number;
  /** Smallest id still in the backlog, or null when it is empty: a `since` below it lost events. */
  oldestEventId: number | null;
}

/** `monitor.backlog` result. */
export interface MonitorBacklog {
  /** Oldest first; at most `limit` events and 768 KiB of JSON (BACKLOG_PAGE_MAX_BYTES). */
  events: MonitorEvent[];
  /**
   * True when matching events were left out (by `limit` or the byte budget): with `since`,
   * ask again with `since` set to the last id returned; without it, older events exist.
   */
  more: boolean;
  lastEventId: number;
  oldestEventId: number | null;
}

/** Params of the `monitor.lagged` notification (sent just before the connection is dropped). */
export interface MonitorLagged {
  subscriptionId: string;
  /** Id of the last event sent: resubscribe with `since` set to it (or to the last one read). */
  lastEventId: number;
}

const Ref = Type.String({ minLength: 1, maxLength: 128 });
const Types = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: 32,
});
const EventId = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** Params schemas of the `monitor.*` methods: the source of `-32602` messages and of the docs. */
export const MONITOR_PARAMS = {
  'monitor.subscribe': Type.Object({
    since: Type.Optional(EventId),
    ref: Type.Optional(Ref),
    types: Type.Optional(Types),
  }),
  'monitor.unsubscribe': Type.Object({
    subscriptionId: Type.String({ minLength: 1, maxLength: 128 }),
  }),
  'monitor.backlog': Type.Object({
    since: Type.Optional(EventId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    ref: Type.Optional(Ref),
    types: Type.Optional(Types),
  }),
  'monitor.stats': Type.Object({}),
};

const validators = {
  subscribe: compileParamsValidator(MONITOR_PARAMS['monitor.subscribe']),
  unsubscribe: compileParamsValidator(MONITOR_PARAMS['monitor.unsubscribe']),
  backlog: compileParamsValidator(MONITOR_PARAMS['monitor.backlog']),
  stats: compileParamsValidator(MONITOR_PARAMS['monitor.stats']),
};

/** Default `limit` of `monitor.backlog`: 50 events. */
const BACKLOG_DEFAULT_LIMIT = 50;

/**
 * Registers `monitor.subscribe`, `monitor.unsubscribe`, `monitor.backlog` and `monitor.stats`
 * on a connection. A connection holds at most one subscription; its events arrive as
 * `monitor.event` notifications, and `monitor.lagged` when it fell behind (then the
 * connection is ended, and destroyed if the peer has not read it after 2 s).
 * `socket` is the connection's socket: its write buffer is what a subscriber is measured by.
 */
export function registerMonitorMethods(
  connection: RpcConnection,
  socket: Socket,
  hub: EventHub,
): void {
  const sink: EventSink = {
    notify: (method, params) => connection.notify(method, params),
    get bufferedBytes() {
      return socket.writableLength;
    },
    onDrain(listener) {
      socket.on('drain', listener);
      return toDisposable(() => socket.off('drain', listener));
    },
    drop() {
      connection.close();
      setTimeout(() => socket.destroy(), LAGGED_DESTROY_AFTER_MS).unref();
    },
  };
  let subscription: ReturnType<EventHub['subscribe']> | undefined;
  connection.onClose(() => subscription?.close('disconnected'));

  connection.onRequest(
    'monitor.subscribe',
    (params): MonitorSubscription => {
      if (subscription !== undefined && subscription.state !== 'closed') {
        throw new RpcError(
          DAEMON_RPC_CODES.ALREADY_SUBSCRIBED,
          `x: this connection already holds subscription ${subscription.id}; unsubscribe first or open another connection`,
          { subscriptionId: subscription.id },
        );
      }
      const created = hub.subscribe(sink, params);
      subscription = created;
      // Events follow the response: replay starts once it has been written.
      setImmediate(() => created.start());
      return {
        subscriptionId: created.id,
        lastEventId: hub.lastEventId,
        oldestEventId: hub.oldestEventId(),
      };
    },
    validators.subscribe,
  );
  connection.onRequest(
    'monitor.unsubscribe',
    (params) => {
      const found = subscription?.id === params.subscriptionId && subscription.state !== 'closed';
      if (found) {
        subscription?.close('unsubscribed');
      }
      return { unsubscribed: found };
    },
    validators.unsubscribe,
  );
  connection.onRequest(
    'monitor.backlog',
    (params): MonitorBacklog => {
      const page = hub.backlog({ ...params, limit: params.limit ?? BACKLOG_DEFAULT_LIMIT });
      return {
        events: page.events,
        more: page.more,
        lastEventId: hub.lastEventId,
        oldestEventId: hub.oldestEventId(),
      };
    },
    validators.backlog,
  );
  connection.onRequest('monitor.stats', (): EventHubStats => hub.stats, validators.stats);
}
