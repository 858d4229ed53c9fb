import { RpcError } from '@x/ipc';
import { checkpointNotFound, runNotFound, threadCheckpointNotFound } from '../errors.js';
import type { CheckpointStore } from '../persistence/checkpoint-store.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { ForkOrigin, RunRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { ThreadCheckpointMeta, ThreadRecords } from '../persistence/thread-records.js';
import type { StartRequest } from './run-request.js';

/**
 * What a start `from` names, found: a stored `ctx.checkpoint` of a run (`seq`), or a thread
 * checkpoint of its record store (a LangGraph checkpoint).
 */
export type ForkSource =
  | { kind: 'checkpoint'; runId: string; seq: number }
  | { kind: 'thread'; runId: string; checkpoint: ThreadCheckpointMeta };

/** What a {@link RunFork} works with: the supervisor's stores and its run lookup. */
export interface RunForkDeps {
  store: RunStore;
  persistence: PersistenceGuard;
  checkpoints: CheckpointStore;
  records: RecordStore;
  threads: ThreadRecords;
  /** Bytes of records a run may keep (the copy of a thread must fit). */
  recordsMaxBytes: number;
  /** A run by id or name (active or stored). */
  find(ref: string): RunRecord | undefined;
}

/**
 * Starts a run from another run's checkpoint (`x agent start --from <run>[@<seq or id>]`):
 * finds the checkpoint ({@link RunFork.resolve}), then stores the new run with its copy before
 * the run starts ({@link RunFork.create}).
 *
 * - `<run>` or `<run>@<seq>`: a `ctx.checkpoint` (the newest, or `seq`) is copied as the new
 *   run's first checkpoint, which its first attempt gets as `init.restored`.
 * - `<run>@<checkpoint id>`: the thread holding that thread checkpoint (record-store thread
 *   layout, see ThreadRecords) is copied up to and including it, with its pending writes and
 *   the channel values they read, in the same durable transaction as the new run's row: the
 *   run starts only once the copy is committed, and a graph resuming the thread
 *   (`graph.invoke(null, config)`) continues right after that checkpoint. A thread named after
 *   the source run (`@x/langgraph`'s default thread) is renamed after the new run.
 *
 * Refused while persistence is failing: the copy would not be stored.
 */
export class RunFork {
  constructor(private readonly deps: RunForkDeps) {}

  /**
   * The checkpoint a start `from` names, or undefined without one.
   * @throws RpcError -32602 for both a seq and a checkpoint id; -32603 while persistence is
   *   degraded; RUN_NOT_FOUND (-32001);
   *   CHECKPOINT_NOT_FOUND (-32026); -32602 for a checkpoint id found in several threads.
   */
  resolve(from: StartRequest['from']): ForkSource | undefined {
    if (from === undefined) {
      return undefined;
    }
    if (from.seq !== undefined && from.checkpointId !== undefined) {
      throw new RpcError(
        -32602,
        `Invalid params: from names both a seq (${from.seq}) and a checkpointId (${JSON.stringify(from.checkpointId)}); give one: a seq for ctx.checkpoint, a checkpoint id for a thread checkpoint`,
        { field: '/from' },
      );
    }
    const { persistence } = this.deps;
    if (persistence.degraded) {
      throw new RpcError(
        -32603,
        `x: cannot start from a checkpoint while persistence is failing (${persistence.health.lastError ?? 'unknown error'}): the checkpoint would not be copied; try again once the disk has room, or start without --from`,
        { field: '/from' },
      );
    }
    const source = this.deps.find(from.runId);
    if (source === undefined) {
      throw runNotFound(from.runId);
    }
    const { runId } = source;
    if (from.checkpointId !== undefined) {
      return { kind: 'thread', runId, checkpoint: this.#thread(runId, from.checkpointId) };
    }
    const found = persistence.read(
      'read checkpoint',
      () =>
        from.seq === undefined
          ? this.deps.checkpoints.list(runId)[0]
          : this.deps.checkpoints.get(runId, from.seq),
      undefined,
    );
    if (found === undefined) {
      throw checkpointNotFound(runId, from.seq);
    }
    return { kind: 'checkpoint', runId, seq: found.seq };
  }

  /** What the new run `runId` records as its origin (`options.from`). */
  origin(source: ForkSource, runId: string): ForkOrigin {
    if (source.kind === 'checkpoint') {
      return { runId: source.runId, seq: source.seq };
    }
    const { checkpointId, threadId } = source.checkpoint;
    return {
      runId: source.runId,
      checkpointId,
      sourceThreadId: threadId,
      threadId: threadId === source.runId ? runId : threadId,
    };
  }

  /**
   * Stores the new run `record` with the copy of `source` (see the class).
   * @throws RpcError -32602 when the thread's copy is over a run's record cap; -32603 when the
   *   database write fails (for a thread: nothing was stored, the run is not started).
   */
  create(record: RunRecord, source: ForkSource): void {
    const { persistence, store, checkpoints } = this.deps;
    if (source.kind === 'checkpoint') {
      persistence.persist('insert run', record, (run) => store.insertRun(run));
      // The fork's first checkpoint: what its first attempt resumes from (init.restored).
      persistence.run(
        'copy checkpoint',
        () => checkpoints.copyTo(source.runId, source.seq, record.runId, Date.now()),
        undefined,
      );
      return;
    }
    let refusal: RangeError | undefined;
    const copied = persistence.write(
      'copy thread',
      () => {
        try {
          return this.deps.threads.copy(source.runId, source.checkpoint, record.runId, {
            maxBytes: this.deps.recordsMaxBytes,
            before: () => store.insertRun(record),
          });
        } catch (error) {
          if (error instanceof RangeError) {
            refusal = error;
            return null;
          }
          throw error;
        }
      },
      null,
      { proves: (value) => value !== null },
    );
    if (refusal !== undefined) {
      throw new RpcError(-32602, refusal.message, { field: '/from' });
    }
    if (copied === null) {
      throw new RpcError(
        -32603,
        `x: could not copy thread ${JSON.stringify(source.checkpoint.threadId)} of run ${source.runId} up to checkpoint ${source.checkpoint.checkpointId}: the database write failed (${persistence.health.lastError ?? 'unknown error'}); nothing was started, try again once the disk has room`,
        { field: '/from' },
      );
    }
    // Written behind the record store's back: its total of the new run is read again.
    this.deps.records.forget(record.runId);
  }

  /**
   * The thread checkpoint `checkpointId` of run `runId`.
   * @throws RpcError CHECKPOINT_NOT_FOUND (-32026); -32602 when several threads hold the id.
   */
  #thread(runId: string, checkpointId: string): ThreadCheckpointMeta {
    const found = this.deps.persistence.read(
      'read thread checkpoints',
      () => this.deps.threads.find(runId, checkpointId),
      [],
    );
    const [first, ...others] = found;
    if (first === undefined) {
      throw threadCheckpointNotFound(runId, checkpointId);
    }
    if (others.length > 0) {
      throw new RpcError(
        -32602,
        `x: run ${runId} has checkpoint ${checkpointId} in ${found.length} threads (${found.map((meta) => `${meta.store}:${meta.threadId}`).join(', ')}); a fork copies one thread, so copy the one you want with the framework's own API instead`,
        { field: '/from/checkpointId', runId, checkpointId },
      );
    }
    return first;
  }
}
