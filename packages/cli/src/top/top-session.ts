import type { MonitorEvent } from '@x/daemon';
import { connectTopClient, type TopClient } from './top-client.js';
import { applyEvent, applyList, applyPending, createTopState, type TopState } from './top-state.js';

/** Events replayed from the backlog on start, for recent lines and rates: 500. */
export const REPLAY_EVENTS = 500;
/**
 * How often `agent.list` is asked again, ms: 2000. Only for the CPU/memory samples (the
 * daemon takes one a second) and spend; states, iterations and requests come as events.
 */
export const LIST_REFRESH_MS = 2000;
/** Log lines shown for the selected run: 50 (asked again only after it logged). */
export const LOG_LINES = 50;
/** The view is redrawn at least this often, ms (uptimes move on): 1000. */
const TICK_MS = 1000;
/** Wait between two tries to reconnect to a daemon that went away, ms: 2000. */
const RECONNECT_MS = 2000;

/** Where the view stands with the daemon. */
export type TopLink = 'connecting' | 'live' | 'disconnected';

/**
 * What `x top` keeps up to date: the runs (from one `agent.list`, then the event stream, and
 * a list every LIST_REFRESH_MS for the samples), the selected run's log, a one-line message,
 * and the actions on runs. Listeners are told after each change.
 */
export class TopSession {
  readonly state: TopState;
  link: TopLink = 'connecting';
  /** Goes up by one with every change (and every second: uptimes move on). */
  version = 0;
  /** The last action's outcome or the last error, for the status line. */
  message: string | null = null;
  /** The selected run's newest log lines, oldest first. */
  logs: { runId: string; lines: string[] } | null = null;
  #client: TopClient | undefined;
  #selected: string | null = null;
  #logsStale = false;
  #refreshing = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly home: string,
    private readonly now: () => number = Date.now,
  ) {
    this.state = createTopState(now());
  }

  /** Registers `listener` for every change; returns its disposer. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Connects, replays the newest REPLAY_EVENTS events, lists the runs and their pending
   * requests, then follows the events.
   * @throws CliError (exit 69) when no daemon answers (only on this first connection; later
   *   losses are retried every 2 s and shown).
   */
  async start(): Promise<void> {
    await this.#connect();
    let ticks = 0;
    this.#timer = setInterval(() => {
      ticks += 1;
      if (ticks % (LIST_REFRESH_MS / TICK_MS) === 0) {
        void this.#refresh();
      } else {
        this.#changed(); // uptimes move on
      }
    }, TICK_MS);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#client?.close();
  }

  /** Makes `runId` the run whose log is shown (null: none), and reads its log. */
  select(runId: string | null): void {
    if (runId === this.#selected) {
      return;
    }
    this.#selected = runId;
    this.logs = null;
    this.#logsStale = runId !== null;
    void this.#readLogs();
  }

  stop(runId: string): Promise<void> {
    return this.#act(runId, 'stopping', async (client, name) => {
      const run = await client.stop(runId);
      return `${name}: ${run.state}${run.exit === null ? '' : ` (${run.exit.reason})`}`;
    });
  }

  restart(runId: string): Promise<void> {
    return this.#act(runId, 'restarting', async (client, name) => {
      const run = await client.restart(runId);
      return `${name}: attempt ${run.attempt} ${run.state}`;
    });
  }

  /** Answers the oldest pending permission request of `runId`. */
  answer(runId: string, requestId: string, decision: 'granted' | 'denied'): Promise<void> {
    return this.#act(runId, decision === 'granted' ? 'approving' : 'denying', async (client) => {
      await client.answer(runId, requestId, decision);
      return `${requestId} ${decision}`;
    });
  }

  async #act(
    runId: string,
    doing: string,
    action: (client: TopClient, name: string) => Promise<string>,
  ): Promise<void> {
    const name = this.state.runs.get(runId)?.run.name ?? runId;
    const client = this.#client;
    if (client === undefined || this.link !== 'live') {
      this.say(`not connected to the daemon: ${name} not ${doing.replace(/ing$/, 'ed')}`);
      return;
    }
    this.say(`${doing} ${name}…`);
    try {
      this.say(await action(client, name));
    } catch (error) {
      this.say(`${name}: ${(error as Error).message}`);
    }
  }

  /** Shows `message` on the status line. */
  say(message: string): void {
    this.message = message;
    this.#changed();
  }

  #changed(): void {
    this.version += 1;
    for (const listener of this.#listeners) {
      listener();
    }
  }

  async #connect(): Promise<void> {
    const client = await connectTopClient(this.home);
    if (this.#closed) {
      client.close();
      return;
    }
    this.#client = client;
    client.onClose(() => this.#lost(client));
    try {
      await this.#follow(client);
    } catch (error) {
      this.#client = undefined; // before close: no reconnect loop of its own
      client.close();
      throw error;
    }
    this.link = 'live';
    this.#changed();
  }

  /** Subscribes, lists the runs and reads the pending requests of the active ones. */
  async #follow(client: TopClient): Promise<void> {
    const resume = this.state.lastEventId > 0;
    const since = resume
      ? this.state.lastEventId
      : Math.max(0, (await client.lastEventId()) - REPLAY_EVENTS);
    let firstAt: number | undefined;
    await client.subscribe(
      since,
      (event: MonitorEvent) => {
        firstAt ??= event.at;
        applyEvent(this.state, event);
        if (event.runId !== null && event.runId === this.#selected && event.type !== 'notify') {
          this.#logsStale = true;
        }
        this.#changed();
      },
      (lagged) => this.say(`fell behind the daemon after event #${lagged.lastEventId}`),
    );
    // Messages on one connection arrive in the order they were written: the list is newer
    // than every event received before its answer (see applyList).
    applyList(this.state, await client.list());
    if (!resume) {
      this.state.watchedSince = since === 0 ? 0 : (firstAt ?? this.now());
    }
    const active = [...this.state.runs.values()].filter(
      (known) => known.run.state !== 'exited' && known.run.state !== 'failed',
    );
    const statuses = await Promise.allSettled(
      active.map((known) => client.status(known.run.runId)),
    );
    statuses.forEach((status, index) => {
      if (status.status === 'fulfilled') {
        applyPending(this.state, active[index].run.runId, status.value.pendingPermissions);
      }
    });
  }

  #lost(client: TopClient): void {
    if (this.#closed || client !== this.#client) {
      return;
    }
    this.#client = undefined;
    this.link = 'disconnected';
    this.say(`the daemon went away after event #${this.state.lastEventId}; reconnecting…`);
    const retry = () => {
      if (this.#closed) {
        return;
      }
      this.#connect().then(
        () => this.say('reconnected to the daemon'),
        () => setTimeout(retry, RECONNECT_MS),
      );
    };
    setTimeout(retry, RECONNECT_MS);
  }

  async #refresh(): Promise<void> {
    const client = this.#client;
    if (client === undefined || this.#refreshing || this.link !== 'live') {
      this.#changed();
      return;
    }
    this.#refreshing = true;
    try {
      applyList(this.state, await client.list());
      await this.#readLogs();
    } catch {
      // A closed connection is reported by #lost; a slow daemon is asked again next tick.
    } finally {
      this.#refreshing = false;
      this.#changed();
    }
  }

  async #readLogs(): Promise<void> {
    const runId = this.#selected;
    const client = this.#client;
    if (runId === null || client === undefined || !this.#logsStale) {
      return;
    }
    this.#logsStale = false;
    try {
      const logs = await client.logs(runId, LOG_LINES);
      if (runId === this.#selected) {
        this.logs = { runId, lines: logs.lines };
        this.#changed();
      }
    } catch (error) {
      if (runId === this.#selected) {
        this.logs = { runId, lines: [`(no log: ${(error as Error).message})`] };
      }
    }
  }
}
