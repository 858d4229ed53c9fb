import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { StoreEntry, StoreOp, StoreOpResult } from '@x/ipc';
import {
  blobKey,
  checkpointKey,
  checkpointPrefix,
  parseCheckpointKey,
  threadPrefixes,
  writeKey,
  writesPrefix,
} from './record-keys.js';
import { fromStored, toStored, type StoredBytes } from './typed-bytes.js';

/**
 * Where the saver keeps its records: `ctx.store` of an x agent (`@x/kernel`), or anything
 * with the same `batch`: applies record operations in one transaction and resolves once they
 * are stored durably.
 */
export interface RecordBatcher {
  batch(ops: StoreOp[]): Promise<StoreOpResult[]>;
}

/** Options of {@link XCheckpointSaver}. */
export interface XCheckpointSaverOptions {
  /** The run's record store: `ctx.store`. */
  store: RecordBatcher;
  /**
   * The thread used when a config names none (`getTuple`, `put`, `putWrites`): pass the run
   * id (`ctx.runId`, what {@link checkpointerFor} does), so that every attempt of the run
   * resumes the same thread. `list` without a thread id lists every thread. @default none
   */
  threadId?: string;
  /** Namespace of the saver's records in the run's store. @default 'langgraph' */
  namespace?: string;
  /** LangGraph's serializer. @default JsonPlusSerializer (BaseCheckpointSaver's) */
  serde?: SerializerProtocol;
}

/**
 * A checkpoint's record: the checkpoint without its channel values, its metadata, its parent,
 * and in plain JSON what the daemon reads to list and fork it without knowing LangGraph
 * (`ts`, `step`, `source`, `versions`: the thread layout of the protocol reference).
 */
interface CheckpointRecord {
  checkpoint: StoredBytes;
  metadata: StoredBytes;
  parent?: string;
  /** When LangGraph took it: ISO 8601 (`checkpoint.ts`). */
  ts?: string;
  /** The super-step (`metadata.step`): -1 for the input, 0 for the first. */
  step?: number;
  /** What made it (`metadata.source`): `input`, `loop`, `update` or `fork`. */
  source?: string;
  /** The version of each channel it reads (`checkpoint.channel_versions`): its `b/` records. */
  versions?: ChannelVersions;
}

/** A pending write's record. */
interface WriteRecord {
  task: string;
  channel: string;
  value: StoredBytes;
  path: string;
}

/** Operations per request: well within the protocol's 1000. */
const OPS_PER_REQUEST = 500;
/** Values per request, bytes of JSON (a request must fit the protocol's 8 MiB frame). */
const BYTES_PER_REQUEST = 4 * 1024 * 1024;
/** Checkpoints read per `list` request. */
const LIST_PAGE = 50;
/** A channel that a checkpoint changed to no value (written as Postgres's saver does). */
const EMPTY: StoredBytes = { t: 'empty', s: '' };

/**
 * A LangGraph checkpoint saver whose storage is the x daemon: a thread's checkpoints, one
 * value per channel version and the pending writes of each task are records of the run
 * (`ctx.store`), and `put` and `putWrites` resolve only once the daemon has committed them
 * to SQLite (synchronous = FULL), so a super-step whose checkpoint LangGraph saw saved is
 * never run again after a `kill -9` of the runner, of the daemon, or a power loss.
 *
 * History is kept until the thread is deleted ({@link XCheckpointSaver.deleteThread}) or the
 * run removed; a write past the run's cap (64 MiB unless the daemon says otherwise) rejects
 * with the daemon's reason (a StoreError `X_STORE_REFUSED`), and the graph's step with it:
 * nothing is dropped silently.
 *
 * Passes `@langchain/langgraph-checkpoint-validation` (see the package's tests).
 */
export class XCheckpointSaver extends BaseCheckpointSaver {
  readonly #store: RecordBatcher;
  /** The thread used when a config names none. */
  readonly threadId: string | undefined;
  /** Namespace of the records in the run's store. */
  readonly namespace: string;

  constructor(options: XCheckpointSaverOptions) {
    super(options.serde);
    if (typeof options?.store?.batch !== 'function') {
      throw new TypeError(
        `@x/langgraph: new XCheckpointSaver({ store }): store must be ctx.store of an x agent (an object with batch(ops)), got ${typeof options?.store}; or use checkpointerFor(ctx)`,
      );
    }
    this.#store = options.store;
    this.threadId = options.threadId;
    this.namespace = options.namespace ?? 'langgraph';
  }

  /**
   * The config that runs a graph on the saver's default thread: `{ configurable: {
   * thread_id } }`, merged with `configurable`. LangGraph asks for a thread id whenever a
   * checkpointer is set, so pass this to `invoke`/`stream`.
   * @throws TypeError when the saver has no default thread.
   */
  config(configurable: Record<string, unknown> = {}): RunnableConfig {
    if (this.threadId === undefined) {
      throw new TypeError(
        '@x/langgraph: saver.config(): this saver has no default thread; create it with checkpointerFor(ctx) or new XCheckpointSaver({ store, threadId })',
      );
    }
    return { configurable: { thread_id: this.threadId, ...configurable } };
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = this.#threadOf(config);
    if (threadId === undefined) {
      return undefined;
    }
    const ns = nsOf(config);
    const id = getCheckpointId(config);
    if (id) {
      const [got] = await this.#apply([
        this.#op({ op: 'get', key: checkpointKey(threadId, ns, id) }),
      ]);
      if (got?.op !== 'get' || !got.found) {
        return undefined;
      }
      return this.#tuple(threadId, ns, id, got.value as CheckpointRecord);
    }
    const [listed] = await this.#apply([
      this.#op({ op: 'list', prefix: checkpointPrefix(threadId, ns), reverse: true, limit: 1 }),
    ]);
    const newest = listed?.op === 'list' ? listed.entries[0] : undefined;
    if (newest === undefined) {
      return undefined;
    }
    const { id: newestId } = parseCheckpointKey(newest.key);
    return this.#tuple(threadId, ns, newestId, newest.value as CheckpointRecord);
  }

  override async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options ?? {};
    let remaining = options?.limit;
    const threadId: unknown = config.configurable?.thread_id;
    const ns: unknown = config.configurable?.checkpoint_ns;
    const onlyId: unknown = config.configurable?.checkpoint_id;
    const beforeId: unknown = before?.configurable?.checkpoint_id;
    const prefix =
      typeof threadId === 'string'
        ? checkpointPrefix(threadId, typeof ns === 'string' ? ns : undefined)
        : checkpointPrefix();
    // Within one thread and namespace, `before` is a key bound; otherwise a filter below.
    let cursor =
      typeof threadId === 'string' && typeof ns === 'string' && typeof beforeId === 'string'
        ? checkpointKey(threadId, ns, beforeId)
        : undefined;
    for (;;) {
      const [page] = await this.#apply([
        this.#op({
          op: 'list',
          prefix,
          reverse: true,
          limit: LIST_PAGE,
          ...(cursor === undefined ? {} : { before: cursor }),
        }),
      ]);
      if (page?.op !== 'list') {
        return;
      }
      for (const entry of page.entries) {
        const key = parseCheckpointKey(entry.key);
        if (
          (typeof ns === 'string' && key.ns !== ns) ||
          (typeof onlyId === 'string' && onlyId !== '' && key.id !== onlyId) ||
          (typeof beforeId === 'string' && key.id >= beforeId)
        ) {
          continue;
        }
        const record = entry.value as CheckpointRecord;
        if (filter !== undefined) {
          const metadata = (await this.#load(record.metadata)) as Record<string, unknown>;
          if (!Object.entries(filter).every(([name, value]) => metadata?.[name] === value)) {
            continue;
          }
        }
        if (remaining !== undefined) {
          if (remaining <= 0) {
            return;
          }
          remaining -= 1;
        }
        yield await this.#tuple(key.threadId, key.ns, key.id, record);
      }
      const last = page.entries.at(-1);
      if (!page.more || last === undefined) {
        return;
      }
      cursor = last.key;
    }
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = this.#threadOf(config);
    if (threadId === undefined) {
      throw missingThread('put a checkpoint');
    }
    const ns = nsOf(config);
    const copy = copyCheckpoint(checkpoint);
    const values = copy.channel_values ?? {};
    copy.channel_values = {};
    const ops: StoreOp[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const value =
        channel in values ? toStored(...(await this.serde.dumpsTyped(values[channel]))) : EMPTY;
      ops.push(this.#op({ op: 'put', key: blobKey(threadId, ns, channel, version), value }));
    }
    const parent = getCheckpointId(config);
    const record: CheckpointRecord = {
      checkpoint: toStored(...(await this.serde.dumpsTyped(copy))),
      metadata: toStored(...(await this.serde.dumpsTyped(metadata))),
      ...(parent ? { parent } : {}),
      ...(typeof checkpoint.ts === 'string' ? { ts: checkpoint.ts } : {}),
      ...(typeof metadata?.step === 'number' ? { step: metadata.step } : {}),
      ...(typeof metadata?.source === 'string' ? { source: metadata.source } : {}),
      versions: checkpoint.channel_versions ?? {},
    };
    // Last: a checkpoint is visible only once the values it names are stored.
    ops.push(
      this.#op({ op: 'put', key: checkpointKey(threadId, ns, checkpoint.id), value: record }),
    );
    await this.#apply(ops);
    return {
      configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id },
    };
  }

  override async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const threadId = this.#threadOf(config);
    if (threadId === undefined) {
      throw missingThread('put writes');
    }
    const checkpointId: unknown = config.configurable?.checkpoint_id;
    if (typeof checkpointId !== 'string' || checkpointId === '') {
      throw new Error(
        `@x/langgraph: cannot put writes: the config has no "checkpoint_id" in "configurable" (got ${JSON.stringify(checkpointId)}); pass the config that put() returned`,
      );
    }
    const ns = nsOf(config);
    const ops = await Promise.all(
      writes.map(async ([channel, value], index): Promise<StoreOp> => {
        const idx = WRITES_IDX_MAP[channel] || index;
        const record: WriteRecord = {
          task: taskId,
          channel,
          value: toStored(...(await this.serde.dumpsTyped(value))),
          path: taskPath ?? '',
        };
        // A regular write: the first one wins (a task re-run must not change what was
        // saved). Special channels (errors, interrupts, negative idx) overwrite.
        return this.#op({
          op: 'put',
          key: writeKey(threadId, ns, checkpointId, taskId, idx),
          value: record,
          ...(idx >= 0 ? { ifAbsent: true } : {}),
        });
      }),
    );
    if (ops.length > 0) {
      await this.#apply(ops);
    }
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.#apply(threadPrefixes(threadId).map((prefix) => this.#op({ op: 'delete', prefix })));
  }

  /** The tuple of a stored checkpoint: its channel values and pending writes read back. */
  async #tuple(
    threadId: string,
    ns: string,
    id: string,
    record: CheckpointRecord,
  ): Promise<CheckpointTuple> {
    const checkpoint = (await this.#load(record.checkpoint)) as Checkpoint;
    const versions = Object.entries(checkpoint.channel_versions ?? {});
    const blobs = await this.#apply(
      versions.map(([channel, version]) =>
        this.#op({ op: 'get', key: blobKey(threadId, ns, channel, version) }),
      ),
    );
    const values: Record<string, unknown> = {};
    for (const [index, [channel]] of versions.entries()) {
      const blob = blobs[index];
      if (blob?.op === 'get' && blob.found && (blob.value as StoredBytes).t !== 'empty') {
        values[channel] = await this.#load(blob.value as StoredBytes);
      }
    }
    checkpoint.channel_values = values;
    const writes = await this.#writes(threadId, ns, id);
    if (checkpoint.v < 4 && record.parent !== undefined) {
      // Checkpoints before v4 kept pending sends as writes of their parent: move them in.
      const parentWrites = await this.#writes(threadId, ns, record.parent);
      checkpoint.channel_values[TASKS] = parentWrites
        .filter(([, channel]) => channel === TASKS)
        .map(([, , value]) => value);
      const known = Object.values(checkpoint.channel_versions);
      checkpoint.channel_versions[TASKS] =
        known.length > 0 ? maxChannelVersion(...known) : this.getNextVersion(undefined);
    }
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: id } },
      checkpoint,
      metadata: (await this.#load(record.metadata)) as CheckpointMetadata,
      pendingWrites: writes,
    };
    if (record.parent !== undefined) {
      tuple.parentConfig = {
        configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: record.parent },
      };
    }
    return tuple;
  }

  /** A checkpoint's pending writes, in `writesSortKey` order (path, task, idx). */
  async #writes(threadId: string, ns: string, id: string): Promise<CheckpointPendingWrite[]> {
    const prefix = writesPrefix(threadId, ns, id);
    const entries: StoreEntry[] = [];
    for (let after: string | undefined; ;) {
      const [page] = await this.#apply([
        this.#op({ op: 'list', prefix, ...(after === undefined ? {} : { after }) }),
      ]);
      if (page?.op !== 'list') {
        break;
      }
      entries.push(...page.entries);
      after = page.entries.at(-1)?.key;
      if (!page.more || after === undefined) {
        break;
      }
    }
    const keyed = entries.map((entry) => {
      const record = entry.value as WriteRecord;
      const idx = Number(entry.key.slice(entry.key.lastIndexOf('/') + 1));
      return { sortKey: writesSortKey(record.path, record.task, idx), record };
    });
    keyed.sort((a, b) => compareWritesSortKeys(a.sortKey, b.sortKey));
    return Promise.all(
      keyed.map(async ({ record }): Promise<CheckpointPendingWrite> => [
        record.task,
        record.channel,
        await this.#load(record.value),
      ]),
    );
  }

  #threadOf(config: RunnableConfig): string | undefined {
    const threadId: unknown = config.configurable?.thread_id;
    if (threadId === undefined || threadId === null) {
      return this.threadId;
    }
    if (typeof threadId !== 'string' && typeof threadId !== 'number') {
      throw new TypeError(
        `@x/langgraph: configurable.thread_id must be a string, got ${typeof threadId}`,
      );
    }
    return String(threadId);
  }

  #op(op: DistributiveOmit<StoreOp, 'ns'>): StoreOp {
    return { ...op, ns: this.namespace };
  }

  #load(stored: StoredBytes): Promise<unknown> {
    return this.serde.loadsTyped(...fromStored(stored));
  }

  /**
   * Applies `ops` in as few requests as fit (by count and by bytes), in order, and returns
   * their results in order. One request is one transaction; a `put` larger than one request
   * goes as several, the checkpoint's own record last.
   */
  async #apply(ops: StoreOp[]): Promise<StoreOpResult[]> {
    const results: StoreOpResult[] = [];
    let chunk: StoreOp[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length > 0) {
        results.push(...(await this.#store.batch(chunk)));
        chunk = [];
        bytes = 0;
      }
    };
    for (const op of ops) {
      const size = op.op === 'put' ? (JSON.stringify(op.value)?.length ?? 4) : 0;
      if (
        chunk.length >= OPS_PER_REQUEST ||
        (chunk.length > 0 && bytes + size > BYTES_PER_REQUEST)
      ) {
        await flush();
      }
      chunk.push(op);
      bytes += size;
    }
    await flush();
    return results;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function nsOf(config: RunnableConfig): string {
  const ns: unknown = config.configurable?.checkpoint_ns;
  return typeof ns === 'string' ? ns : '';
}

function missingThread(what: string): Error {
  return new Error(
    `@x/langgraph: cannot ${what}: the config has no "thread_id" in "configurable" and the saver has no default thread; create the saver with checkpointerFor(ctx) (the thread is the run) or pass graph.invoke(input, { configurable: { thread_id } })`,
  );
}
