// The floor: what storing a checkpoint costs SQLite itself, with nothing of x around it.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stateOfSize } from './state-of-size.js';
import { round3 } from './stats.js';

/**
 * Writes that take a fresh database's write-ahead log past its first wrap: 24 states of
 * 256 KiB, about 1,600 pages of 4 KiB, past SQLite's automatic checkpoint at 1,000 pages
 * (after which the log is written again from its start). Until then every commit makes the
 * -wal file longer, and its fsync costs about twice as much here (ext4 also commits the
 * file's new size): 0.33 against 0.14 ms p50 at 1 KiB, a scratch test of 200 commits. A
 * daemon that has run a while is past it; the floor, the store and the daemon are brought
 * past it before anything is timed.
 */
export const WAL_WRAP = { states: 24, bytes: 256 * 1024 };

/**
 * Calls `commit` with {@link WAL_WRAP}'s states, JSON text made by {@link stateOfSize}.
 * @param {(stateJson: string) => void} commit
 */
export function wrapWal(commit) {
  for (let i = 0; i < WAL_WRAP.states; i += 1) {
    commit(JSON.stringify(stateOfSize(WAL_WRAP.bytes, i)));
  }
}

/**
 * @typedef {object} Floor
 * @property {(stateJson: string) => void} commit one row, in its own transaction
 * @property {() => void} close closes the database and removes its directory
 */

/**
 * A SQLite database under /tmp (the file system the daemon's X_HOME is on) with the journal
 * settings of a checkpoint save in the daemon's CheckpointStore: WAL, and `synchronous =
 * FULL`, so each commit fsyncs the WAL (packages/daemon/src/persistence/checkpoint-store.ts).
 * The table has the columns and primary key of `agent_checkpoints`; a commit is one bare
 * INSERT in a transaction: no `seq` lookup, no pruning, no foreign key.
 * @returns {Floor}
 */
export function openFloor() {
  const dir = mkdtempSync('/tmp/x-bd-floor-');
  const db = new Database(join(dir, 'floor.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE checkpoints (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, attempt INTEGER NOT NULL, iteration INTEGER,
    saved_at INTEGER NOT NULL, bytes INTEGER NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (run_id, seq))`);
  const insert = db.prepare(
    `INSERT INTO checkpoints (run_id, seq, attempt, iteration, saved_at, bytes, state)
     VALUES ('floor', ?, 1, 1, ?, ?, ?)`,
  );
  let seq = 0;
  const commit = db.transaction((/** @type {string} */ stateJson) => {
    seq += 1;
    insert.run(seq, Date.now(), Buffer.byteLength(stateJson), stateJson);
  });
  return {
    commit,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Commits a `bytes` state back to back until `untilMs` (a Date.now() time), timing each
 * commit; appends the durations (ms) to `times` and returns how many there were.
 * @param {Floor} floor
 * @param {number} bytes
 * @param {number} untilMs
 * @param {number[]} [times]
 */
export function commitUntil(floor, bytes, untilMs, times = []) {
  let count = 0;
  while (Date.now() < untilMs) {
    count += 1;
    const stateJson = JSON.stringify(stateOfSize(bytes, count));
    const started = performance.now();
    floor.commit(stateJson);
    times.push(round3(performance.now() - started));
  }
  return count;
}
