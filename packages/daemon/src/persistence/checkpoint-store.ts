import type Database from 'better-sqlite3';
import { DurableCommit } from './durable-commit.js';

/** Checkpoints kept per run by default: its newest 5. */
export const DEFAULT_CHECKPOINTS_KEPT = 5;

/** Runs whose newest `seq` a CheckpointStore keeps in memory before it clears them: 4096. */
const SEQ_CACHE_RUNS = 4096;

/** A stored checkpoint without its state: what `list` returns. */
export interface CheckpointMeta {
  runId: string;
  /** 1, 2, … within the run, in the order saved; never reused, even after pruning. */
  seq: number;
  /** The attempt whose runner saved it (from 1); 0 for a checkpoint copied from another run. */
  attempt: number;
  /** The iteration it was saved in, as the runner said, or null (a copy, or not said). */
  iteration: number | null;
  /** When it was stored, ms since the Unix epoch. */
  savedAt: number;
  /** Size of the state's JSON text, UTF-8 bytes. */
  bytes: number;
}

/** A stored checkpoint with its state, parsed. */
export interface Checkpoint extends CheckpointMeta {
  /** The agent's state: any JSON value. */
  state: unknown;
}

/** A checkpoint to store. */
export interface CheckpointInput {
  runId: string;
  attempt: number;
  iteration: number | null;
  /** The state as JSON text (e.g. `JSON.stringify(state)`): stored as given, not parsed again. */
  stateJson: string;
  /** ms since the Unix epoch. */
  savedAt: number;
}

/** Options of a {@link CheckpointStore}. */
export interface CheckpointStoreOptions {
  /** Checkpoints kept per run, newest first: an integer ≥ 1. @default DEFAULT_CHECKPOINTS_KEPT (5) */
  keep?: number | undefined;
}

type Row = {
  run_id: string;
  seq: number;
  attempt: number;
  iteration: number | null;
  saved_at: number;
  bytes: number;
  state?: string;
};

const META = 'run_id, seq, attempt, iteration, saved_at, bytes';

/**
 * Agents' checkpoints: the `agent_checkpoints` table (migration 7) on the RunStore's
 * connection (`store.database`). Each run keeps its newest `keep` checkpoints; `seq` goes on
 * counting past the pruned ones (the newest is never pruned, and `seq` is its successor).
 * A run's checkpoints go with the run (retention, HistoryPruner).
 *
 * Durability: a save is acknowledged when it returns, and then it survives a kill -9 of the
 * daemon and a power loss of the machine. The connection runs WAL with `synchronous =
 * NORMAL`, whose commits survive any process crash but may be lost, the last few, to a power
 * loss or an OS crash (sqlite.org/wal.html#performance_considerations). An agent that
 * resumes from an older checkpoint than the one it was told is saved may repeat side effects
 * it took since, so each save (and {@link CheckpointStore.copyTo}) commits with `synchronous =
 * FULL`: SQLite fsyncs the WAL before the commit returns (this also makes every earlier
 * commit durable), and the connection's setting is restored after. That costs an fsync per
 * save, and the event loop waits for it: measured on ext4, 2 loaded cores, a 1 KiB save took
 * 0.17–0.19 ms (median), 1.3× a bare INSERT + COMMIT with the same settings (bench/durable).
 * Other writes keep NORMAL. This holds as far as the disk honours fsync.
 *
 * A save looks up the run's newest `seq` once, then keeps it in memory (this store is the
 * daemon's only writer of the table) and deletes the one checkpoint that falls out of the
 * newest `keep` by its key, rather than searching for the run's newest and oldest each time.
 *
 * States are stored as given (`stateJson`, not parsed again); `newest` and `get` parse them
 * and throw a SyntaxError for text that is not JSON.
 *
 * Methods are synchronous and throw the driver's error: `SQLITE_FULL` on a full disk,
 * `SQLITE_CONSTRAINT_FOREIGNKEY` for a run not in `agent_runs`; the caller turns it into a
 * refusal. A failed save writes nothing.
 */
export class CheckpointStore {
  /** Checkpoints kept per run. */
  readonly keep: number;
  readonly #insert: Database.Statement;
  readonly #lastSeq: Database.Statement<[string], number | null>;
  readonly #copy: Database.Statement;
  readonly #prune: Database.Statement;
  readonly #pruneOne: Database.Statement;
  /**
   * The newest `seq` of each run this store saved for since it opened, and whether its
   * checkpoints past the newest `keep` are all gone: a save then inserts `seq + 1` and
   * deletes the one checkpoint that fell out (`seq + 1 - keep`), by primary key. Set only
   * after a commit; at most {@link SEQ_CACHE_RUNS} runs, then cleared (and read again).
   */
  readonly #seqs = new Map<string, number>();
  readonly #newest: Database.Statement<[string], Row>;
  readonly #get: Database.Statement<[string, number], Row>;
  readonly #list: Database.Statement<[string], Row>;
  readonly #durable: DurableCommit;

  /** @throws RangeError when `keep` is not an integer ≥ 1. */
  constructor(db: Database.Database, options: CheckpointStoreOptions = {}) {
    const keep = options.keep ?? DEFAULT_CHECKPOINTS_KEPT;
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RangeError(`x: CheckpointStore keep must be an integer ≥ 1, got ${keep}`);
    }
    this.keep = keep;
    const next = '(SELECT coalesce(max(seq), 0) + 1 FROM agent_checkpoints WHERE run_id = @runId)';
    this.#insert = db.prepare(
      `INSERT INTO agent_checkpoints (run_id, seq, attempt, iteration, saved_at, bytes, state)
       VALUES (@runId, @seq, @attempt, @iteration, @savedAt, @bytes, @state)`,
    );
    this.#lastSeq = db
      .prepare<[string], number | null>('SELECT max(seq) FROM agent_checkpoints WHERE run_id = ?')
      .pluck();
    this.#copy = db.prepare(
      `INSERT INTO agent_checkpoints (run_id, seq, attempt, iteration, saved_at, bytes, state)
       SELECT @runId, ${next}, 0, NULL, @savedAt, bytes, state FROM agent_checkpoints
       WHERE run_id = @sourceRunId
         AND seq = coalesce(@seq, (SELECT max(seq) FROM agent_checkpoints WHERE run_id = @sourceRunId))
       RETURNING ${META}`,
    );
    this.#prune = db.prepare(
      'DELETE FROM agent_checkpoints WHERE run_id = @runId AND seq <= @seq - @keep',
    );
    this.#pruneOne = db.prepare('DELETE FROM agent_checkpoints WHERE run_id = ? AND seq = ?');
    this.#newest = db.prepare(
      'SELECT * FROM agent_checkpoints WHERE run_id = ? ORDER BY seq DESC LIMIT 1',
    );
    this.#get = db.prepare('SELECT * FROM agent_checkpoints WHERE run_id = ? AND seq = ?');
    this.#list = db.prepare(
      `SELECT ${META} FROM agent_checkpoints WHERE run_id = ? ORDER BY seq DESC`,
    );
    this.#durable = new DurableCommit(db, 'CheckpointStore');
  }

  /**
   * Stores a checkpoint, durably (see the class), in one transaction: it takes the next
   * `seq` of the run and prunes the run's checkpoints past the newest `keep`.
   * @throws the driver's error (nothing is written); an Error when called inside an open
   *   transaction, whose commit, not this call, would decide durability.
   */
  save(input: CheckpointInput): CheckpointMeta {
    const { runId } = input;
    const known = this.#seqs.get(runId);
    const meta: CheckpointMeta = {
      runId,
      seq: 0,
      attempt: input.attempt,
      iteration: input.iteration,
      savedAt: input.savedAt,
      bytes: Buffer.byteLength(input.stateJson),
    };
    this.#durable.run(() => {
      meta.seq = (known ?? this.#lastSeq.get(runId) ?? 0) + 1;
      this.#insert.run({ ...meta, state: input.stateJson });
      if (known === undefined) {
        this.#prune.run({ runId, seq: meta.seq, keep: this.keep });
      } else if (meta.seq > this.keep) {
        this.#pruneOne.run(runId, meta.seq - this.keep);
      }
    });
    this.#remember(runId, meta.seq);
    return meta;
  }

  /** Notes `seq` as the run's newest after a commit (see #seqs). */
  #remember(runId: string, seq: number): void {
    if (this.#seqs.size >= SEQ_CACHE_RUNS && !this.#seqs.has(runId)) {
      this.#seqs.clear();
    }
    this.#seqs.set(runId, seq);
  }

  /** The run's newest checkpoint, state parsed, or undefined when it has none. */
  newest(runId: string): Checkpoint | undefined {
    return toCheckpoint(this.#newest.get(runId));
  }

  /** One checkpoint of the run, state parsed, or undefined (never saved, or pruned). */
  get(runId: string, seq: number): Checkpoint | undefined {
    return toCheckpoint(this.#get.get(runId, seq));
  }

  /** The run's stored checkpoints, newest first, without their states. */
  list(runId: string): CheckpointMeta[] {
    return this.#list.all(runId).map(toMeta);
  }

  /**
   * Copies checkpoint `seq` (undefined: the newest) of `sourceRunId` to `targetRunId` as its
   * next checkpoint (seq 1 for a new run), attempt 0, iteration null, saved at `savedAt` (ms
   * since the epoch), durably: what `x agent start --from <run>[@<seq>]` starts from. The
   * state is copied inside SQLite, never parsed. Returns the copy's meta, or undefined (and
   * writes nothing) when the source has no such checkpoint. The target run must exist.
   * @throws as {@link CheckpointStore.save}.
   */
  copyTo(
    sourceRunId: string,
    seq: number | undefined,
    targetRunId: string,
    savedAt: number,
  ): CheckpointMeta | undefined {
    const copied = this.#durable.run(() => {
      const row = this.#copy.get({ sourceRunId, seq: seq ?? null, runId: targetRunId, savedAt }) as
        Row | undefined;
      if (row === undefined) {
        return undefined;
      }
      this.#prune.run({ runId: targetRunId, seq: row.seq, keep: this.keep });
      return toMeta(row);
    });
    if (copied !== undefined) {
      this.#remember(targetRunId, copied.seq);
    }
    return copied;
  }
}

function toMeta(row: Row): CheckpointMeta {
  return {
    runId: row.run_id,
    seq: row.seq,
    attempt: row.attempt,
    iteration: row.iteration,
    savedAt: row.saved_at,
    bytes: row.bytes,
  };
}

function toCheckpoint(row: Row | undefined): Checkpoint | undefined {
  return row === undefined
    ? undefined
    : { ...toMeta(row), state: JSON.parse(row.state as string) as unknown };
}
