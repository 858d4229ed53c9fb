import type Database from 'better-sqlite3';
import { DurableCommit } from './durable-commit.js';

/**
 * A checkpoint of a thread kept in a run's record store in the thread layout (protocol
 * reference, "Thread records"), as `x agent checkpoints` lists it. `@x/langgraph`'s saver
 * writes this layout; the daemon reads keys and a few plain fields only, never the
 * framework's own encoding.
 */
export interface ThreadCheckpointMeta {
  /** The record-store namespace holding the thread (`langgraph` for `@x/langgraph`). */
  store: string;
  threadId: string;
  /** The checkpoint namespace within the thread: `''` for a graph's root, else a subgraph's. */
  checkpointNs: string;
  /** The checkpoint's id (uuid6 for LangGraph: time-ordered). */
  checkpointId: string;
  /** Its parent's id (the checkpoint before it in the thread), or null. */
  parentId: string | null;
  /** The super-step it was taken after (`-1`: the input), or null when the record says none. */
  step: number | null;
  /** What made it (`input`, `loop`, `update`, `fork` for LangGraph), or null. */
  source: string | null;
  /** When it was taken, ms since the Unix epoch (its record's `ts`), or null. */
  savedAt: number | null;
  /**
   * Its size as the record store counts it (UTF-8 bytes of namespace, key and value): its
   * record, the channel values it reads and its pending writes.
   */
  bytes: number;
}

/** One page of a run's thread checkpoints (see {@link ThreadRecords.list}). */
export interface ThreadCheckpointPage {
  checkpoints: ThreadCheckpointMeta[];
  /** Present when more follow: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

/** What {@link ThreadRecords.copy} copied. */
export interface ThreadCopy {
  /** The thread id in the target run (the target run id when the thread was the source run's). */
  threadId: string;
  /** Records copied (checkpoints, channel values, pending writes). */
  records: number;
  /** Their size in the target run, bytes (as the record store counts it). */
  bytes: number;
}

/** Thread checkpoints in one `list` page at most: 500. */
export const THREAD_PAGE_MAX = 500;

/** Checkpoint keys are `c/…`: every key in `['c/', 'c0')` (`0` follows `/` in ASCII). */
const CHECKPOINT_KEYS_FROM = 'c/';
const CHECKPOINT_KEYS_TO = 'c0';
/** Rows read per statement while filling a page (keys that are not checkpoints are skipped). */
const SCAN_CHUNK = 256;

/** A checkpoint record's columns and plain fields (see the class). */
const FIELDS = `key, bytes, json_extract(value, '$.parent') AS parent, json_extract(value, '$.ts') AS ts,
  json_extract(value, '$.step') AS step, json_extract(value, '$.source') AS source,
  CASE json_type(value, '$.versions') WHEN 'object' THEN json_extract(value, '$.versions') END AS versions`;

type CheckpointRow = {
  key: string;
  bytes: number;
  parent: unknown;
  ts: unknown;
  step: unknown;
  source: unknown;
  versions: string | null;
};

/** A checkpoint key split into its raw (still encoded) parts. */
interface KeyParts {
  thread: string;
  ns: string;
  id: string;
}

/**
 * Reads and copies the threads runs keep in their record store (`agent_records`) in the thread
 * layout, on the RunStore's connection:
 *
 * - `c/<thread>/<ns>/<checkpoint id>`: a checkpoint; its value a JSON object whose plain
 *   fields `parent`, `ts`, `step`, `source` and `versions` (`{ channel: version }`) the daemon
 *   reads when present;
 * - `b/<thread>/<ns>/<channel>/<version>`: a channel's value at a version;
 * - `w/<thread>/<ns>/<checkpoint id>/<task>/<idx>`: a pending write of a checkpoint;
 *
 * each part `encodeURIComponent`-encoded, in any record namespace. Keys are compared as
 * stored (encoded), so no part is ever decoded to match; decoded only to show.
 *
 * Synchronous; throws the driver's error.
 */
export class ThreadRecords {
  readonly #durable: DurableCommit;
  readonly #sql: {
    prevNs: Database.Statement<[string, string], string | null>;
    checkpoints: Database.Statement;
    checkpoint: Database.Statement<[string, string, string], CheckpointRow>;
    bytes: Database.Statement<[string, string, string], number>;
    rangeBytes: Database.Statement;
    rangeKeys: Database.Statement;
    copyOne: Database.Statement;
  };

  constructor(db: Database.Database) {
    this.#durable = new DurableCommit(db, 'ThreadRecords');
    const range = 'run_id = @runId AND ns = @ns AND key >= @from AND key < @to';
    this.#sql = {
      prevNs: db
        .prepare<[string, string], string | null>(
          'SELECT max(ns) FROM agent_records WHERE run_id = ? AND ns < ?',
        )
        .pluck(),
      // The plain fields only: json_extract reads them without handing over the rest.
      checkpoints: db.prepare(
        `SELECT ${FIELDS} FROM agent_records WHERE ${range} ORDER BY key DESC LIMIT @limit`,
      ),
      checkpoint: db.prepare<[string, string, string], CheckpointRow>(
        `SELECT ${FIELDS} FROM agent_records WHERE run_id = ? AND ns = ? AND key = ?`,
      ),
      bytes: db
        .prepare<[string, string, string], number>(
          'SELECT bytes FROM agent_records WHERE run_id = ? AND ns = ? AND key = ?',
        )
        .pluck(),
      rangeBytes: db.prepare(`SELECT coalesce(sum(bytes), 0) FROM agent_records WHERE ${range}`),
      rangeKeys: db.prepare(`SELECT key, bytes FROM agent_records WHERE ${range} ORDER BY key`),
      copyOne: db.prepare(
        `INSERT INTO agent_records (run_id, ns, key, bytes, value)
         SELECT @targetRunId, ns, @newKey, @bytes, value FROM agent_records
         WHERE run_id = @runId AND ns = @ns AND key = @key`,
      ),
    };
    this.#sql.rangeBytes.pluck();
  }

  /**
   * The run's thread checkpoints, one page of at most `limit` (1 to {@link THREAD_PAGE_MAX}):
   * by record namespace, then key, descending (a thread's newest checkpoint first).
   * @throws RangeError for a `cursor` this method did not return (see {@link parseCursor}).
   */
  list(
    runId: string,
    options: { limit: number; cursor?: string | undefined },
  ): ThreadCheckpointPage {
    const limit = Math.max(1, Math.min(options.limit, THREAD_PAGE_MAX));
    const start = options.cursor === undefined ? undefined : parseCursor(options.cursor);
    const found: { meta: ThreadCheckpointMeta; key: string }[] = [];
    let ns: string | null = start?.ns ?? this.#prevNs(runId, TOP);
    let before = start?.key ?? CHECKPOINT_KEYS_TO;
    while (ns !== null) {
      for (;;) {
        const rows = this.#sql.checkpoints.all({
          runId,
          ns,
          from: CHECKPOINT_KEYS_FROM,
          to: before,
          limit: SCAN_CHUNK,
        }) as CheckpointRow[];
        for (const row of rows) {
          const parts = splitCheckpointKey(row.key);
          if (parts === undefined) {
            continue;
          }
          if (found.length === limit) {
            const last = found[found.length - 1];
            return {
              checkpoints: found.map((entry) => entry.meta),
              nextCursor: cursorOf(last.meta.store, last.key),
            };
          }
          found.push({ meta: this.#meta(runId, ns, parts, row), key: row.key });
        }
        if (rows.length < SCAN_CHUNK) {
          break;
        }
        before = rows[rows.length - 1].key;
      }
      ns = this.#prevNs(runId, ns);
      before = CHECKPOINT_KEYS_TO;
    }
    return { checkpoints: found.map((entry) => entry.meta) };
  }

  /**
   * Every checkpoint of the run with this id (in any namespace and thread): usually one.
   * Scans the run's checkpoint keys (not their values).
   */
  find(runId: string, checkpointId: string): ThreadCheckpointMeta[] {
    const suffix = `/${encodeURIComponent(checkpointId)}`;
    const matches: ThreadCheckpointMeta[] = [];
    for (let ns = this.#prevNs(runId, TOP); ns !== null; ns = this.#prevNs(runId, ns)) {
      const keys = this.#sql.rangeKeys.all({
        runId,
        ns,
        from: CHECKPOINT_KEYS_FROM,
        to: CHECKPOINT_KEYS_TO,
      }) as { key: string }[];
      for (const { key } of keys) {
        const parts = key.endsWith(suffix) ? splitCheckpointKey(key) : undefined;
        if (parts === undefined) {
          continue;
        }
        const row = this.#sql.checkpoint.get(runId, ns, key);
        if (row !== undefined) {
          matches.push(this.#meta(runId, ns, parts, row));
        }
      }
    }
    return matches;
  }

  /**
   * Copies a thread of `sourceRunId`, up to and including checkpoint `checkpoint`, to
   * `targetRunId`, durably (one transaction committed with `synchronous = FULL`, as
   * RecordStore's): every checkpoint of the thread (in every checkpoint namespace) whose id is
   * not after it, and the channel values they read (from `versions`; a namespace with a
   * checkpoint that lists none gets all its channel values). Pending writes: those of the
   * checkpoints before it; its own only when it is the newest of its namespace. A checkpoint's
   * pending writes are the results of the tasks of the step after it: for the newest, the
   * progress of a step that never completed (kept, as a restart of the source run would keep
   * it); for an older one, the step a later checkpoint already holds (left out, so that the
   * step runs again, as LangGraph's own time travel re-executes the steps after a
   * checkpoint). A thread
   * named after the source run (the default thread of `@x/langgraph`) is renamed after the
   * target run; any other keeps its name. `before` runs first in the same transaction (the
   * target's insert, so that a fork is stored whole or not at all).
   * Memory: the thread's keys (not values: SQLite copies those) are read at once, bounded by
   * the run's record cap (64 MiB of records by default).
   * @throws RangeError when the copy would take more than `maxBytes` (nothing is written);
   *   the driver's error (nothing is written).
   */
  copy(
    sourceRunId: string,
    checkpoint: ThreadCheckpointMeta,
    targetRunId: string,
    options: { maxBytes: number; before?: () => void },
  ): ThreadCopy {
    const { store } = checkpoint;
    const thread = encodeURIComponent(checkpoint.threadId);
    const id = encodeURIComponent(checkpoint.checkpointId);
    const threadId = checkpoint.threadId === sourceRunId ? targetRunId : checkpoint.threadId;
    const newThread = encodeURIComponent(threadId);
    const keys = this.#threadKeys(
      sourceRunId,
      store,
      thread,
      encodeURIComponent(checkpoint.checkpointNs),
      id,
    );
    const rekey = (key: string) => `${key[0]}/${newThread}${key.slice(2 + thread.length)}`;
    const moves = keys.map(({ key, bytes }) => {
      const newKey = rekey(key);
      return { key, newKey, bytes: bytes - Buffer.byteLength(key) + Buffer.byteLength(newKey) };
    });
    const total = moves.reduce((sum, move) => sum + move.bytes, 0);
    if (total > options.maxBytes) {
      throw new RangeError(
        `x: the thread ${JSON.stringify(checkpoint.threadId)} up to checkpoint ${checkpoint.checkpointId} takes ${total} bytes, over a run's cap of ${options.maxBytes} bytes (storeMaxBytes); start the daemon with a larger cap to fork it`,
      );
    }
    this.#durable.run(() => {
      options.before?.();
      for (const move of moves) {
        this.#sql.copyOne.run({ targetRunId, runId: sourceRunId, ns: store, ...move });
      }
    });
    return { threadId, records: moves.length, bytes: total };
  }

  /**
   * The keys (and sizes) of a thread's records up to checkpoint `id` of checkpoint namespace
   * `checkpointNs` (encoded parts), in record namespace `ns`.
   */
  #threadKeys(
    runId: string,
    ns: string,
    thread: string,
    checkpointNs: string,
    id: string,
  ): { key: string; bytes: number }[] {
    const under = (prefix: string) =>
      this.#sql.rangeKeys.all({ runId, ns, from: prefix, to: successorOfSlash(prefix) }) as {
        key: string;
        bytes: number;
      }[];
    const picked: { key: string; bytes: number }[] = [];
    /** Checkpoints copied, by `<ns>/<id>`; namespaces whose values are all copied. */
    const copied = new Set<string>();
    const wholeNs = new Set<string>();
    const blobs = new Set<string>();
    let head = true;
    for (const row of under(`c/${thread}/`)) {
      const parts = splitCheckpointKey(row.key);
      if (parts === undefined) {
        continue;
      }
      if (parts.id > id) {
        head &&= parts.ns !== checkpointNs;
        continue;
      }
      picked.push(row);
      copied.add(`${parts.ns}/${parts.id}`);
      const versions = parseVersions(
        this.#sql.checkpoint.get(runId, ns, row.key)?.versions ?? null,
      );
      if (versions === undefined) {
        wholeNs.add(parts.ns);
        continue;
      }
      for (const [channel, version] of versions) {
        blobs.add(
          `b/${thread}/${parts.ns}/${encodeURIComponent(channel)}/${encodeURIComponent(version)}`,
        );
      }
    }
    for (const row of under(`w/${thread}/`)) {
      const [, , wns, wid] = row.key.split('/');
      // The checkpoint's own pending writes only when it is its namespace's newest (see copy).
      if (copied.has(`${wns}/${wid}`) && (head || wns !== checkpointNs || wid !== id)) {
        picked.push(row);
      }
    }
    for (const row of under(`b/${thread}/`)) {
      const bns = row.key.split('/')[2];
      if (wholeNs.has(bns) || blobs.has(row.key)) {
        picked.push(row);
      }
    }
    return picked;
  }

  /** The record namespace of the run just below `ns`, or null: namespaces in descending order. */
  #prevNs(runId: string, ns: string): string | null {
    return this.#sql.prevNs.get(runId, ns) ?? null;
  }

  #meta(runId: string, ns: string, parts: KeyParts, row: CheckpointRow): ThreadCheckpointMeta {
    const prefix = `${parts.thread}/${parts.ns}`;
    let bytes = row.bytes;
    for (const [channel, version] of parseVersions(row.versions) ?? []) {
      const key = `b/${prefix}/${encodeURIComponent(channel)}/${encodeURIComponent(version)}`;
      bytes += this.#sql.bytes.get(runId, ns, key) ?? 0;
    }
    const writes = `w/${prefix}/${parts.id}/`;
    bytes += this.#sql.rangeBytes.get({
      runId,
      ns,
      from: writes,
      to: successorOfSlash(writes),
    }) as number;
    const time = typeof row.ts === 'string' ? Date.parse(row.ts) : Number.NaN;
    return {
      store: ns,
      threadId: decode(parts.thread),
      checkpointNs: decode(parts.ns),
      checkpointId: decode(parts.id),
      parentId: typeof row.parent === 'string' ? row.parent : null,
      step: typeof row.step === 'number' && Number.isSafeInteger(row.step) ? row.step : null,
      source: typeof row.source === 'string' ? row.source : null,
      savedAt: Number.isFinite(time) ? time : null,
      bytes,
    };
  }
}

/** Above every record namespace (at most 1024 characters: the protocol's bound). */
const TOP = '\u{10FFFF}'.repeat(1025);

/** `c/<thread>/<ns>/<id>` → its raw parts; undefined for any other key. */
function splitCheckpointKey(key: string): KeyParts | undefined {
  const parts = key.split('/');
  if (parts.length !== 4 || parts[0] !== 'c' || parts[3] === '') {
    return undefined;
  }
  return { thread: parts[1], ns: parts[2], id: parts[3] };
}

/** The end of a `…/`-ending prefix's range: its `/` turned into `0` (the next ASCII). */
function successorOfSlash(prefix: string): string {
  return `${prefix.slice(0, -1)}0`;
}

/** `versions` as `[channel, version]` text pairs, or undefined when absent or not an object. */
function parseVersions(json: string | null): [string, string][] | undefined {
  if (json === null) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return undefined;
    }
    return Object.entries(value).map(([channel, version]) => [channel, String(version)]);
  } catch {
    return undefined;
  }
}

/** A key part decoded to show; as stored when it is not valid percent-encoding. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A page cursor: the record namespace and key of the last checkpoint listed, base64url JSON. */
function cursorOf(ns: string, key: string): string {
  return Buffer.from(JSON.stringify([ns, key])).toString('base64url');
}

/**
 * The namespace and key a cursor names.
 * @throws RangeError for text {@link cursorOf} did not make.
 */
export function parseCursor(cursor: string): { ns: string; key: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      return { ns: value[0], key: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw new RangeError(
    `cursor ${JSON.stringify(cursor)} is not one agent.checkpoints returned as nextCursor; omit it to start from the first page`,
  );
}
