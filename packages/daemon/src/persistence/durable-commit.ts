import type Database from 'better-sqlite3';

/** `PRAGMA synchronous` levels (sqlite.org/pragma.html#pragma_synchronous). */
const SYNCHRONOUS_FULL = 2;

/**
 * Runs a write in one transaction committed with `synchronous = FULL`, on a connection that
 * otherwise runs at a lower level (the RunStore's WAL + NORMAL): SQLite fsyncs the WAL before
 * the commit returns, so what the write stored survives a power loss, and every earlier commit
 * with it. The connection's own level is restored after. What CheckpointStore and RecordStore
 * acknowledge to runners is committed this way.
 */
export class DurableCommit {
  readonly #db: Database.Database;
  readonly #level: Database.Statement;
  readonly #transaction: (write: () => unknown) => unknown;

  /** @param owner who commits, for the error below (`CheckpointStore`). */
  constructor(
    db: Database.Database,
    private readonly owner: string,
  ) {
    this.#db = db;
    this.#level = db.prepare('PRAGMA synchronous').pluck();
    this.#transaction = db.transaction((write: () => unknown) => write());
  }

  /**
   * Runs `write` in a transaction committed durably; returns what it returned.
   * @throws the driver's error (nothing is written); an Error when called inside an open
   *   transaction, whose commit, not this call, would decide durability.
   */
  run<T>(write: () => T): T {
    if (this.#db.inTransaction) {
      throw new Error(
        `x: ${this.owner} writes commit durably by themselves; call them outside a transaction`,
      );
    }
    const previous = this.#level.get() as number;
    if (previous >= SYNCHRONOUS_FULL) {
      return this.#transaction(write) as T;
    }
    // Compiled each time: SQLite applies `PRAGMA synchronous = N` when it prepares the
    // statement, so a prepared one run again would change nothing.
    this.#db.exec(`PRAGMA synchronous = ${SYNCHRONOUS_FULL}`);
    try {
      return this.#transaction(write) as T;
    } finally {
      this.#db.exec(`PRAGMA synchronous = ${previous}`);
    }
  }
}
