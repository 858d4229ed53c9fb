import type { AgentInputItem, Session } from '@openai/agents';
import { SessionStoreError } from './errors.js';
import { SerialQueue } from './serial-queue.js';
import {
  HEAD_VERSION,
  SESSION_NAMESPACE,
  headKey,
  itemKey,
  itemsPrefix,
  readHead,
  seqOfKey,
  sessionPrefix,
  type SessionHead,
} from './session-keys.js';

/** The record-store operations a session sends (a subset of `ctx.store.batch`'s). */
export type SessionStoreOp =
  | { op: 'put'; ns: string; key: string; value: unknown }
  | { op: 'get'; ns: string; key: string }
  | {
      op: 'list';
      ns: string;
      prefix: string;
      after?: string;
      before?: string;
      reverse?: boolean;
      limit: number;
    }
  | { op: 'delete'; ns: string; key: string }
  | { op: 'delete'; ns: string; prefix: string };

/** The part of `ctx.store` a session uses: one batch, applied in one durable transaction. */
export interface SessionStore {
  batch(ops: SessionStoreOp[]): Promise<unknown[]>;
}

/** What {@link xSession} needs of an x agent's `ctx` (setup, a step, a turn or teardown). */
export interface SessionContext {
  readonly runId: string;
  readonly store: SessionStore;
}

/** Options of {@link xSession}. */
export interface XSessionOptions {
  /**
   * The conversation's id, 1 to 200 characters: sessions with different ids are separate
   * conversations in the same run (e.g. one per user: `user-${id}`).
   * @default the run id (`ctx.runId`): one conversation per run
   */
  sessionId?: string;
}

/** Largest record the daemon stores (namespace, key and the value's JSON), bytes: 4 MiB. */
export const SESSION_ITEM_MAX_BYTES = 4 * 1024 * 1024;
/** Items' JSON one write batch carries at most, bytes: 4 MiB, half the protocol's 8 MiB frame. */
const BATCH_VALUE_BYTES = 4 * 1024 * 1024;
/** Operations in one batch: the protocol's 1000 (STORE_MAX_OPS), one kept for the head. */
const BATCH_MAX_ITEMS = 999;
/** Records one `list` returns at most (the protocol's limit). */
const PAGE = 1000;

type GetResult = { op: 'get'; found: boolean; value?: unknown };
type ListResult = { op: 'list'; entries: { key: string; value?: unknown }[]; more: boolean };

/** One session's operations run one at a time per run store (see {@link XSession}). */
const serial = new SerialQueue();

/**
 * An OpenAI Agents SDK `Session` (conversation history for `run(agent, input, { session })`)
 * kept in the run's durable records (`ctx.store`, namespace `openai-agents-session`; layout in
 * `session-keys.ts` and the README). What it stores survives a `kill -9` of the runner, a
 * restart by policy and `x agent restart` (every attempt of the run sees it), and goes when
 * the run is removed.
 *
 * - `addItems` resolves once the daemon committed the items durably, in order. Up to 999
 *   items and 4 MiB of JSON go in one transaction with the head; a larger call writes its
 *   items first and the head last, so a kill in between adds none of them.
 * - `getItems(limit)` reads the newest `limit` items (one reverse `list` of at most 1000
 *   records per trip), not the whole history; `getItems()` reads all of it, in pages.
 * - Nothing is cached: memory is what a call returns.
 *
 * Calls on sessions over one `ctx.store` with the same id run one at a time (a queue per id,
 * in this process); a run has one runner at a time, so no other process writes its records.
 * Failures reject with a {@link SessionStoreError}.
 */
export class XSession implements Session {
  readonly #store: SessionStore;

  /**
   * @param store the run's record store (`ctx.store`).
   * @param sessionId 1 to 200 characters.
   * @throws TypeError for a bad `store` or `sessionId`, naming it.
   */
  constructor(
    store: SessionStore,
    /** The conversation's id. */
    readonly sessionId: string,
  ) {
    if (typeof store?.batch !== 'function') {
      throw new TypeError(
        `@x/openai-agents: xSession: ctx.store is ${store === undefined ? 'undefined' : 'not a record store'}; pass the ctx of an x agent (setup, step, turn) under a daemon that keeps records, or createRunner(agent, { onStore })`,
      );
    }
    if (!isSessionId(sessionId)) {
      throw new TypeError(
        `@x/openai-agents: xSession: sessionId must be a string of 1 to 200 characters (no lone surrogate), got ${describeGiven(sessionId)}`,
      );
    }
    this.#store = store;
  }

  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  /**
   * The newest `limit` items in conversation order (all of them without `limit`; none for
   * `limit <= 0`).
   * @throws TypeError when `limit` is not an integer (or Infinity), naming it.
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (limit !== undefined && !Number.isInteger(limit) && limit !== Infinity) {
      throw new TypeError(
        `@x/openai-agents: session ${JSON.stringify(this.sessionId)}: getItems(limit): limit must be an integer, got ${String(limit)}`,
      );
    }
    if (limit !== undefined && limit <= 0) {
      return [];
    }
    return this.#serial('getItems', () =>
      limit === undefined || limit === Infinity ? this.#readAll() : this.#readNewest(limit),
    );
  }

  /**
   * Appends `items` after the newest, in order; resolves once they are committed durably.
   * @throws SessionStoreError `X_OPENAI_AGENTS_SESSION_ITEM_TOO_LARGE` (nothing sent) for an
   *   item whose JSON does not fit a record; `X_OPENAI_AGENTS_SESSION_OVER_CAP` when the
   *   run's records would pass their cap (none of the items is added).
   */
  async addItems(items: AgentInputItem[]): Promise<void> {
    if (!Array.isArray(items)) {
      throw new TypeError(
        `@x/openai-agents: session ${JSON.stringify(this.sessionId)}: addItems(items): items must be an array of AgentInputItem, got ${typeof items}`,
      );
    }
    if (items.length === 0) {
      return;
    }
    const values = items.map((item, index) => this.#itemValue(item, index));
    await this.#serial('addItems', async () => {
      const [head] = (await this.#batch([this.#getHead()])) as [GetResult];
      const start = readHead(head.value, headKey(this.sessionId));
      const batches = splitBatches(values);
      let seq = start;
      for (const [index, batch] of batches.entries()) {
        const ops: SessionStoreOp[] = batch.map(({ value }) => ({
          op: 'put',
          ns: SESSION_NAMESPACE,
          key: itemKey(this.sessionId, seq++),
          value,
        }));
        if (index === batches.length - 1) {
          ops.push(this.#putHead(seq));
        }
        try {
          await this.#batch(ops);
        } catch (error) {
          await this.#forget(start, seq - batch.length);
          throw error;
        }
      }
    });
  }

  /** Removes the newest item and resolves with it (undefined when the session is empty). */
  async popItem(): Promise<AgentInputItem | undefined> {
    return this.#serial('popItem', async () => {
      const [head] = (await this.#batch([this.#getHead()])) as [GetResult];
      const next = readHead(head.value, headKey(this.sessionId));
      if (next === 0) {
        return undefined;
      }
      const key = itemKey(this.sessionId, next - 1);
      const [item] = (await this.#batch([
        { op: 'get', ns: SESSION_NAMESPACE, key },
        { op: 'delete', ns: SESSION_NAMESPACE, key },
        this.#putHead(next - 1),
      ])) as [GetResult];
      return item.found ? (item.value as AgentInputItem) : undefined;
    });
  }

  /** Deletes the session's records (head and items) in one transaction. */
  async clearSession(): Promise<void> {
    await this.#serial('clearSession', () =>
      this.#batch([{ op: 'delete', ns: SESSION_NAMESPACE, prefix: sessionPrefix(this.sessionId) }]),
    );
  }

  /** Every item, ascending, in pages; stops at the head's `next`. */
  async #readAll(): Promise<AgentInputItem[]> {
    const prefix = itemsPrefix(this.sessionId);
    const [head, first] = (await this.#batch([
      this.#getHead(),
      { op: 'list', ns: SESSION_NAMESPACE, prefix, limit: PAGE },
    ])) as [GetResult, ListResult];
    const next = readHead(head.value, headKey(this.sessionId));
    const before = itemKey(this.sessionId, next);
    const items: AgentInputItem[] = [];
    for (let page = first; ;) {
      for (const entry of page.entries) {
        if (seqOfKey(entry.key) >= next) {
          return items;
        }
        items.push(entry.value as AgentInputItem);
      }
      const last = page.entries.at(-1);
      if (!page.more || last === undefined) {
        return items;
      }
      [page] = (await this.#batch([
        { op: 'list', ns: SESSION_NAMESPACE, prefix, after: last.key, before, limit: PAGE },
      ])) as [ListResult];
    }
  }

  /** The newest `limit` items: reverse pages from the head's `next`, then turned around. */
  async #readNewest(limit: number): Promise<AgentInputItem[]> {
    const prefix = itemsPrefix(this.sessionId);
    const [head, first] = (await this.#batch([
      this.#getHead(),
      { op: 'list', ns: SESSION_NAMESPACE, prefix, reverse: true, limit: Math.min(limit, PAGE) },
    ])) as [GetResult, ListResult];
    const next = readHead(head.value, headKey(this.sessionId));
    const bound = itemKey(this.sessionId, next);
    const newest: AgentInputItem[] = [];
    for (let page = first; ;) {
      for (const entry of page.entries) {
        if (seqOfKey(entry.key) < next) {
          newest.push(entry.value as AgentInputItem);
          if (newest.length === limit) {
            return newest.reverse();
          }
        }
      }
      const last = page.entries.at(-1);
      if (!page.more || last === undefined) {
        return newest.reverse();
      }
      [page] = (await this.#batch([
        {
          op: 'list',
          ns: SESSION_NAMESPACE,
          prefix,
          before: last.key < bound ? last.key : bound,
          reverse: true,
          limit: Math.min(limit - newest.length, PAGE),
        },
      ])) as [ListResult];
    }
  }

  /** An item as it will be stored (its JSON round trip), checked to fit a record. */
  #itemValue(item: AgentInputItem, index: number): { value: unknown; bytes: number } {
    const text = JSON.stringify(item) as string | undefined;
    if (text === undefined || item === null || typeof item !== 'object') {
      throw new TypeError(
        `@x/openai-agents: session ${JSON.stringify(this.sessionId)}: addItems: items[${index}] must be an AgentInputItem object, got ${item === null ? 'null' : typeof item}`,
      );
    }
    const bytes =
      SESSION_NAMESPACE.length + itemKey(this.sessionId, 0).length + Buffer.byteLength(text);
    if (bytes > SESSION_ITEM_MAX_BYTES) {
      throw new SessionStoreError(
        'X_OPENAI_AGENTS_SESSION_ITEM_TOO_LARGE',
        this.sessionId,
        'addItems',
        `@x/openai-agents: session ${JSON.stringify(this.sessionId)}: addItems: items[${index}] (${describeItem(item)}) takes ${bytes} bytes as a record, over the ${SESSION_ITEM_MAX_BYTES} bytes (4 MiB) one record may hold; nothing was stored. Keep large content out of the conversation: refer to a file by id or URL instead of inlining it`,
      );
    }
    return { value: JSON.parse(text) as unknown, bytes };
  }

  #getHead(): SessionStoreOp {
    return { op: 'get', ns: SESSION_NAMESPACE, key: headKey(this.sessionId) };
  }

  #putHead(next: number): SessionStoreOp {
    const value: SessionHead = { v: HEAD_VERSION, next };
    return { op: 'put', ns: SESSION_NAMESPACE, key: headKey(this.sessionId), value };
  }

  /** Best effort: deletes items `from` to `to - 1` written past the head by a failed add. */
  async #forget(from: number, to: number): Promise<void> {
    for (let seq = from; seq < to; seq += PAGE) {
      const ops: SessionStoreOp[] = [];
      for (let each = seq; each < Math.min(to, seq + PAGE); each += 1) {
        ops.push({ op: 'delete', ns: SESSION_NAMESPACE, key: itemKey(this.sessionId, each) });
      }
      // Past the head they are not part of the session anyway; later writes replace them.
      await this.#store.batch(ops).catch(() => undefined);
    }
  }

  #batch(ops: SessionStoreOp[]): Promise<unknown[]> {
    return this.#store.batch(ops);
  }

  /** Runs `task` after this session's earlier calls; its errors as SessionStoreErrors. */
  async #serial<T>(operation: SessionStoreError['operation'], task: () => Promise<T>): Promise<T> {
    try {
      return await serial.run(this.#store, this.sessionId, task);
    } catch (error) {
      throw sessionError(this.sessionId, operation, error);
    }
  }
}

/**
 * An `@openai/agents` `Session` kept in the x run's durable records: pass it to
 * `run(agent, input, { session })` (or `runWithX`'s `runOptions`), and the conversation
 * survives `kill -9` of the runner, restarts by policy and `x agent restart`. See
 * {@link XSession}.
 * @param ctx an x agent's `ctx` (`runId` and `store`).
 * @throws TypeError when `ctx.store` is missing or `options.sessionId` is not 1 to 200
 *   characters.
 */
export function xSession(ctx: SessionContext, options: XSessionOptions = {}): XSession {
  return new XSession(ctx?.store, options.sessionId ?? ctx?.runId);
}

function isSessionId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    return false;
  }
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false; // a lone surrogate (URIError)
  }
}

/** Items in batches of at most BATCH_MAX_ITEMS and BATCH_VALUE_BYTES (one item at least). */
function splitBatches<T extends { bytes: number }>(values: T[]): T[][] {
  const batches: T[][] = [[]];
  let bytes = 0;
  for (const value of values) {
    const current = batches.at(-1) as T[];
    if (
      current.length > 0 &&
      (current.length >= BATCH_MAX_ITEMS || bytes + value.bytes > BATCH_VALUE_BYTES)
    ) {
      batches.push([value]);
      bytes = value.bytes;
    } else {
      current.push(value);
      bytes += value.bytes;
    }
  }
  return batches;
}

function describeGiven(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 250)) : typeof value;
}

function describeItem(item: AgentInputItem): string {
  const { type, role } = item as { type?: unknown; role?: unknown };
  return typeof type === 'string' ? type : typeof role === 'string' ? `${role} message` : 'item';
}

/** `error` as a SessionStoreError naming the session and the call (the cap when over it). */
function sessionError(
  sessionId: string,
  operation: SessionStoreError['operation'],
  error: unknown,
): unknown {
  if (error instanceof SessionStoreError || error instanceof TypeError) {
    return error;
  }
  const text = error instanceof Error ? error.message : String(error);
  const storeCode = (error as { code?: unknown } | null)?.code;
  const code = typeof storeCode === 'string' ? storeCode : undefined;
  const who = `@x/openai-agents: session ${JSON.stringify(sessionId)}: ${operation}`;
  const cap = /over its cap of (\d+) bytes/.exec(text);
  if (cap !== null) {
    const capBytes = Number(cap[1]);
    return new SessionStoreError(
      'X_OPENAI_AGENTS_SESSION_OVER_CAP',
      sessionId,
      operation,
      `${who} was not stored: the run's records would pass their cap of ${capBytes} bytes (${(capBytes / 1024 / 1024).toFixed(1)} MiB, the daemon's storeMaxBytes); none of it is part of the session, which holds what it held before. Make room: clearSession() the sessions this run no longer needs, or carry on the conversation in a new run (records go with their run); or raise the cap: x daemon start --max-records-mb <mib> (startDaemon({ recordsMaxBytes }) for an embedded daemon). The store said: ${text}`,
      { cause: error, storeCode: code, capBytes },
    );
  }
  return new SessionStoreError(
    'X_OPENAI_AGENTS_SESSION_STORE_FAILED',
    sessionId,
    operation,
    `${who} failed: ${text}`,
    { cause: error, storeCode: code },
  );
}
