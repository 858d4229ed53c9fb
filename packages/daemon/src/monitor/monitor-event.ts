import type { SupervisorEvent } from '../supervisor/supervisor-events.js';

/** What every monitor event carries besides its own fields. */
export interface EventEnvelope {
  /** Monotonically increasing, never reused (SQLite AUTOINCREMENT), from 1. */
  id: number;
  /** When the daemon published it, ms since the Unix epoch. */
  at: number;
  type: string;
  /** The run it is about, or null for a daemon-wide event. */
  runId: string | null;
  /** That run's name, or null. */
  name: string | null;
  /**
   * Set when fields were left out to make the event storable and sendable (its JSON could not
   * be produced, or was over EVENT_MAX_BYTES): what happened, with the size and the limit.
   */
  payloadError?: string;
  /** With `payloadError`: the paths left out (`payload`, `turn.output`…). */
  omitted?: string[];
}

/**
 * One event of `monitor.subscribe` (the params of a `monitor.event` notification) and one
 * row of the backlog: a {@link SupervisorEvent} as published, with the envelope. A
 * `run_state` event carries the whole run record in `run` (state, attempt, `exit` with its
 * reason, `nextRestartAt` while in backoff).
 */
export type MonitorEvent = SupervisorEvent & EventEnvelope;

/** Which events a subscriber wants; an absent field matches everything. */
export interface EventFilter {
  /** A run id, or a run name (every run of that name). */
  ref?: string | undefined;
  /** Event types (`run_state`, `log`, …); any of them matches. */
  types?: readonly string[] | undefined;
}

/**
 * Wraps a supervisor event in the envelope. The run is taken from the event's `runId` and
 * `name`, else from its `run` record, so variants added later need no change here.
 */
export function toMonitorEvent(id: number, at: number, event: SupervisorEvent): MonitorEvent {
  const fields = event as unknown as Record<string, unknown>;
  const run = fields.run as { runId?: unknown; name?: unknown } | undefined;
  const runId = fields.runId ?? run?.runId;
  const name = fields.name ?? run?.name;
  const envelope = {
    id,
    at,
    runId: typeof runId === 'string' ? runId : null,
    name: typeof name === 'string' ? name : null,
  };
  // Envelope keys first (readable NDJSON), and again last: an event's own `id` or `at`
  // field cannot shadow them.
  const head = { id, at, type: event.type, runId: envelope.runId, name: envelope.name };
  return { ...head, ...event, ...envelope } as MonitorEvent;
}

/** True when `event` passes `filter`. */
export function matchesFilter(event: EventEnvelope, filter: EventFilter): boolean {
  if (filter.types !== undefined && !filter.types.includes(event.type)) {
    return false;
  }
  if (filter.ref !== undefined && event.runId !== filter.ref && event.name !== filter.ref) {
    return false;
  }
  return true;
}
