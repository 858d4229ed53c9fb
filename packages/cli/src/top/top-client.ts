// Every call `x top` makes to the daemon, in one place: moving to another client changes this
// file only.
//
// `x top` reads the event stream and the `agent.list` answers on ONE connection, on purpose:
// the daemon writes them in order on a socket, so every event received before a list answer
// is older than that answer (see applyList). A client that streams events on a connection of
// its own (as @x/client's `events()` does) cannot tell which of the two is newer.
import type {
  AgentList,
  AgentLogs,
  AgentStatus,
  MonitorBacklog,
  MonitorEvent,
  MonitorLagged,
  RunRecord,
} from '@x/daemon';
import type { RpcConnection } from '@x/ipc';
import { REQUEST_TIMEOUT_MS, connectDaemon } from '../daemon-client.js';
import type { ListedRun } from './top-state.js';

/** How long a stop or restart is waited for: 5 minutes (a run's stop budget may be long). */
const ACTION_TIMEOUT_MS = 5 * 60_000;
/** `agent.list` pages read at most: 20 (10 000 runs; the view keeps 50 finished ones anyway). */
const MAX_LIST_PAGES = 20;

/** One connection to the daemon, as `x top` uses it. */
export interface TopClient {
  /** `agent.list`: active runs and the recent finished ones, every page. */
  list(): Promise<ListedRun[]>;
  /** Id of the newest event (0: none), from `monitor.backlog`. */
  lastEventId(): Promise<number>;
  /**
   * `monitor.subscribe` from `since`: `onEvent` gets each `monitor.event`, `onLagged` the
   * daemon's `monitor.lagged` (it then closes the connection).
   */
  subscribe(
    since: number,
    onEvent: (event: MonitorEvent) => void,
    onLagged: (lagged: MonitorLagged) => void,
  ): Promise<void>;
  status(ref: string): Promise<AgentStatus>;
  logs(ref: string, lines: number): Promise<AgentLogs>;
  stop(ref: string): Promise<RunRecord>;
  restart(ref: string): Promise<RunRecord>;
  answer(ref: string, requestId: string, decision: 'granted' | 'denied'): Promise<unknown>;
  /** Calls `listener` once when the connection closes (the daemon stopped, or `close`). */
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * Connects to the daemon of `home` (the CLI's bare connection: `x top` handles the
 * notifications itself).
 * @throws CliError (exit 69) when no daemon answers there, naming the home and the fix.
 */
export async function connectTopClient(home: string): Promise<TopClient> {
  return wrap(await connectDaemon(home));
}

function wrap(connection: RpcConnection): TopClient {
  const timeout = { timeoutMs: REQUEST_TIMEOUT_MS };
  return {
    list: async () => {
      const runs: ListedRun[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        const answer = await connection.request<AgentList>(
          'agent.list',
          cursor === undefined ? {} : { cursor },
          timeout,
        );
        runs.push(...(answer.runs as ListedRun[]));
        if (answer.nextCursor === undefined || answer.nextCursor === null) {
          break;
        }
        cursor = answer.nextCursor;
      }
      return runs;
    },
    lastEventId: async () =>
      (await connection.request<MonitorBacklog>('monitor.backlog', { limit: 1 }, timeout))
        .lastEventId,
    subscribe: async (since, onEvent, onLagged) => {
      connection.onNotification<MonitorEvent>('monitor.event', onEvent);
      connection.onNotification<MonitorLagged>('monitor.lagged', onLagged);
      await connection.request('monitor.subscribe', { since }, timeout);
    },
    status: (ref) =>
      connection.request<AgentStatus>('agent.status', { ref, iterations: 0 }, timeout),
    logs: (ref, lines) => connection.request<AgentLogs>('agent.logs', { ref, lines }, timeout),
    stop: (ref) =>
      connection.request<RunRecord>('agent.stop', { ref }, { timeoutMs: ACTION_TIMEOUT_MS }),
    restart: (ref) =>
      connection.request<RunRecord>('agent.restart', { ref }, { timeoutMs: ACTION_TIMEOUT_MS }),
    answer: (ref, requestId, decision) =>
      connection.request('agent.permission.answer', { ref, requestId, decision }, timeout),
    onClose: (listener) => {
      connection.onClose(listener);
    },
    close: () => connection.close(),
  };
}
