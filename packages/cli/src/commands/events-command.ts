import { DaemonUnavailableError, type XClient } from '@x/client';
import type { MonitorEvent } from '@x/daemon';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
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

/**
 * `x events`: prints the daemon's events (`#id time name type summary`, or NDJSON with
 * `--json`). Without `--follow` prints the backlog and returns 0. With it, follows live
 * events until SIGINT (returns 0) or the daemon goes away (69, EX_UNAVAILABLE); when the
 * daemon drops it for lagging, it resubscribes from the last id printed and says so on stderr.
 */
export async function eventsCommand(options: EventsOptions): Promise<number> {
  const filter = { ref: options.ref, types: options.types };
  const print = createPrinter(options.json);
  const timeout = { timeoutMs: REQUEST_TIMEOUT_MS };
  let cursor = options.since;
  return withDaemon(options.home, async (client) => {
    if (options.since === undefined) {
      const limit = Math.min(options.lines, PAGE);
      const page = await client.monitor.backlog({ ...filter, limit }, timeout);
      if (page.more && page.events.length < limit && page.events.length > 0) {
        process.stderr.write(
          `x: events: only the newest ${page.events.length} events fit in one answer (768 KiB); page through older ones with --since\n`,
        );
      }
      page.events.forEach(print);
      cursor = page.events.at(-1)?.id ?? page.lastEventId;
    } else if (!options.follow) {
      for (;;) {
        const page = await client.monitor.backlog(
          { ...filter, since: cursor, limit: PAGE },
          timeout,
        );
        page.events.forEach(print);
        cursor = page.events.at(-1)?.id ?? cursor;
        // A page ends at PAGE events or 768 KiB of them: `more` says whether another follows.
        if (!page.more || page.events.length === 0) {
          break;
        }
      }
    }
    if (!options.follow) {
      return EXIT_CODES.OK;
    }
    // The subscription replays from `since` (given, or the last backlog event printed).
    return follow(client, filter, cursor ?? 0, print);
  });
}

/**
 * Follows the events after `since` until SIGINT (0) or the daemon is gone (69): the client's
 * event stream resubscribes after each drop (once, at once: a daemon that is gone is reported).
 */
async function follow(
  client: XClient,
  filter: { ref?: string | undefined; types?: string[] | undefined },
  since: number,
  print: (event: MonitorEvent) => void,
): Promise<number> {
  let interrupted = false;
  const stream = client.events({
    since,
    runs: filter.ref === undefined ? undefined : [filter.ref],
    types: filter.types,
    reconnectForMs: 0,
    onResubscribe: (info) =>
      process.stderr.write(
        info.reason === 'closed'
          ? `x: events: the connection to the daemon closed; resubscribing from #${info.since}\n`
          : `x: events: fell behind the daemon (dropped after #${info.droppedAfter ?? info.since}); resubscribing from #${info.since}\n`,
      ),
  });
  const onSignal = () => {
    interrupted = true;
    stream.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for await (const event of stream) {
      print(event);
    }
    return EXIT_CODES.OK;
  } catch (error) {
    if (interrupted) {
      return EXIT_CODES.OK;
    }
    if (error instanceof DaemonUnavailableError) {
      // No socket or no listener: gone; else it kept closing the connection (its cause says).
      throw new CliError(
        error.errno === undefined
          ? `x: events: ${(error.cause as Error).message}`
          : `x: events: the daemon went away after event #${stream.lastEventId}`,
        EXIT_CODES.UNAVAILABLE,
      );
    }
    throw error;
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
