import type { MonitorEvent, MonitorLagged, MonitorSubscription } from '@x/daemon';
import type { RpcConnection } from '@x/ipc';
import { DaemonUnavailableError, toControlError } from './errors.js';
import { openConnection } from './open-connection.js';

/** Options of `client.events()`. */
export interface EventStreamOptions {
  /**
   * Start after this event id: the stored events after it are replayed first (ids only go up,
   * from 1). @default the newest: only events published from now on
   */
  since?: number | undefined;
  /** Only events of these types (`run_state`, `iteration_done`, `log`, `permission_request`…). */
  types?: string[] | undefined;
  /** Only the events of these runs (run ids, or names: every run of that name). */
  runs?: string[] | undefined;
  /**
   * How long to keep trying to reconnect after the connection dropped (the daemon restarting),
   * ms; then the iterator throws DaemonUnavailableError. 0: one attempt, at once.
   * @default 10000
   */
  reconnectForMs?: number | undefined;
  /** Told each time the stream resubscribes, with the id it resumes after and why. */
  onResubscribe?: ((info: ResubscribeInfo) => void) | undefined;
  /**
   * Events held for a slow reader at most; past it the stream lets the daemon's connection go
   * and resubscribes from the last held event once the reader has caught up, so memory stays
   * bounded and nothing is lost. @default 10000
   */
  maxBuffered?: number | undefined;
}

/** What `onResubscribe` is told. */
export interface ResubscribeInfo {
  /** The stream resumes after this event id (the last one it received). */
  since: number;
  /**
   * `lagged`: the reader or the stream fell behind and the subscription was dropped;
   * `closed`: the connection closed (the daemon stopped or restarted).
   */
  reason: 'lagged' | 'closed';
  /** With `lagged` from the daemon: the last event id it had sent (its `monitor.lagged`). */
  droppedAfter?: number;
}

/** `client.events()`: an async iterator of MonitorEvents that can be closed. */
export interface EventStream extends AsyncIterableIterator<MonitorEvent> {
  /**
   * Id of the last event `next()` returned (`since`, or 0, before any): where to resume from,
   * with `events({ since })`, in another process or after `close()`.
   */
  readonly lastEventId: number;
  /**
   * Subscribes now (the first `next()` otherwise does) and resolves once the daemon has
   * confirmed the subscription: every event published after that is delivered.
   * @throws DaemonUnavailableError or a ControlError when subscribing failed.
   */
  ready(): Promise<void>;
  /** Ends the stream: a pending `next()` resolves done, the connection closes. */
  close(): void;
}

/** Delay between reconnection attempts, ms: a restarting daemon binds its socket in ~100 ms. */
const RECONNECT_DELAY_MS = 100;
/** Resubscriptions in a row that bring no event before the stream gives up. */
const MAX_FRUITLESS_RESUBSCRIBES = 5;

/** The stream of `client.events()` on a connection of its own to `socketPath`. */
export function createEventStream(
  socketPath: string,
  connectTimeoutMs: number,
  options: EventStreamOptions,
  onEnd: () => void,
): EventStream {
  const maxBuffered = options.maxBuffered ?? 10_000;
  const reconnectForMs = options.reconnectForMs ?? 10_000;
  const runs = options.runs;
  // One run: the daemon filters; several: the stream does.
  const ref = runs?.length === 1 ? runs[0] : undefined;
  const wanted = (event: MonitorEvent) =>
    runs === undefined ||
    runs.length <= 1 ||
    runs.includes(event.runId ?? '') ||
    runs.includes(event.name ?? '');

  const queue: MonitorEvent[] = [];
  let cursor = options.since;
  let returned = options.since ?? 0;
  let ended = false;
  let failure: Error | undefined;
  let connection: RpcConnection | undefined;
  let overflowed = false;
  // Resubscriptions in a row after which the connection closed again with no event.
  let fruitless = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };

  const subscribe = async (reason: 'lagged' | 'closed' | undefined): Promise<void> => {
    const dropAt = Date.now();
    for (;;) {
      if (ended) {
        return;
      }
      let next: RpcConnection;
      try {
        next = await openConnection(socketPath, connectTimeoutMs);
      } catch (error) {
        if (reason === undefined || Date.now() - dropAt >= reconnectForMs) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
        continue;
      }
      if (ended) {
        next.close();
        return;
      }
      connection = next;
      let lagged: MonitorLagged | undefined;
      const before = cursor;
      next.onNotification<MonitorEvent>('monitor.event', (event) => {
        // After a resubscription the replay may overlap what was received: ids only go up.
        if (overflowed || (cursor !== undefined && event.id <= cursor)) {
          return;
        }
        cursor = event.id;
        if (!wanted(event)) {
          return;
        }
        queue.push(event);
        if (queue.length >= maxBuffered) {
          // Let the daemon's connection go; resume from `cursor` once the reader caught up.
          overflowed = true;
          next.close();
        }
        signal();
      });
      next.onNotification<MonitorLagged>('monitor.lagged', (params) => (lagged = params));
      next.onClose(() => {
        if (connection !== next || ended) {
          return;
        }
        connection = undefined;
        if (overflowed) {
          signal();
          return;
        }
        const why = lagged === undefined ? 'closed' : 'lagged';
        fruitless = lagged === undefined && cursor === before ? fruitless + 1 : 0;
        if (fruitless > MAX_FRUITLESS_RESUBSCRIBES) {
          fail(
            new DaemonUnavailableError(
              socketPath,
              undefined,
              new Error(
                `the daemon closed the event stream's connection ${fruitless} times in a row after event #${cursor ?? 0}`,
              ),
            ),
          );
          return;
        }
        options.onResubscribe?.({
          since: cursor ?? 0,
          reason: why,
          ...(lagged === undefined ? {} : { droppedAfter: lagged.lastEventId }),
        });
        subscribe(why).catch(fail);
      });
      try {
        const answer = await next.request<MonitorSubscription>('monitor.subscribe', {
          ...(cursor === undefined ? {} : { since: cursor }),
          ...(ref === undefined ? {} : { ref }),
          ...(options.types === undefined ? {} : { types: options.types }),
        });
        // Live only: resume from here after a drop, so nothing published meanwhile is missed.
        cursor ??= answer.lastEventId;
      } catch (error) {
        if (connection !== next) {
          return; // closed under us: its onClose above has resubscribed (or ended the stream)
        }
        connection = undefined;
        next.close();
        throw toControlError(error, 'monitor.subscribe');
      }
      return;
    }
  };

  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    end();
  };
  const end = () => {
    if (ended) {
      return;
    }
    ended = true;
    connection?.close();
    connection = undefined;
    onEnd();
    signal();
  };

  let started: Promise<void> | undefined;
  const stream: EventStream = {
    get lastEventId() {
      return returned;
    },
    close: end,
    async ready() {
      started ??= subscribe(undefined).catch(fail);
      await started;
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
    async next(): Promise<IteratorResult<MonitorEvent>> {
      started ??= subscribe(undefined).catch(fail);
      await started;
      for (;;) {
        const event = queue.shift();
        if (event !== undefined) {
          returned = event.id;
          return { done: false, value: event };
        }
        if (failure !== undefined) {
          const error = failure;
          failure = undefined;
          throw error;
        }
        if (ended) {
          return { done: true, value: undefined };
        }
        if (overflowed && connection === undefined) {
          // Caught up after an overflow: resume after the last event held.
          overflowed = false;
          options.onResubscribe?.({ since: cursor ?? 0, reason: 'lagged' });
          await subscribe('lagged').catch(fail);
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<MonitorEvent>> {
      end();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
