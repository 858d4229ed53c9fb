import type Database from 'better-sqlite3';
import type { EventFilter, MonitorEvent } from '../monitor/monitor-event.js';

/** One event ready to be written: its envelope fields and its whole JSON. */
export interface EventRow {
  id: number;
  /** ms since the Unix epoch. */
  at: number;
  type: string;
  runId: string | null;
  /** The run's name, or null. */
  name: string | null;
  /** The whole {@link MonitorEvent} as JSON (what `monitor.event` carries). */
  json: string;
}

/** What {@link EventStore.prune} removes: rows past the newest `maxRows` ids, and rows older than `before`. */
export interface EventPruneRule {
  /** Keep the events with the newest this many ids. */
  maxRows: number;
  /** Delete events published before this time, ms since the Unix epoch. */
  before?: number | undefined;
}

type Row = { payload: string };

/** One page of stored events, oldest first. */
export interface EventPage {
  events: MonitorEvent[];
  /** Bytes of each event's JSON, as stored (same order as `events`). */
  bytes: number[];
  /**
   * True when matching events were left out by `limit` or the byte budget: after the last one
   * (`after`), or before the first one (`latest`).
   */
  more: boolean;
}

/**
 * The event backlog behind `monitor.subscribe`: the `events` table (migration 4) on the
 * RunStore's database connection. Ids are given by the caller, strictly increasing; SQLite's
 * AUTOINCREMENT sequence remembers the largest ever written, so ids are never reused after
 * pruning or a restart. Methods are synchronous and throw the driver's error
 * (`SQLITE_FULL`…): wrap them in a PersistenceGuard.
 */
export class EventStore {
  readonly #insert: Database.Statement;
  readonly #reads = new Map<string, Database.Statement<Record<string, unknown>, Row>>();

  constructor(private readonly db: Database.Database) {
    this.#insert = db.prepare(
      'INSERT INTO events (id, at, type, run_id, name, payload) VALUES (@id, @at, @type, @runId, @name, @json)',
    );
  }

  /** The largest id ever written (0 when none), pruned rows included. */
  lastId(): number {
    const sequence = this.db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
      .get() as { seq: number } | undefined;
    const max = this.db.prepare('SELECT max(id) AS id FROM events').get() as { id: number | null };
    return Math.max(sequence?.seq ?? 0, max.id ?? 0);
  }

  /** The smallest id still stored, or null when the backlog is empty. */
  oldestId(): number | null {
    return (this.db.prepare('SELECT min(id) AS id FROM events').get() as { id: number | null }).id;
  }

  /** Number of stored events. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /** Writes `rows` in one transaction (all or none). */
  append(rows: readonly EventRow[]): void {
    if (rows.length === 0) {
      return;
    }
    this.db.transaction(() => {
      for (const row of rows) {
        this.#insert.run(row);
      }
    })();
  }

  /**
   * Up to `limit` events after `afterId` that pass `filter`, oldest first, stopping before the
   * event that would take the page's JSON over `maxBytes` (the first event is always included).
   */
  after(afterId: number, limit: number, filter: EventFilter = {}, maxBytes = Infinity): EventPage {
    return readPage(
      this.#read('after', filter),
      { ...bind(filter), after: afterId },
      limit,
      maxBytes,
    );
  }

  /**
   * The newest `limit` events that pass `filter` (fewer when their JSON would go over
   * `maxBytes`: the newest are kept), oldest first.
   */
  latest(limit: number, filter: EventFilter = {}, maxBytes = Infinity): EventPage {
    const page = readPage(
      this.#read('latest', filter),
      { ...bind(filter), after: 0 },
      limit,
      maxBytes,
    );
    page.events.reverse();
    page.bytes.reverse();
    return page;
  }

  /** Deletes what `rule` says. Returns the number of rows deleted. */
  prune(rule: EventPruneRule): number {
    return this.db.transaction(() => {
      let deleted = this.db
        .prepare('DELETE FROM events WHERE id <= ?')
        .run(this.lastId() - rule.maxRows).changes;
      if (rule.before !== undefined) {
        deleted += this.db.prepare('DELETE FROM events WHERE at < ?').run(rule.before).changes;
      }
      return deleted;
    })();
  }

  /** A prepared read for this direction and filter shape (at most 8 statements). */
  #read(direction: 'after' | 'latest', filter: EventFilter) {
    const key = `${direction}:${filter.ref !== undefined}:${filter.types !== undefined}`;
    let statement = this.#reads.get(key);
    if (statement === undefined) {
      const where = ['id > @after'];
      if (filter.ref !== undefined) {
        // A run id, or a name: every run of that name (both indexed with the id).
        where.push('(run_id = @ref OR name = @ref)');
      }
      if (filter.types !== undefined) {
        where.push('type IN (SELECT value FROM json_each(@types))');
      }
      statement = this.db.prepare<Record<string, unknown>, Row>(
        `SELECT payload FROM events WHERE ${where.join(' AND ')}
         ORDER BY id ${direction === 'after' ? 'ASC' : 'DESC'} LIMIT @limit`,
      );
      this.#reads.set(key, statement);
    }
    return statement;
  }
}

function bind(filter: EventFilter): Record<string, unknown> {
  return {
    ...(filter.ref === undefined ? {} : { ref: filter.ref }),
    ...(filter.types === undefined ? {} : { types: JSON.stringify(filter.types) }),
  };
}

/** Reads up to `limit` rows (one more to know whether there is more) within `maxBytes`. */
function readPage(
  statement: Database.Statement<Record<string, unknown>, Row>,
  params: Record<string, unknown>,
  limit: number,
  maxBytes: number,
): EventPage {
  const page: EventPage = { events: [], bytes: [], more: false };
  let total = 0;
  for (const row of statement.iterate({ ...params, limit: limit + 1 })) {
    const bytes = Buffer.byteLength(row.payload);
    if (page.events.length >= limit || (page.events.length > 0 && total + bytes > maxBytes)) {
      page.more = true;
      break;
    }
    total += bytes;
    page.events.push(JSON.parse(row.payload) as MonitorEvent);
    page.bytes.push(bytes);
  }
  return page;
}
