import type Database from 'better-sqlite3';
import { DurableCommit } from './durable-commit.js';
import type { StoreEntry, StoreOp, StoreOpResult } from '@x/ipc';

/** Bytes of records a run may keep, unless the daemon says otherwise: 64 MiB. */
export const DEFAULT_RECORDS_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Largest record (key, namespace and the JSON text of its value), bytes: 4 MiB, so that a
 * `get` of it fits the protocol's 8 MiB frame with room to spare.
 */
export const RECORD_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Values one answer carries in all, bytes: 6 MiB (the frame is 8 MiB). A `list` stops early
 * (`more: true`) rather than pass it; `get`s past it fail the request.
 */
export const ANSWER_MAX_BYTES = 6 * 1024 * 1024;

/** Runs whose total a RecordStore keeps in memory before it clears them: 4096. */
const TOTALS_CACHE_RUNS = 4096;

/** What a request did: its results in the order of its operations, and the run's new total. */
export interface RecordsApplied {
  results: StoreOpResult[];
  /** The run's records after the request, bytes (keys, namespaces and values' JSON). */
  usedBytes: number;
}

/**
 * A request refused for what it asks (over the run's cap, a record too large, an answer too
 * large): nothing was written, and the store is fine. Its message is for the agent.
 */
export class RecordsRefusal extends Error {
  override readonly name = 'RecordsRefusal';
}

type Row = { key: string; bytes: number; value?: string };

/**
 * The run's record store (protocol `store` / `store_result`): the `agent_records` table
 * (migration 10) on the RunStore's connection. A record is a JSON value under
 * `(run, namespace, key)`; its size (`bytes`) is the UTF-8 bytes of its namespace, key and
 * value's JSON text, and a run's records may take at most `maxBytes` in all: a request that
 * would pass it is refused whole, with a message that says so. History is never dropped to
 * make room. Records go with their run (RunRemoval, HistoryPruner).
 *
 * Each request is one transaction, committed with `synchronous = FULL` (as CheckpointStore
 * does, for the same reason: a write acknowledged to the agent must survive a power loss,
 * or a LangGraph graph could re-run a super-step it was told was saved), and the setting of
 * the connection is restored after. Reads go in the same transaction, so a request sees
 * its own writes.
 *
 * A run's total is read once (a sum over its records), then kept in memory and updated
 * after each commit: this store is the daemon's only writer of the table.
 *
 * Synchronous; throws {@link RecordsRefusal} for a request it refuses, or the driver's error
 * (`SQLITE_FULL`, `SQLITE_CONSTRAINT_FOREIGNKEY` for a run not in `agent_runs`). A failed
 * request writes nothing.
 */
export class RecordStore {
  readonly #totals = new Map<string, number>();
  readonly #sql: {
    total: Database.Statement<[string], number | null>;
    size: Database.Statement<[string, string, string], number>;
    get: Database.Statement<[string, string, string], string>;
    insert: Database.Statement;
    deleteOne: Database.Statement<[string, string, string]>;
    deleteRange: Database.Statement;
    listAsc: Database.Statement;
    listDesc: Database.Statement;
  };
  readonly #durable: DurableCommit;

  constructor(db: Database.Database) {
    const range = `run_id = @runId AND ns = @ns AND key >= @from AND key > @after AND key < @to AND key < @before
      AND substr(key, 1, @prefixLength) = @prefix`;
    const list = (order: 'ASC' | 'DESC') =>
      db.prepare(
        `SELECT key, bytes, CASE WHEN @keysOnly THEN NULL ELSE value END AS value
         FROM agent_records WHERE ${range} ORDER BY key ${order} LIMIT @limit`,
      );
    this.#sql = {
      total: db
        .prepare<[string], number | null>('SELECT sum(bytes) FROM agent_records WHERE run_id = ?')
        .pluck(),
      size: db
        .prepare<[string, string, string], number>(
          'SELECT bytes FROM agent_records WHERE run_id = ? AND ns = ? AND key = ?',
        )
        .pluck(),
      get: db
        .prepare<[string, string, string], string>(
          'SELECT value FROM agent_records WHERE run_id = ? AND ns = ? AND key = ?',
        )
        .pluck(),
      insert: db.prepare(
        `INSERT INTO agent_records (run_id, ns, key, bytes, value) VALUES (@runId, @ns, @key, @bytes, @value)
         ON CONFLICT (run_id, ns, key) DO UPDATE SET bytes = excluded.bytes, value = excluded.value`,
      ),
      deleteOne: db.prepare('DELETE FROM agent_records WHERE run_id = ? AND ns = ? AND key = ?'),
      deleteRange: db.prepare(`DELETE FROM agent_records WHERE ${range} RETURNING bytes`),
      listAsc: list('ASC'),
      listDesc: list('DESC'),
    };
    this.#durable = new DurableCommit(db, 'RecordStore');
  }

  /**
   * Applies `ops` for the run `runId`, in order, in one durable transaction (see the class).
   * @param maxBytes the run's cap, bytes (its records after the request must fit).
   * @throws RecordsRefusal, or the driver's error; nothing is written then.
   */
  apply(runId: string, ops: readonly StoreOp[], maxBytes: number): RecordsApplied {
    let used = 0;
    const results = this.#durable.run(() => {
      used = this.#totals.get(runId) ?? this.#sql.total.get(runId) ?? 0;
      const budget = { answer: 0 };
      const out: StoreOpResult[] = [];
      for (const op of ops) {
        const { result, delta } = this.#one(runId, op, budget);
        used += delta;
        out.push(result);
      }
      if (used > maxBytes) {
        throw new RecordsRefusal(
          `not stored: the run's records would take ${used} bytes, over its cap of ${maxBytes} bytes (storeMaxBytes); nothing of this request was written. Delete what is no longer needed (a LangGraph thread: deleteThread), or give the daemon a larger cap`,
        );
      }
      return out;
    });
    this.#remember(runId, used);
    return { results, usedBytes: used };
  }

  /** Bytes the run's records take (a sum over them the first time). */
  usedBytes(runId: string): number {
    return this.#totals.get(runId) ?? this.#sql.total.get(runId) ?? 0;
  }

  /** Forgets the run's total (its records were deleted behind this store: run removal). */
  forget(runId: string): void {
    this.#totals.delete(runId);
  }

  #one(
    runId: string,
    op: StoreOp,
    budget: { answer: number },
  ): { result: StoreOpResult; delta: number } {
    const { ns } = op;
    switch (op.op) {
      case 'put': {
        const value = JSON.stringify(op.value) ?? 'null';
        const bytes = Buffer.byteLength(ns) + Buffer.byteLength(op.key) + Buffer.byteLength(value);
        if (bytes > RECORD_MAX_BYTES) {
          throw new RecordsRefusal(
            `not stored: record ${JSON.stringify(op.key)} of namespace ${JSON.stringify(ns)} is ${bytes} bytes, over the largest record of ${RECORD_MAX_BYTES} bytes; split it into several records`,
          );
        }
        const old = this.#sql.size.get(runId, ns, op.key);
        if (old !== undefined && op.ifAbsent === true) {
          return { result: { op: 'put', written: false }, delta: 0 };
        }
        this.#sql.insert.run({ runId, ns, key: op.key, bytes, value });
        return { result: { op: 'put', written: true }, delta: bytes - (old ?? 0) };
      }
      case 'get': {
        const value = this.#sql.get.get(runId, ns, op.key);
        if (value === undefined) {
          return { result: { op: 'get', found: false }, delta: 0 };
        }
        budget.answer += value.length;
        if (budget.answer > ANSWER_MAX_BYTES) {
          throw new RecordsRefusal(
            `not read: the answer would carry over ${ANSWER_MAX_BYTES} bytes of values; read fewer records per request`,
          );
        }
        return { result: { op: 'get', found: true, value: JSON.parse(value) }, delta: 0 };
      }
      case 'list': {
        const rows = (op.reverse === true ? this.#sql.listDesc : this.#sql.listAsc).all({
          ...rangeParams(runId, ns, op.prefix ?? '', op.after, op.before),
          keysOnly: op.keysOnly === true ? 1 : 0,
          limit: (op.limit ?? 1000) + 1,
        }) as Row[];
        const entries: StoreEntry[] = [];
        let more = rows.length > (op.limit ?? 1000);
        for (const row of rows.slice(0, op.limit ?? 1000)) {
          if (row.value == null) {
            entries.push({ key: row.key, bytes: row.bytes });
            continue;
          }
          // Always one entry, so that a reader paging with `after` moves on.
          if (entries.length > 0 && budget.answer + row.bytes > ANSWER_MAX_BYTES) {
            more = true;
            break;
          }
          budget.answer += row.bytes;
          entries.push({ key: row.key, value: JSON.parse(row.value), bytes: row.bytes });
        }
        return { result: { op: 'list', entries, more }, delta: 0 };
      }
      case 'delete': {
        if (op.key !== undefined) {
          const old = this.#sql.size.get(runId, ns, op.key);
          this.#sql.deleteOne.run(runId, ns, op.key);
          return {
            result: { op: 'delete', deleted: old === undefined ? 0 : 1 },
            delta: -(old ?? 0),
          };
        }
        const rows = this.#sql.deleteRange.all(
          rangeParams(runId, ns, op.prefix ?? '', undefined, undefined),
        ) as { bytes: number }[];
        const freed = rows.reduce((sum, row) => sum + row.bytes, 0);
        return { result: { op: 'delete', deleted: rows.length }, delta: -freed };
      }
    }
  }

  #remember(runId: string, used: number): void {
    if (this.#totals.size >= TOTALS_CACHE_RUNS && !this.#totals.has(runId)) {
      this.#totals.clear();
    }
    this.#totals.set(runId, used);
  }
}

/** Keys above every key (at most 1024 characters, each at most U+10FFFF). */
const TOP = '\u{10FFFF}'.repeat(1025);

/**
 * The bounds of a key range as the statements take them: keys starting with `prefix`
 * (an index range up to the prefix's successor, then an exact check), above `after`, below
 * `before`.
 */
function rangeParams(
  runId: string,
  ns: string,
  prefix: string,
  after: string | undefined,
  before: string | undefined,
): Record<string, string | number> {
  return {
    runId,
    ns,
    from: prefix,
    after: after ?? '',
    to: successor(prefix),
    before: before ?? TOP,
    prefix,
    prefixLength: [...prefix].length,
  };
}

/**
 * The least string above every string that starts with `prefix`, in SQLite's binary (UTF-8,
 * that is code point) order: its last code point incremented (dropped when U+10FFFF), or
 * {@link TOP} for the empty prefix.
 */
export function successor(prefix: string): string {
  const points = [...prefix].map((c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = (points.pop() as number) + 1;
    if (last <= 0x10ffff) {
      // Lone surrogates are not characters: the next one after U+D7FF is U+E000.
      points.push(last >= 0xd800 && last <= 0xdfff ? 0xe000 : last);
      return String.fromCodePoint(...points);
    }
  }
  return TOP;
}
