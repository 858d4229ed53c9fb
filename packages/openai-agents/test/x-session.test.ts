// xSession over the ctx.store of an in-process runner (createRunner's onStore) whose records
// are @x/daemon's RecordStore on a real SQLite file: what the daemon does, without the
// processes (test/daemon-session.test.ts runs it under a real daemon and kill -9).
import { Agent, run, setTracingDisabled, tool, type AgentInputItem } from '@openai/agents';
import { createRunner, defineAgent, type AgentContext, type Runner } from '@x/kernel';
import { z } from 'zod';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runWithX, SESSION_NAMESPACE, SessionStoreError, xSession } from '../src/index.js';
import { ScriptedModel } from './scripted-model.js';
import { sqliteRecords, type SqliteRecords } from './sqlite-records.js';

beforeAll(() => setTracingDisabled(true));

const user = (text: string): AgentInputItem => ({ role: 'user', content: text });
const texts = (items: AgentInputItem[]) =>
  items.map((item) => (item as { content: string }).content);
const many = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => user(`m${from + index}`));

describe('xSession (createRunner onStore, RecordStore on SQLite)', () => {
  let records: SqliteRecords;
  const runners: Runner[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    records?.close();
  });

  /** The ctx of a started in-process runner (an attempt of the run) over `records`. */
  async function attempt(): Promise<AgentContext> {
    let captured: AgentContext | undefined;
    const runner = createRunner(
      defineAgent({
        setup(ctx) {
          captured = ctx;
        },
        turn: async () => 'unused',
      }),
      { runId: records.runId, onStore: (ops) => records.batch(ops) },
    );
    runners.push(runner);
    await runner.start();
    return captured as AgentContext;
  }

  it('a run of two conversations: the second attempt sends the first one to the model', async () => {
    records = sqliteRecords();
    const turn = async (input: string, script: ScriptedModel) => {
      const ctx = await attempt();
      const agent = new Agent({ name: 'desk', model: script });
      return run(agent, input, { session: xSession(ctx) });
    };
    const first = new ScriptedModel([{ text: 'Hello Ada.' }]);
    expect((await turn('My name is Ada.', first)).finalOutput).toBe('Hello Ada.');
    const second = new ScriptedModel([{ text: 'Your name is Ada.' }]);
    await turn('What is my name?', second);
    const sent = JSON.stringify(second.requests[0]?.input);
    expect(sent).toContain('My name is Ada.');
    expect(sent).toContain('Hello Ada.');
    expect(sent.indexOf('My name is Ada.')).toBeLessThan(sent.indexOf('What is my name?'));
    const ctx = await attempt();
    const items = await xSession(ctx).getItems();
    expect(items.map((item) => (item as { role?: string }).role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    // the documented layout: the run id, a head, zero-padded item numbers
    expect(records.rows(SESSION_NAMESPACE).map((row) => row.key)).toEqual([
      'r-session/h',
      'r-session/i/000000000000',
      'r-session/i/000000000001',
      'r-session/i/000000000002',
      'r-session/i/000000000003',
    ]);
    expect(JSON.parse(records.rows(SESSION_NAMESPACE)[0]?.value ?? '')).toEqual({ v: 1, next: 4 });
  });

  it('with runWithX: an approval pending across attempts, the session holds the turn once', async () => {
    records = sqliteRecords();
    const refunds: number[] = [];
    const refund = tool({
      name: 'refund',
      description: 'Refund an order',
      parameters: z.object({ order: z.number() }),
      needsApproval: true,
      execute: ({ order }) => {
        refunds.push(order);
        return `refunded ${order}`;
      },
    });
    const model = new ScriptedModel([{ tool: 'refund', args: { order: 42 } }, { text: 'done' }]);
    const agent = new Agent({ name: 'desk', tools: [refund], model });
    const attemptWith = (answer: () => Promise<'granted' | 'denied'>) => {
      const runner = createRunner(
        defineAgent({
          async step(ctx) {
            const { result } = await runWithX(agent, 'refund order 42', ctx, {
              runOptions: { session: xSession(ctx) },
            });
            return { done: true, summary: String(result.finalOutput) };
          },
        }),
        {
          runId: records.runId,
          intervalMs: 0,
          maxIterations: 1,
          onStore: (ops) => records.batch(ops),
          onPermissionRequest: answer,
        },
      );
      runners.push(runner);
      return runner;
    };
    // attempt 1 stops while the approval is pending
    let asked!: () => void;
    const pending = new Promise<void>((resolve) => (asked = resolve));
    const first = attemptWith(() => {
      asked();
      return new Promise(() => undefined);
    });
    await first.start();
    await pending;
    await first.stop({ graceMs: 200 });
    const second = attemptWith(async () => 'granted');
    await second.start();
    expect(await second.finished).toMatchObject({ reason: 'done' });
    expect(refunds).toEqual([42]);
    const ctx = await attempt();
    const types = (await xSession(ctx).getItems()).map(
      (item) => (item as { type?: string; role?: string }).type ?? 'message',
    );
    expect(types).toEqual(['message', 'function_call', 'function_call_result', 'message']);
  });

  it('getItems(3) of 2 500 items reads the newest 3 in one trip, not the history', async () => {
    records = sqliteRecords();
    const session = xSession(await attempt());
    await session.addItems(many(2500));
    records.batches.length = 0;
    expect(texts(await session.getItems(3))).toEqual(['m2497', 'm2498', 'm2499']);
    expect(records.batches).toEqual([
      [
        { op: 'get', ns: SESSION_NAMESPACE, key: 'r-session/h' },
        { op: 'list', ns: SESSION_NAMESPACE, prefix: 'r-session/i/', reverse: true, limit: 3 },
      ],
    ]);
    // 1 200 newest: two reverse pages (1 000 + 200), in order
    const newest = texts(await session.getItems(1200));
    expect(newest).toHaveLength(1200);
    expect(newest[0]).toBe('m1300');
    expect(newest.at(-1)).toBe('m2499');
    // all of them, ascending pages
    const all = texts(await session.getItems());
    expect(all).toEqual(texts(many(2500)));
    expect(await session.getItems(0)).toEqual([]);
    expect(texts(await session.getItems(Infinity))).toHaveLength(2500);
  });

  it('addItems of 1 500 items goes in 2 batches, the head last; one cut short adds none', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    const session = xSession(ctx);
    await session.addItems(many(2));
    records.batches.length = 0;
    await session.addItems(many(1500, 2));
    // a head read, then 999 items, then 501 items with the head
    expect(records.batches.map((ops) => ops.length)).toEqual([1, 999, 502]);
    expect(records.batches[2]?.at(-1)).toMatchObject({ op: 'put', value: { v: 1, next: 1502 } });
    expect(await session.getItems()).toHaveLength(1502);

    // A store that fails the batch carrying the head: the items written before it are not
    // part of the session, and are deleted.
    const failing = {
      batch: async (ops: Parameters<typeof records.batch>[0]) => {
        if (ops.some((op) => op.op === 'put' && op.key.endsWith('/h'))) {
          throw new Error('disk on fire');
        }
        return records.batch(ops);
      },
    };
    const cut = xSession({ runId: ctx.runId, store: failing });
    const error = await cut.addItems(many(1200, 5000)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({
      code: 'X_OPENAI_AGENTS_SESSION_STORE_FAILED',
      operation: 'addItems',
      sessionId: 'r-session',
    });
    expect((error as Error).message).toMatch(/session "r-session": addItems failed: disk on fire/);
    expect(await session.getItems()).toHaveLength(1502);
    expect(records.rows(SESSION_NAMESPACE)).toHaveLength(1503); // the head and 1 502 items
  });

  it('an item record past the head (an add cut short before its cleanup) is skipped, then replaced', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    const session = xSession(ctx);
    await session.addItems(many(3));
    await ctx.store.put(SESSION_NAMESPACE, 'r-session/i/000000000003', user('orphan'));
    await ctx.store.put(SESSION_NAMESPACE, 'r-session/i/000000000004', user('orphan'));
    expect(texts(await session.getItems())).toEqual(['m0', 'm1', 'm2']);
    expect(texts(await session.getItems(2))).toEqual(['m1', 'm2']);
    await session.addItems([user('m3')]);
    expect(texts(await session.getItems(10))).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('popItem removes and returns the newest; the next add takes its place; empty: undefined', async () => {
    records = sqliteRecords();
    const session = xSession(await attempt());
    expect(await session.popItem()).toBeUndefined();
    await session.addItems(many(3));
    expect(await session.popItem()).toEqual(user('m2'));
    expect(texts(await session.getItems())).toEqual(['m0', 'm1']);
    await session.addItems([user('x')]);
    expect(texts(await session.getItems())).toEqual(['m0', 'm1', 'x']);
    expect(records.rows(SESSION_NAMESPACE).map((row) => row.key)).toEqual([
      'r-session/h',
      'r-session/i/000000000000',
      'r-session/i/000000000001',
      'r-session/i/000000000002',
    ]);
  });

  it('sessions by id are separate conversations; clearSession deletes one, in one request', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    const ada = xSession(ctx, { sessionId: 'user/ada' });
    const bob = xSession(ctx, { sessionId: 'user/bob' });
    expect(await ada.getSessionId()).toBe('user/ada');
    expect(await xSession(ctx).getSessionId()).toBe('r-session');
    await ada.addItems([user('a')]);
    await bob.addItems([user('b')]);
    expect(texts(await ada.getItems())).toEqual(['a']);
    records.batches.length = 0;
    await ada.clearSession();
    expect(records.batches).toEqual([
      [{ op: 'delete', ns: SESSION_NAMESPACE, prefix: 'user%2Fada/' }],
    ]);
    expect(await ada.getItems()).toEqual([]);
    expect(texts(await bob.getItems())).toEqual(['b']);
    await ada.addItems([user('again')]);
    expect(texts(await ada.getItems())).toEqual(['again']);
  });

  it('concurrent adds on two session objects of one id keep every item (one queue per id)', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    const one = xSession(ctx);
    const two = xSession(ctx);
    await Promise.all([
      one.addItems(many(50, 0)),
      two.addItems(many(50, 100)),
      one.addItems(many(50, 200)),
    ]);
    const all = texts(await two.getItems());
    expect(all).toEqual([...texts(many(50, 0)), ...texts(many(50, 100)), ...texts(many(50, 200))]);
  });

  it('at the run cap: addItems rejects naming the cap and the fix; the session keeps what it had', async () => {
    records = sqliteRecords({ maxBytes: 20_000 });
    const session = xSession(await attempt());
    await session.addItems([user('kept')]);
    const error = await session
      .addItems(many(10).map(() => user('x'.repeat(3000))))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({
      code: 'X_OPENAI_AGENTS_SESSION_OVER_CAP',
      capBytes: 20_000,
      storeCode: 'X_STORE_REFUSED',
    });
    expect((error as Error).message).toMatch(
      /^@x\/openai-agents: session "r-session": addItems was not stored: the run's records would pass their cap of 20000 bytes \(0\.0 MiB, the daemon's storeMaxBytes\); .*clearSession\(\)/,
    );
    expect(texts(await session.getItems())).toEqual(['kept']);
  });

  it('an item over 4 MiB is refused before anything is sent, naming it', async () => {
    records = sqliteRecords();
    const session = xSession(await attempt());
    records.batches.length = 0;
    const error = await session
      .addItems([user('ok'), user('y'.repeat(4 * 1024 * 1024))])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'X_OPENAI_AGENTS_SESSION_ITEM_TOO_LARGE' });
    expect((error as Error).message).toMatch(
      /addItems: items\[1\] \(user message\) takes 41943\d\d bytes as a record, over the 4194304 bytes/,
    );
    expect(records.batches).toEqual([]);
  });

  it('a head record of another format is refused, naming the key and the fix', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    await ctx.store.put(SESSION_NAMESPACE, 'r-session/h', { next: 'soon' });
    await expect(xSession(ctx).getItems(1)).rejects.toMatchObject({
      code: 'X_OPENAI_AGENTS_SESSION_STORE_FAILED',
      message: expect.stringMatching(
        /getItems failed: .*record "r-session\/h" of namespace openai-agents-session is not a session head of format 1 .*got \{"next":"soon"\}.*clear the session/,
      ),
    });
  });

  it('bad arguments are TypeErrors naming the value', async () => {
    records = sqliteRecords();
    const ctx = await attempt();
    expect(() => xSession(ctx, { sessionId: '' })).toThrow(
      /sessionId must be a string of 1 to 200 characters \(no lone surrogate\), got ""/,
    );
    expect(() => xSession(ctx, { sessionId: '\ud800' })).toThrow(/no lone surrogate/);
    expect(() => xSession({ runId: 'r', store: undefined as never })).toThrow(
      /ctx.store is undefined; pass the ctx of an x agent/,
    );
    await expect(xSession(ctx).getItems(1.5)).rejects.toThrow(/limit must be an integer, got 1.5/);
    await expect(xSession(ctx).addItems('hi' as never)).rejects.toThrow(
      /items must be an array of AgentInputItem, got string/,
    );
  });
});
