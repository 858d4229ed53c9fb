import type { RunRecord } from '../persistence/records.js';

/** Finished runs an {@link UnstoredRuns} remembers at most: 1000 (the oldest go first). */
export const UNSTORED_RUNS_KEPT = 1000;

/**
 * The final records of runs that ended while writes waited in memory for SQLite (a full disk:
 * PersistenceGuard.persist): the supervisor no longer holds them, and SQLite may not have
 * them yet, so `agent.status` and `agent.list` read them here. Forgotten as soon as nothing
 * waits any more (then SQLite has them, or they were lost and counted), and bounded.
 */
export class UnstoredRuns {
  readonly #runs = new Map<string, RunRecord>();

  remember(record: RunRecord): void {
    this.#runs.delete(record.runId);
    this.#runs.set(record.runId, record);
    if (this.#runs.size > UNSTORED_RUNS_KEPT) {
      this.#runs.delete(this.#runs.keys().next().value as string);
    }
  }

  /**
   * The run `ref` (an id, or a name: the newest of that name) if remembered and newer than
   * `stored` (what SQLite has for `ref`); nothing once `waiting` (writes waiting) is 0.
   */
  find(ref: string, waiting: number, stored: RunRecord | undefined): RunRecord | undefined {
    const runs = this.all(waiting);
    const found =
      runs.find((record) => record.runId === ref) ??
      runs.filter((record) => record.name === ref).at(-1);
    if (found === undefined) {
      return undefined;
    }
    // By name: SQLite's may be a newer run of that name.
    return stored !== undefined &&
      stored.runId !== found.runId &&
      stored.createdAt > found.createdAt
      ? undefined
      : found;
  }

  /** Every remembered run, oldest first; none (and forgotten) once `waiting` is 0. */
  all(waiting: number): RunRecord[] {
    if (waiting === 0) {
      this.#runs.clear();
    }
    return [...this.#runs.values()];
  }
}
