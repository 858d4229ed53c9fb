import type { StoreOp, StoreOpResult } from '@x/ipc';
import { describe, expect, it } from 'vitest';
import { makeAgentStore } from './agent-store.js';
import { createRunner } from './create-runner.js';
import { defineAgent } from './define-agent.js';
import { StoreError } from './errors.js';
import { StoreRequests } from './store-requests.js';

describe('ctx.store (makeAgentStore)', () => {
  const recording = () => {
    const sent: StoreOp[][] = [];
    const answers: StoreOpResult[] = [];
    const store = makeAgentStore(async (ops) => {
      sent.push(ops);
      return answers.splice(0, ops.length);
    });
    return { sent, answers, store };
  };

  it('put, get, list, delete and deletePrefix send one operation each and read its result', async () => {
    const { sent, answers, store } = recording();
    answers.push({ op: 'put', written: false });
    expect(await store.put('n', 'k', { a: 1 }, { ifAbsent: true })).toBe(false);
    answers.push({ op: 'get', found: true, value: 7 });
    expect(await store.get('n', 'k')).toBe(7);
    answers.push({ op: 'get', found: false });
    expect(await store.get('n', 'gone')).toBeUndefined();
    answers.push({ op: 'list', entries: [{ key: 'k', bytes: 3 }], more: true });
    expect(await store.list('n', { prefix: 'k', limit: 1, reverse: undefined })).toEqual({
      entries: [{ key: 'k', bytes: 3 }],
      more: true,
    });
    answers.push({ op: 'delete', deleted: 1 }, { op: 'delete', deleted: 4 });
    expect(await store.delete('n', 'k')).toBe(true);
    expect(await store.deletePrefix('n', '')).toBe(4);
    expect(sent).toEqual([
      [{ op: 'put', ns: 'n', key: 'k', value: { a: 1 }, ifAbsent: true }],
      [{ op: 'get', ns: 'n', key: 'k' }],
      [{ op: 'get', ns: 'n', key: 'gone' }],
      // undefined options are left out, not sent as undefined
      [{ op: 'list', ns: 'n', prefix: 'k', limit: 1 }],
      [{ op: 'delete', ns: 'n', key: 'k' }],
      [{ op: 'delete', ns: 'n', prefix: '' }],
    ]);
  });

  it.each([
    [
      'an empty namespace',
      () => [{ op: 'get', ns: '', key: 'k' }],
      /ns must be a string of 1 to 256/,
    ],
    [
      'a key of 1025 characters',
      () => [{ op: 'get', ns: 'n', key: 'k'.repeat(1025) }],
      /key must be a string of 1 to 1024 characters, got 1025/,
    ],
    [
      'a value that is not JSON',
      () => [{ op: 'put', ns: 'n', key: 'k', value: new Map() }],
      /Map at value/,
    ],
    [
      'a delete with key and prefix',
      () => [{ op: 'delete', ns: 'n', key: 'k', prefix: '' }],
      /exactly one of key/,
    ],
    [
      'a list limit of 0',
      () => [{ op: 'list', ns: 'n', limit: 0 }],
      /limit must be an integer from 1 to 1000, got 0/,
    ],
    [
      'an unknown op',
      () => [{ op: 'merge', ns: 'n', key: 'k' }],
      /op must be one of put, get, list, delete/,
    ],
    ['no operation', () => [], /1 to 1000 operations, got 0/],
  ])('%s is a TypeError naming it; nothing is sent', async (_name, ops, message) => {
    const { sent, store } = recording();
    await expect(store.batch(ops() as StoreOp[])).rejects.toThrow(TypeError);
    await expect(store.batch(ops() as StoreOp[])).rejects.toThrow(message);
    expect(sent).toEqual([]);
  });
});

describe('StoreRequests (the protocol side)', () => {
  it('numbers requests s-1, s-2 and settles each on its own store_result', async () => {
    const sent: { requestId: string }[] = [];
    const requests = new StoreRequests(async (message) => void sent.push(message));
    const first = requests.request([{ op: 'get', ns: 'n', key: 'a' }]);
    const second = requests.request([{ op: 'get', ns: 'n', key: 'b' }]);
    expect(sent.map((m) => m.requestId)).toEqual(['s-1', 's-2']);
    expect(
      requests.answer({ type: 'store_result', requestId: 's-2', ok: false, error: 'disk full' }),
    ).toBe(true);
    expect(
      requests.answer({
        type: 'store_result',
        requestId: 's-1',
        ok: true,
        results: [{ op: 'get', found: false }],
      }),
    ).toBe(true);
    expect(requests.answer({ type: 'store_result', requestId: 's-9', ok: true, results: [] })).toBe(
      false,
    );
    expect(await first).toEqual([{ op: 'get', found: false }]);
    await expect(second).rejects.toMatchObject({
      code: 'X_STORE_REFUSED',
      message: expect.stringContaining('disk full'),
    });
  });

  it('closeAll rejects what is pending, and every later request, with X_STORE_STOPPING', async () => {
    const requests = new StoreRequests(async () => undefined);
    const pending = requests.request([{ op: 'get', ns: 'n', key: 'a' }]);
    requests.closeAll('the supervisor went away');
    await expect(pending).rejects.toMatchObject({ code: 'X_STORE_STOPPING' });
    await expect(requests.request([{ op: 'get', ns: 'n', key: 'a' }])).rejects.toThrow(
      /the supervisor went away before the request was answered/,
    );
    expect(requests.pending).toBe(0);
  });
});

describe('createRunner onStore', () => {
  it('ctx.store goes to onStore; a rejection reaches the agent as X_STORE_REFUSED with its cause', async () => {
    const seen: unknown[] = [];
    const cause = new Error('bucket not writable');
    let fail = false;
    const runner = createRunner(
      defineAgent({
        async step(ctx) {
          seen.push(await ctx.store.put('n', 'k', 1));
          fail = true;
          seen.push(await ctx.store.get('n', 'k').catch((error: unknown) => error));
          return { done: true };
        },
      }),
      {
        intervalMs: 0,
        onStore: async (ops) => {
          if (fail) {
            throw cause;
          }
          return ops.map(() => ({ op: 'put', written: true }));
        },
      },
    );
    await runner.start();
    await runner.finished;
    expect(seen[0]).toBe(true);
    expect(seen[1]).toBeInstanceOf(StoreError);
    expect(seen[1]).toMatchObject({ code: 'X_STORE_REFUSED', cause });
  });

  it('without onStore, ctx.store rejects X_STORE_UNSUPPORTED saying how to enable it', async () => {
    let error: unknown;
    const runner = createRunner({
      async setup(ctx) {
        error = await ctx.store.get('n', 'k').catch((caught: unknown) => caught);
      },
      step: () => ({ done: true }),
    });
    await runner.start();
    await runner.finished;
    expect(error).toMatchObject({ name: 'StoreError', code: 'X_STORE_UNSUPPORTED' });
    expect((error as Error).message).toContain('onStore');
  });
});
