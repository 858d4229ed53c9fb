import type { StoreEntry, StoreOp, StoreOpResult } from '@x/ipc';
import { KERNEL_ERROR_CODES, StoreError } from './errors.js';
import { findJsonProblem } from './json-value.js';

/**
 * Applies a batch of record operations for the run, in one transaction, and resolves with
 * one result per operation once its writes are stored: under the daemon a `store` message
 * answered by `store_result`; in an in-process runner, `createRunner`'s `onStore`.
 */
export type StoreBatch = (ops: StoreOp[]) => Promise<StoreOpResult[]>;

/** Options of {@link AgentStore.list}. */
export interface StoreListOptions {
  /** Only keys that start with this. @default every key */
  prefix?: string;
  /** Only keys greater than this (exclusive): the last key of the previous page. */
  after?: string;
  /** Only keys less than this (exclusive): the last key of the previous page with `reverse`. */
  before?: string;
  /** Descending key order. @default false */
  reverse?: boolean;
  /** At most this many records, 1 to 1000. @default 1000 */
  limit?: number;
  /** Keys and sizes only, without values. @default false */
  keysOnly?: boolean;
}

/**
 * `ctx.store`: the run's durable records, JSON values under `(namespace, key)`, kept by the
 * supervisor in SQLite until the run is removed (a run's records may take 64 MiB in all
 * unless the daemon says otherwise; a write past that is refused, nothing is dropped). Every
 * method resolves once the supervisor has committed the request durably: the write survives
 * a `kill -9` of the runner and of the daemon, and a power loss. Each attempt of the run
 * sees what earlier attempts stored. Keys are listed in binary (code point) order.
 *
 * Namespaces are 1 to 256 characters, keys 1 to 1024, a record (namespace, key and the UTF-8
 * bytes of the value's JSON text) at most 4 MiB. Bytes go as base64 strings.
 *
 * Every method rejects with a TypeError (synchronously checked, nothing sent) for a bad
 * argument, naming it, and with a StoreError (`X_STORE_REFUSED`, `X_STORE_STOPPING`,
 * `X_STORE_UNSUPPORTED`) when the request was not applied.
 */
export interface AgentStore {
  /**
   * Applies `ops` in order, in one transaction (all or none), and resolves with one result
   * per operation: the way to write several records atomically, or to read them in one trip.
   */
  batch(ops: readonly StoreOp[]): Promise<StoreOpResult[]>;
  /**
   * Writes `value` (any JSON value) under `key`. Resolves with true when written; false when
   * `options.ifAbsent` found a record there (the first write wins).
   */
  put(ns: string, key: string, value: unknown, options?: { ifAbsent?: boolean }): Promise<boolean>;
  /** The value under `key`, or undefined when there is none. */
  get(ns: string, key: string): Promise<unknown>;
  /** A page of records in key order; `more` says whether more match past the last one. */
  list(ns: string, options?: StoreListOptions): Promise<{ entries: StoreEntry[]; more: boolean }>;
  /** Deletes the record under `key`; resolves with whether there was one. */
  delete(ns: string, key: string): Promise<boolean>;
  /** Deletes every record whose key starts with `prefix` (`''`: the namespace); resolves with how many. */
  deletePrefix(ns: string, prefix: string): Promise<number>;
}

/** Largest number of operations in one batch (the protocol's STORE_MAX_OPS). */
const MAX_OPS = 1000;

/**
 * The `ctx.store` of a run over `batch` (undefined: the runner keeps no records, and every
 * call rejects with `X_STORE_UNSUPPORTED`). Checks every argument before anything is sent.
 */
export function makeAgentStore(batch: StoreBatch | undefined): AgentStore {
  const run = async (ops: StoreOp[]): Promise<StoreOpResult[]> => {
    checkOps(ops);
    if (batch === undefined) {
      throw new StoreError(
        KERNEL_ERROR_CODES.STORE_UNSUPPORTED,
        '@x/kernel: ctx.store: this runner keeps no records: its supervisor does not offer them (an x daemon older than the record store), or it is an in-process runner made by createRunner without onStore; pass createRunner(agent, { onStore }) or run the agent under an x daemon that keeps records',
      );
    }
    return batch(ops);
  };
  const one = async <T extends StoreOpResult['op']>(
    op: StoreOp & { op: T },
  ): Promise<StoreOpResult & { op: T }> => {
    const [result] = await run([op]);
    return result as StoreOpResult & { op: T };
  };
  return {
    batch: (ops) => run([...ops]),
    async put(ns, key, value, options = {}) {
      const op: StoreOp = { op: 'put', ns, key, value };
      if (options.ifAbsent === true) {
        op.ifAbsent = true;
      }
      return (await one(op)).written;
    },
    async get(ns, key) {
      const result = await one({ op: 'get', ns, key });
      return result.found ? result.value : undefined;
    },
    async list(ns, options = {}) {
      const { entries, more } = await one({ op: 'list', ns, ...definedOnly(options) });
      return { entries, more };
    },
    async delete(ns, key) {
      return (await one({ op: 'delete', ns, key })).deleted > 0;
    },
    async deletePrefix(ns, prefix) {
      return (await one({ op: 'delete', ns, prefix })).deleted;
    },
  };
}

function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as T;
}

/** @throws TypeError naming the first bad operation, field and value, and the fix. */
function checkOps(ops: readonly StoreOp[]): void {
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_OPS) {
    throw new TypeError(
      `@x/kernel: ctx.store.batch(ops): ops must be an array of 1 to ${MAX_OPS} operations, got ${Array.isArray(ops) ? `${ops.length}` : typeof ops}; split a larger batch`,
    );
  }
  for (const [index, op] of ops.entries()) {
    const where = `ctx.store: ops[${index}] (${String((op as { op?: unknown })?.op)})`;
    const text = (field: string, value: unknown, min: number, max: number) => {
      if (typeof value !== 'string' || value.length < min || value.length > max) {
        throw new TypeError(
          `@x/kernel: ${where}: ${field} must be a string of ${min} to ${max} characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`,
        );
      }
    };
    text('ns', op.ns, 1, 256);
    switch (op.op) {
      case 'put': {
        text('key', op.key, 1, 1024);
        const problem = findJsonProblem(op.value, 'value');
        if (problem !== undefined) {
          throw new TypeError(`@x/kernel: ${where}: ${problem}`);
        }
        break;
      }
      case 'get':
        text('key', op.key, 1, 1024);
        break;
      case 'list':
        for (const field of ['prefix', 'after', 'before'] as const) {
          if (op[field] !== undefined) {
            text(field, op[field], 0, 1024);
          }
        }
        if (
          op.limit !== undefined &&
          (!Number.isInteger(op.limit) || op.limit < 1 || op.limit > 1000)
        ) {
          throw new TypeError(
            `@x/kernel: ${where}: limit must be an integer from 1 to 1000, got ${String(op.limit)}`,
          );
        }
        break;
      case 'delete':
        if ((op.key === undefined) === (op.prefix === undefined)) {
          throw new TypeError(
            `@x/kernel: ${where}: give exactly one of key (one record) and prefix (every record under it)`,
          );
        }
        if (op.key !== undefined) {
          text('key', op.key, 1, 1024);
        } else {
          text('prefix', op.prefix, 0, 1024);
        }
        break;
      default:
        throw new TypeError(`@x/kernel: ${where}: op must be one of put, get, list, delete`);
    }
  }
}
