import type { RpcConnection } from '@x/ipc';
import type { ControlMethod, ControlParams, ControlResult } from './control-api.js';
import { toControlError } from './errors.js';
import { createEventStream, type EventStream, type EventStreamOptions } from './event-stream.js';
import { openConnection } from './open-connection.js';
import { defaultHome, socketPathOf } from './socket-path.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /**
   * The daemon's state directory (`x --home`); its socket is `<home>/x.sock`.
   * @default `$X_HOME`, else `$XDG_STATE_HOME/x`, else `~/.local/state/x` (as `x` decides)
   */
  home?: string | undefined;
  /** The control socket itself; wins over `home`. */
  socketPath?: string | undefined;
  /** Give up connecting after this many ms. @default 3000 */
  timeoutMs?: number | undefined;
}

/** Options of one call. */
export interface CallOptions {
  /** Reject with RequestTimeoutError (-32098) after this many ms. @default no timeout */
  timeoutMs?: number | undefined;
  /** Reject with RequestCancelledError (-32097) when aborted (the daemon still completes it). */
  signal?: AbortSignal | undefined;
}

/** A method taking params: optional when every field of them is. */
type Method<M extends ControlMethod> =
  ControlParams<M> extends undefined
    ? (options?: CallOptions) => Promise<ControlResult<M>>
    : object extends ControlParams<M>
      ? (params?: ControlParams<M>, options?: CallOptions) => Promise<ControlResult<M>>
      : (params: ControlParams<M>, options?: CallOptions) => Promise<ControlResult<M>>;

/** An answer to a permission request, without its decision (see `approve`, `deny`). */
export type PermissionAnswer = Omit<ControlParams<'agent.permission.answer'>, 'decision'>;

/** `system.*`: the daemon itself. */
export interface SystemMethods {
  /** `system.ping`: `{ pong, pid, protocolVersion }`. */
  ping: Method<'system.ping'>;
  /** `system.info`: pid, version, home, uptime, persistence health, hook counters… */
  info: Method<'system.info'>;
  /** `system.shutdown {wait?}`: stops every run, then the daemon (with `wait`, answers after). */
  shutdown: Method<'system.shutdown'>;
}

/** `agent.*`: runs of agents and services (a service is an `agent.start` with `kind: 'service'`). */
export interface AgentMethods {
  /** `agent.start`: resolves once the run is ready; StartFailedError when it ended before. */
  start: Method<'agent.start'>;
  /** `agent.stop {ref, stopBudget?}`: resolves once the run has exited. */
  stop: Method<'agent.stop'>;
  /** `agent.list {all?, cursor?, limit?}`: newest first, pages of at most 500 runs. */
  list: Method<'agent.list'>;
  /** `agent.status {ref, iterations?}`: the run, its recent iterations, turns, usage… */
  status: Method<'agent.status'>;
  /** `agent.logs {ref, lines?, since?}`: the newest lines of the run's log. */
  logs: Method<'agent.logs'>;
  /** `agent.send {ref, input?, wait?, timeoutMs?}`: submits a turn. */
  send: Method<'agent.send'>;
  /** `agent.turns {ref, turnId?, limit?}`: recent turns, or one whole. */
  turns: Method<'agent.turns'>;
  turn: {
    /** `agent.turn.cancel {ref, turnId, reason?}`. */
    cancel: Method<'agent.turn.cancel'>;
  };
  permission: {
    /** `agent.permission.answer {ref, requestId, decision, reason?}`. */
    answer: Method<'agent.permission.answer'>;
  };
  /** `agent.permission.answer` with `decision: 'granted'`. */
  approve(
    answer: PermissionAnswer,
    options?: CallOptions,
  ): Promise<ControlResult<'agent.permission.answer'>>;
  /** `agent.permission.answer` with `decision: 'denied'`. */
  deny(
    answer: PermissionAnswer,
    options?: CallOptions,
  ): Promise<ControlResult<'agent.permission.answer'>>;
  /** `agent.pause {ref, reason?}`. */
  pause: Method<'agent.pause'>;
  /** `agent.resume {ref, …budget change}`. */
  resume: Method<'agent.resume'>;
  /** `agent.budget {ref, …budget change, onBudget?}`: changes a run's budget while it runs. */
  budget: Method<'agent.budget'>;
  /** `agent.checkpoints {ref, seq?}`: stored checkpoints (newest first), or one with its state. */
  checkpoints: Method<'agent.checkpoints'>;
  /** `agent.restart {ref, stopBudget?}`: stop, then a new attempt with the same settings. */
  restart: Method<'agent.restart'>;
  /** `agent.remove {ref}`: forgets a finished run and its logs; RunActiveError for an active one. */
  remove: Method<'agent.remove'>;
}

/** `monitor.*` besides the subscription (which {@link XClient.events} holds). */
export interface MonitorMethods {
  /** `monitor.backlog {since?, limit?, ref?, types?}`: a page of stored events. */
  backlog: Method<'monitor.backlog'>;
  /** `monitor.stats`: subscribers, backlog size, events dropped. */
  stats: Method<'monitor.stats'>;
}

/** Methods that take no params: their first argument is the call's options. */
const NO_PARAMS = new Set<ControlMethod>(['system.ping', 'system.info', 'monitor.stats']);

/**
 * A connection to an x daemon's control socket (see {@link connect}). One method per control
 * method, grouped as on the wire (`client.agent.turn.cancel` is `agent.turn.cancel`); every
 * rejection is a ControlError subclass carrying the JSON-RPC `code` and `data`. Calls may run
 * concurrently on one client. Close it when done: an open client keeps the process alive.
 */
export class XClient {
  readonly system: SystemMethods;
  readonly agent: AgentMethods;
  readonly monitor: MonitorMethods;
  readonly #connection: RpcConnection;
  readonly #timeoutMs: number;
  readonly #streams = new Set<EventStream>();

  /** Use {@link connect}. */
  constructor(
    connection: RpcConnection,
    /** The control socket this client is connected to. */
    readonly socketPath: string,
    timeoutMs: number,
  ) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
    const bind = <M extends ControlMethod>(method: M): Method<M> =>
      (NO_PARAMS.has(method)
        ? (options?: CallOptions) => this.call(method, undefined, options)
        : (params?: ControlParams<M>, options?: CallOptions) =>
            this.call(method, params ?? {}, options)) as Method<M>;
    const answer = bind('agent.permission.answer');
    this.system = {
      ping: bind('system.ping'),
      info: bind('system.info'),
      shutdown: bind('system.shutdown'),
    };
    this.agent = {
      start: bind('agent.start'),
      stop: bind('agent.stop'),
      list: bind('agent.list'),
      status: bind('agent.status'),
      logs: bind('agent.logs'),
      send: bind('agent.send'),
      turns: bind('agent.turns'),
      turn: { cancel: bind('agent.turn.cancel') },
      permission: { answer },
      approve: (params, options) => answer({ ...params, decision: 'granted' }, options),
      deny: (params, options) => answer({ ...params, decision: 'denied' }, options),
      pause: bind('agent.pause'),
      resume: bind('agent.resume'),
      budget: bind('agent.budget'),
      checkpoints: bind('agent.checkpoints'),
      restart: bind('agent.restart'),
      remove: bind('agent.remove'),
    };
    this.monitor = { backlog: bind('monitor.backlog'), stats: bind('monitor.stats') };
  }

  /**
   * Calls `method` with `params`: what every method of the client does.
   * @throws ControlError (a subclass by code) as a rejection.
   */
  async call<M extends ControlMethod>(
    method: M,
    params: ControlParams<M>,
    options: CallOptions = {},
  ): Promise<ControlResult<M>> {
    try {
      return await this.#connection.request<ControlResult<M>>(method, params, {
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      throw toControlError(error, method);
    }
  }

  /**
   * The daemon's events (run states, iterations, logs, turns, permission requests…), oldest
   * first, as an async iterator on a connection of its own: `for await (const event of
   * client.events({ types: ['run_state'] }))`. After a drop (the daemon restarted, or dropped
   * a subscriber that fell behind) it reconnects and resubscribes from the last event id it
   * received, so no event is skipped or repeated. Ends when `close()` is called on it or on
   * the client, or when the loop breaks.
   */
  events(options: EventStreamOptions = {}): EventStream {
    const stream = createEventStream(this.socketPath, this.#timeoutMs, options, () =>
      this.#streams.delete(stream),
    );
    this.#streams.add(stream);
    return stream;
  }

  /** True once closed (by `close()`, or because the daemon went away). */
  get closed(): boolean {
    return this.#connection.closed;
  }

  /** Calls `listener` once when the connection closes; returns a disposer. */
  onClose(listener: () => void): () => void {
    const disposable = this.#connection.onClose(listener);
    return () => disposable.dispose();
  }

  /** Closes the connection and every event stream of this client; calls in flight reject. */
  close(): void {
    for (const stream of this.#streams) {
      stream.close();
    }
    this.#connection.close();
  }
}

/**
 * Connects to the x daemon serving `home` (or listening on `socketPath`).
 * @throws DaemonUnavailableError (as a rejection) when no daemon answers there: its `errno`
 *   says why (`ENOENT`, `ECONNREFUSED`, `EACCES`, `ETIMEDOUT`…).
 */
export async function connect(options: ConnectOptions = {}): Promise<XClient> {
  const socketPath = options.socketPath ?? socketPathOf(options.home ?? defaultHome());
  const timeoutMs = options.timeoutMs ?? 3000;
  return new XClient(await openConnection(socketPath, timeoutMs), socketPath, timeoutMs);
}
