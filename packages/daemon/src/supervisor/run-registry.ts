import { randomBytes } from 'node:crypto';
import { RpcError } from '@x/ipc';
import { RECENT_RUNS_LISTED } from '../constants.js';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { RunController } from './run-controller.js';
import { UnstoredRuns } from './unstored-runs.js';

/** What a {@link RunRegistry} reads finished runs from. */
export interface RunRegistryDeps {
  store: Pick<RunStore, 'getRun' | 'latestByName' | 'listRuns'>;
  persistence: Pick<PersistenceGuard, 'read' | 'waiting'>;
}

/**
 * The runs a daemon knows, by run id or name: the active ones (their controllers, in memory
 * until they end, so memory stays bounded by what runs), the finished ones (in SQLite), and
 * finished ones whose final records still wait in memory for SQLite (a full disk; see
 * {@link UnstoredRuns}). Names are unique among active runs only: a name refers to its active
 * run, else to its newest finished one.
 */
export class RunRegistry {
  readonly #active = new Map<string, RunController>();
  /** Finished runs whose records may still wait in memory for SQLite (bounded). */
  readonly #unstored = new UnstoredRuns();
  readonly #deps: RunRegistryDeps;

  constructor(deps: RunRegistryDeps) {
    this.#deps = deps;
  }

  /** Number of runs not yet terminal (running, or waiting to restart). */
  get activeCount(): number {
    return this.#active.size;
  }

  /** The active runs, oldest registered first. */
  active(): RunController[] {
    return [...this.#active.values()];
  }

  /** The active run with id `runId`, or undefined. */
  activeById(runId: string): RunController | undefined {
    return this.#active.get(runId);
  }

  /** The active run with id or name `ref`, or undefined. */
  findActive(ref: string): RunController | undefined {
    return this.#active.get(ref) ?? this.active().find((run) => run.record.name === ref);
  }

  /**
   * Keeps `run` until it ends; then, while writes wait in memory for SQLite, its final record
   * (its end may not be stored yet).
   */
  register(run: RunController): void {
    const { runId } = run.record;
    this.#active.set(runId, run);
    void run.ended.then(() => {
      this.#active.delete(runId);
      if (this.#deps.persistence.waiting > 0) {
        this.#unstored.remember(run.record);
      }
    });
  }

  /** A run by id, or the active (else latest) run with that name. */
  get(ref: string): RunRecord | undefined {
    const active = this.findActive(ref);
    if (active !== undefined) {
      return active.record;
    }
    const { store, persistence } = this.#deps;
    const stored = persistence.read(
      'read run',
      () => store.getRun(ref) ?? store.latestByName(ref),
      undefined,
    );
    return this.#unstored.find(ref, persistence.waiting, stored) ?? stored;
  }

  /**
   * Active runs plus the most recent finished ones (the newest RECENT_RUNS_LISTED stored; all
   * with `all`), newest first (ties: run id, descending).
   */
  list(options: { all?: boolean | undefined } = {}): RunRecord[] {
    const { store, persistence } = this.#deps;
    const stored = persistence.read(
      'list runs',
      () => store.listRuns(options.all === true ? null : RECENT_RUNS_LISTED),
      [] as RunRecord[],
    );
    const byId = new Map(stored.map((record) => [record.runId, record]));
    for (const record of this.#unstored.all(persistence.waiting)) {
      byId.set(record.runId, record);
    }
    for (const run of this.#active.values()) {
      byId.set(run.record.runId, run.record);
    }
    return [...byId.values()].sort(
      (a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0),
    );
  }

  /** @throws RpcError NAME_IN_USE (-32002) when an active run has `name`. */
  refuseNameInUse(name: string): void {
    const clash = this.active().find((run) => run.record.name === name);
    if (clash !== undefined) {
      throw new RpcError(
        DAEMON_RPC_CODES.NAME_IN_USE,
        `x: an agent named ${name} is already ${clash.state} (run ${clash.record.runId}); stop it first or pick another --name`,
        { name, runId: clash.record.runId },
      );
    }
  }

  /** A new run id, `r-` and 8 hex digits, used by no active or stored run. */
  newRunId(): string {
    const { store, persistence } = this.#deps;
    for (;;) {
      const id = `r-${randomBytes(4).toString('hex')}`;
      if (
        !this.#active.has(id) &&
        persistence.read('check id', () => store.getRun(id), undefined) === undefined
      ) {
        return id;
      }
    }
  }
}
