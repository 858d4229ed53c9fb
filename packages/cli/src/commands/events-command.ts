import type { MonitorBacklog, MonitorEvent, MonitorLagged, MonitorSubscription } from '@x/daemon';
import type { RpcConnection } from '@x/ipc';
import { REQUEST_TIMEOUT_MS, connectDaemon, withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatTime } from '../output.js';

/** Options of `x events`. */
export interface EventsOptions {
  home: string;
  /** One JSON object per line (NDJSON). */
  json: boolean;
  follow: boolean;
  /** Events after this id; absent: the newest `lines`. */
  since?: number | undefined;
  /** A run id or name. */
  ref?: string | undefined;
  types?: string[] | undefined;
  /** Backlog events printed when `since` is absent. */
  lines: number;
}

/** Largest page of `monitor.backlog` (its `limit` maximum). */
const PAGE = 1000;
/** Reconnections in a row that bring no event before `--follow` gives up (exit 69). */
const MAX_FRUITLESS_RECONNECTS = 5;

/**
 * `x events`: prints the daemon's events (`#id time name type summary`, or NDJSON with
 * `--json`). Without `--follow` prints the backlog and returns 0. With it, follows live
 * events until SIGINT (returns 0) or the daemon goes away (69, EX_UNAVAILABLE); when the
 * daemon drops it for lagging, it resubscribes from the last id printed and says so on stderr.
 */
export async function eventsCommand(options: EventsOptions): Promise<number> {
  const filter = { ref: options.ref, types: options.types };
  const print = createPrinter(options.json);
  let cursor = options.since;
  await withDaemon(options.home, async (connection) => {
    if (options.since === undefined) {
      const limit = Math.min(options.lines, PAGE);
      const page = await connection.request<MonitorBacklog>(
        'monitor.backlog',
        { ...filter, limit },
        { timeoutMs: REQUEST_TIMEOUT_MS },
      );
      if (page.more && page.events.length < limit && page.events.length > 0) {
        process.stderr.write(
          `x: events: only the newest ${page.events.length} events fit in one answer (768 KiB); page through older ones with --since\n`,
        );
      }
      page.events.forEach(print);
      cursor = page.events.at(-1)?.id ?? page.lastEventId;
      return;
    }
    if (options.follow) {
      return; // the subscription replays from `since`
    }
    for (;;) {
      const page = await connection.request<MonitorBacklog>(
        'monitor.backlog',
        { ...filter, since: cursor, limit: PAGE },
        { timeoutMs: REQUEST_TIMEOUT_MS },
      );
      page.events.forEach(print);
      cursor = page.events.at(-1)?.id ?? cursor;
      // A page ends at PAGE events or 768 KiB of them: `more` says whether another follows.
      if (!page.more || page.events.length === 0) {
        return;
      }
    }
  });
  if (!options.follow) {
    return EXIT_CODES.OK;
  }
  return follow(options.home, filter, cursor ?? 0, print);
}

/** Subscribes from `since`, again after each drop, until SIGINT or the daemon is gone. */
async function follow(
  home: string,
  filter: { ref?: string | undefined; types?: string[] | undefined },
  since: number,
  print: (event: MonitorEvent) => void,
): Promise<number> {
  let cursor = since;
  let interrupted = false;
  let current: RpcConnection | undefined;
  let fruitless = 0;
  const onSignal = () => {
    interrupted = true;
    current?.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (;;) {
      let connection: RpcConnection;
      try {
        connection = await connectDaemon(home);
      } catch (error) {
        if (interrupted) {
          return EXIT_CODES.OK;
        }
        throw error instanceof CliError
          ? new CliError(`x: events: the daemon went away after event #${cursor}`, error.exitCode)
          : error;
      }
      current = connection;
      if (interrupted) {
        connection.close();
        return EXIT_CODES.OK;
      }
      let lagged: MonitorLagged | undefined;
      const closed = new Promise<void>((resolve) => connection.onClose(() => resolve()));
      connection.onNotification<MonitorEvent>('monitor.event', (event) => {
        // A resubscription may overlap what was printed: ids only go up.
        if (event.id > cursor) {
          cursor = event.id;
          print(event);
        }
      });
      connection.onNotification<MonitorLagged>('monitor.lagged', (params) => (lagged = params));
      try {
        await connection.request<MonitorSubscription>('monitor.subscribe', {
          ...filter,
          since: cursor,
        });
      } catch (error) {
        connection.close();
        if (interrupted) {
          return EXIT_CODES.OK;
        }
        throw error;
      }
      const before = cursor;
      await closed;
      if (interrupted) {
        return EXIT_CODES.OK;
      }
      // A daemon that keeps closing the connection without sending anything: give up.
      fruitless = lagged === undefined && cursor === before ? fruitless + 1 : 0;
      if (fruitless > MAX_FRUITLESS_RECONNECTS) {
        throw new CliError(
          `x: events: the daemon closed the connection ${fruitless} times in a row after event #${cursor}`,
          EXIT_CODES.UNAVAILABLE,
        );
      }
      process.stderr.write(
        lagged === undefined
          ? `x: events: the connection to the daemon closed; resubscribing from #${cursor}\n`
          : `x: events: fell behind the daemon (dropped after #${lagged.lastEventId}); resubscribing from #${cursor}\n`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Prints one event: NDJSON, or `#id time name type summary`. */
function createPrinter(json: boolean): (event: MonitorEvent) => void {
  if (json) {
    return (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
  }
  return (event) =>
    process.stdout.write(
      `#${event.id} ${formatTime(event.at)} ${event.name ?? '-'} ${event.type} ${summarize(event)}\n`,
    );
}

/** A one-line summary of an event, by type; unknown types show their own fields as JSON. */
export function summarize(event: MonitorEvent): string {
  switch (event.type) {
    case 'run_state': {
      const { run } = event;
      const parts: string[] = [run.state];
      if (run.attempt > 1) {
        parts.push(`attempt ${run.attempt}`);
      }
      if (run.state === 'backoff') {
        parts.push(`restart at ${formatTime(run.nextRestartAt)}`);
      }
      if (run.state === 'paused') {
        // Why: a budget's explanation or the operator's reason (absent from older daemons).
        parts.push(run.pause?.reason ?? '');
      } else if (run.exit !== null && run.state !== 'starting' && run.state !== 'running') {
        parts.push(`[${run.exit.reason}]`, run.exit.explanation);
      }
      return parts.join(' ').trimEnd();
    }
    case 'iteration_done': {
      const { iteration } = event;
      return `#${iteration.iteration} ${iteration.status} ${iteration.durationMs}ms ${iteration.summary ?? iteration.error ?? ''}`.trimEnd();
    }
    case 'log':
      return `[${event.level}] ${event.message}`;
    case 'notify':
      return truncate(JSON.stringify(event.payload) ?? 'undefined');
    case 'turn_result': {
      const { turn } = event;
      const detail =
        turn.status === 'ok' ? (JSON.stringify(turn.output) ?? '') : (turn.error ?? '');
      return truncate(
        `${turn.turnId} ${turn.status} ${turn.durationMs ?? 0}ms ${detail}`.trimEnd(),
      );
    }
    case 'permission_request': {
      const { request } = event;
      return truncate(
        `${request.requestId} ${request.tool}${request.rationale === null ? '' : `: ${request.rationale}`}`,
      );
    }
    case 'permission_answer': {
      const { request } = event;
      return truncate(
        `${request.requestId} ${request.tool} ${request.decision ?? 'pending'} by ${request.decidedBy ?? '-'}${request.reason === null ? '' : ` (${request.reason})`}`,
      );
    }
    default: {
      // Variants added later (turns, permissions…): their own fields, as JSON.
      const {
        id: _id,
        at: _at,
        type: _type,
        runId: _runId,
        name: _name,
        ...rest
      } = event as unknown as Record<string, unknown>;
      return truncate(JSON.stringify(rest));
    }
  }
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
