import { getEventListeners } from 'node:events';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { utf8 } from '../../test/support/decode.js';
import { createTransportPair } from '../../test/support/memory-transport.js';
import { createChannel, type Channel } from '../core/channel.js';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createMsgpackCodec } from '../core/msgpack-codec.js';
import { compileValidator } from '../protocol/validate.js';
import { createRpcConnection, type RpcConnection } from './connection.js';
import { isRpcError, RPC_ERROR_CODES, RpcError } from './messages.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) {
    cleanup();
  }
});

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    expect(isRpcError(error)).toBe(true);
    return error as RpcError;
  }
  throw new Error('expected a rejection');
}

/** A client and a server connection wired back to back. */
function connected(codec = createJsonlCodec) {
  const [clientTransport, serverTransport] = createTransportPair();
  const client = createRpcConnection(createChannel({ transport: clientTransport, codec: codec() }));
  const server = createRpcConnection(createChannel({ transport: serverTransport, codec: codec() }));
  cleanups.push(() => {
    client.close();
    server.close();
  });
  return { client, server, clientTransport, serverTransport };
}

/** A server connection and a raw JSON channel facing it, to put exact JSON on the wire. */
function rawPeer() {
  const [rawTransport, serverTransport] = createTransportPair();
  const raw: Channel<unknown, unknown> = createChannel({
    transport: rawTransport,
    codec: createJsonlCodec(),
  });
  const server = createRpcConnection(
    createChannel({ transport: serverTransport, codec: createJsonlCodec() }),
  );
  const received: unknown[] = [];
  raw.onMessage((message) => received.push(message));
  cleanups.push(() => {
    raw.close();
    server.close();
  });
  /** Sends `message` and waits for the server's next reply. */
  const exchange = async (message: unknown, timeout = 10_000): Promise<unknown> => {
    const before = received.length;
    await raw.send(message);
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(before), {
      timeout,
      interval: 2,
    });
    return received[before];
  };
  /** Sends `message` and returns whatever the server sent back within 50 ms (expected: nothing). */
  const silence = async (message: unknown): Promise<unknown[]> => {
    const before = received.length;
    await raw.send(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return received.slice(before);
  };
  /** Writes raw bytes into the server's input. */
  const inject = (bytes: Uint8Array) => serverTransport.emitData(bytes);
  return { raw, server, received, exchange, silence, inject, rawTransport, serverTransport };
}

describe.each([
  ['jsonl', createJsonlCodec],
  ['msgpack', createMsgpackCodec],
])('rpc over %s', (_name, codec) => {
  it('a request gets the handler’s result', async () => {
    const { client, server } = connected(codec);
    server.onRequest<{ a: number; b: number }, number>('add', ({ a, b }) => a + b);
    await expect(client.request('add', { a: 2, b: 3 })).resolves.toBe(5);
  });

  it('concurrent requests are matched to their own responses, whatever order handlers finish in', async () => {
    const { client, server } = connected(codec);
    server.onRequest<[number], number>('slow', async ([ms]) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms;
    });
    await expect(
      Promise.all([
        client.request('slow', [30]),
        client.request('slow', [1]),
        client.request('slow', [15]),
      ]),
    ).resolves.toEqual([30, 1, 15]);
  });
});

describe('rpc requests', () => {
  it('the handler gets the params and a context naming the method and connection', async () => {
    const { client, server } = connected();
    let context: { method: string; connection: RpcConnection } | undefined;
    server.onRequest('who', (params, ctx) => {
      context = ctx;
      return params;
    });
    await expect(client.request('who', ['x', 1])).resolves.toEqual(['x', 1]);
    expect(context?.method).toBe('who');
    expect(context?.connection).toBe(server);
  });

  it('a request without params goes on the wire without a params key and reaches the handler as {}', async () => {
    const peer = rawPeer();
    let got: unknown;
    peer.server.onRequest('ping', (params) => {
      got = params;
      return 'pong';
    });
    expect(await peer.exchange({ jsonrpc: '2.0', id: 1, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 'pong',
    });
    expect(got).toEqual({});
    const { client, serverTransport } = connected();
    void client.request('ping').catch(() => undefined);
    await settle();
    expect(new TextDecoder().decode(serverTransport.peer!.written[0])).toBe(
      '{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
    );
  });

  it('a handler returning undefined answers result null', async () => {
    const { client, server } = connected();
    server.onRequest('nothing', () => undefined);
    await expect(client.request('nothing')).resolves.toBeNull();
  });

  it('a string id is echoed back unchanged', async () => {
    const peer = rawPeer();
    peer.server.onRequest('ping', () => 'pong');
    expect(await peer.exchange({ jsonrpc: '2.0', id: 'abc-1', method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 'abc-1',
      result: 'pong',
    });
  });

  it('an unknown method answers -32601 naming it', async () => {
    const { client } = connected();
    const error = await rejection(client.request('nope', {}));
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(RPC_ERROR_CODES.METHOD_NOT_FOUND);
    expect(error.code).toBe(-32601);
    expect(error.message).toBe('Method not found: nope');
  });

  it('a method unregistered through its disposer answers -32601', async () => {
    const { client, server } = connected();
    const registration = server.onRequest('temp', () => 1);
    await expect(client.request('temp')).resolves.toBe(1);
    registration.dispose();
    expect((await rejection(client.request('temp'))).code).toBe(-32601);
  });

  it('params failing the method’s validator answer -32602 naming the field, and the handler is not called', async () => {
    const { client, server } = connected();
    let calls = 0;
    server.onRequest(
      'runs.start',
      () => {
        calls += 1;
        return 'ok';
      },
      compileValidator(
        Type.Object({
          name: Type.String({ minLength: 1 }),
          params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
      ),
    );
    const error = await rejection(client.request('runs.start', { name: 42 }));
    expect(error.code).toBe(RPC_ERROR_CODES.INVALID_PARAMS);
    expect(error.code).toBe(-32602);
    expect(error.message).toBe('Invalid params: /name Expected string');
    expect(error.data).toEqual({ field: '/name' });
    const missing = await rejection(client.request('runs.start'));
    expect(missing.data).toEqual({ field: '/name' });
    expect(calls).toBe(0);
    await expect(client.request('runs.start', { name: 'a' })).resolves.toBe('ok');
    expect(calls).toBe(1);
  });

  it.each([
    ['a number', 5],
    ['a string', 'x'],
    ['null', null],
  ])('params that are %s answer -32602 (params must be structured)', async (_name, params) => {
    const peer = rawPeer();
    peer.server.onRequest('m', () => 'ran');
    expect(await peer.exchange({ jsonrpc: '2.0', id: 9, method: 'm', params })).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32602, message: 'Invalid params: "params" must be an object or an array' },
    });
  });

  it('a handler throwing an RpcError keeps its code, message and data', async () => {
    const { client, server } = connected();
    server.onRequest('runs.get', () => {
      throw new RpcError(-32004, 'run not found: r1', { runId: 'r1' });
    });
    const error = await rejection(client.request('runs.get', { id: 'r1' }));
    expect({ code: error.code, message: error.message, data: error.data }).toEqual({
      code: -32004,
      message: 'run not found: r1',
      data: { runId: 'r1' },
    });
  });

  it('a handler rejecting asynchronously with an RpcError keeps its code', async () => {
    const { client, server } = connected();
    server.onRequest('later', async () => {
      await settle();
      throw new RpcError(-32010, 'busy');
    });
    expect(await rejection(client.request('later'))).toMatchObject({
      code: -32010,
      message: 'busy',
      data: undefined,
    });
  });

  it('a handler throwing a plain Error answers -32603 with its message', async () => {
    const { client, server } = connected();
    server.onRequest('boom', () => {
      throw new TypeError('cannot read x of undefined');
    });
    const error = await rejection(client.request('boom'));
    expect(error.code).toBe(RPC_ERROR_CODES.INTERNAL_ERROR);
    expect(error.message).toBe('Internal error: cannot read x of undefined');
  });

  it('a handler throwing a non-Error value (a string) answers -32603', async () => {
    const { client, server } = connected();
    server.onRequest('boom', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the edge case under test
      throw 'plain string';
    });
    expect(await rejection(client.request('boom'))).toMatchObject({
      code: -32603,
      message: 'Internal error: plain string',
    });
  });
});

describe('rpc notifications', () => {
  it('a notification reaches its handler with its params and gets no response', async () => {
    const peer = rawPeer();
    const got: unknown[] = [];
    peer.server.onNotification('log', (params) => got.push(params));
    expect(await peer.silence({ jsonrpc: '2.0', method: 'log', params: { line: 'a' } })).toEqual(
      [],
    );
    expect(got).toEqual([{ line: 'a' }]);
  });

  it('notify() between two connections delivers params in order', async () => {
    const { client, server } = connected();
    const got: unknown[] = [];
    server.onNotification('tick', (params) => got.push(params));
    client.notify('tick', [1]);
    client.notify('tick', [2]);
    client.notify('tick');
    await vi.waitFor(() => expect(got).toEqual([[1], [2], undefined]));
  });

  it('a notification for an unknown method, or with primitive params, is dropped silently', async () => {
    const peer = rawPeer();
    const got: unknown[] = [];
    peer.server.onNotification('log', (params) => got.push(params));
    expect(await peer.silence({ jsonrpc: '2.0', method: 'unknown', params: {} })).toEqual([]);
    expect(await peer.silence({ jsonrpc: '2.0', method: 'log', params: 5 })).toEqual([]);
    expect(got).toEqual([]);
  });

  it('notify() on a closed connection is ignored, not thrown', () => {
    const { client } = connected();
    client.close();
    expect(() => client.notify('x', {})).not.toThrow();
  });

  /**
   * Runs `body` while unhandled rejections are captured instead of reaching vitest (which
   * would fail the whole run), so a test can assert there were none.
   */
  async function capturingUnhandledRejections(
    body: (seen: unknown[]) => Promise<void>,
  ): Promise<void> {
    const saved = process.listeners('unhandledRejection');
    const seen: unknown[] = [];
    const capture = (reason: unknown) => seen.push(reason);
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', capture);
    try {
      await body(seen);
      await settle();
    } finally {
      process.off('unhandledRejection', capture);
      for (const listener of saved) {
        process.on('unhandledRejection', listener);
      }
    }
  }

  // Regression (fixed; was: src/rpc/connection.ts, handleRequest: `notificationHandlers.get(request.method)?.(request.params)`
  // runs inside an async function whose promise is consumed with `void handleOne(message).then(...)`):
  // a notification handler that throws turns into an *unhandled promise rejection*, which
  // crashes a Node process running with the default --unhandled-rejections=throw.
  it('a notification handler that throws does not cause an unhandled rejection', async () => {
    await capturingUnhandledRejections(async (seen) => {
      const peer = rawPeer();
      peer.server.onNotification('bad', () => {
        throw new Error('handler broke');
      });
      await peer.silence({ jsonrpc: '2.0', method: 'bad' });
      expect(seen).toEqual([]);
    });
  });

  // Regression (fixed; was: same place, batch path: `Promise.all(message.map(handleOne))` rejects when one
  // notification handler throws): the whole batch response is lost, so the requests in the
  // batch are never answered (their callers hang until a timeout), and the rejection is
  // unhandled. Input: [{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},
  // {"jsonrpc":"2.0","method":"bad"}] with a throwing "bad" handler. Expected: the array
  // [{"jsonrpc":"2.0","id":1,"result":[1]}]. Actual: no response at all.
  it('a batch whose notification handler throws still answers the batch’s requests', async () => {
    await capturingUnhandledRejections(async () => {
      const peer = rawPeer();
      peer.server.onRequest('echo', (params) => params);
      peer.server.onNotification('bad', () => {
        throw new Error('handler broke');
      });
      const reply = await peer.exchange(
        [
          { jsonrpc: '2.0', id: 1, method: 'echo', params: [1] },
          { jsonrpc: '2.0', method: 'bad' },
        ],
        500,
      );
      expect(reply).toEqual([{ jsonrpc: '2.0', id: 1, result: [1] }]);
    });
  });
});

describe('rpc batches and malformed requests', () => {
  it('a batch of mixed requests, notifications and invalid items is answered as one array, in order, without the notifications', async () => {
    const peer = rawPeer();
    const notified: unknown[] = [];
    peer.server.onRequest<[number, number], number>('add', ([a, b]) => a + b);
    peer.server.onNotification('log', (params) => notified.push(params));
    const reply = await peer.exchange([
      { jsonrpc: '2.0', id: 1, method: 'add', params: [1, 2] },
      { jsonrpc: '2.0', method: 'log', params: ['hi'] },
      { jsonrpc: '2.0', id: 'two', method: 'missing' },
      7,
      { jsonrpc: '2.0', id: 3, method: 'add', params: [3, 4] },
    ]);
    expect(reply).toEqual([
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 'two', error: { code: -32601, message: 'Method not found: missing' } },
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32600,
          message: 'Invalid Request: expected an object with "jsonrpc": "2.0"',
        },
      },
      { jsonrpc: '2.0', id: 3, result: 7 },
    ]);
    expect(notified).toEqual([['hi']]);
    await settle();
    expect(peer.received).toHaveLength(1);
  });

  it('a batch of only notifications gets no response at all', async () => {
    const peer = rawPeer();
    const notified: unknown[] = [];
    peer.server.onNotification('log', (params) => notified.push(params));
    expect(
      await peer.silence([
        { jsonrpc: '2.0', method: 'log', params: [1] },
        { jsonrpc: '2.0', method: 'log', params: [2] },
      ]),
    ).toEqual([]);
    expect(notified).toEqual([[1], [2]]);
  });

  it('an empty batch answers a single -32600 with id null (not an array)', async () => {
    const peer = rawPeer();
    expect(await peer.exchange([])).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: empty batch' },
    });
  });

  it.each([
    ['{"jsonrpc":"2.0"} (no method)', { jsonrpc: '2.0' }, null],
    ['a wrong jsonrpc version, keeping the id', { jsonrpc: '1.0', id: 4, method: 'm' }, 4],
    ['a missing jsonrpc member', { id: 5, method: 'm' }, 5],
    ['a bare number', 42, null],
    ['a string', 'hello', null],
    ['null', null, null],
  ])('an invalid request (%s) answers -32600', async (_name, message, id) => {
    const peer = rawPeer();
    const reply = await peer.exchange(message);
    expect(reply).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600 } });
  });

  it.each([
    ['null', null],
    ['an object', { n: 1 }],
    ['a boolean', true],
  ])('an id that is %s answers -32600 with id null', async (_name, id) => {
    const peer = rawPeer();
    peer.server.onRequest('m', () => 'ran');
    expect(await peer.exchange({ jsonrpc: '2.0', id, method: 'm' })).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: "id" must be a number or a string' },
    });
  });

  it('a line that is not JSON answers -32700 with id null, and the next request is still served', async () => {
    const peer = rawPeer();
    peer.server.onRequest('ping', () => 'pong');
    peer.inject(utf8('not json\n'));
    await vi.waitFor(() => expect(peer.received).toHaveLength(1));
    expect(peer.received).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32700,
          message: expect.stringMatching(
            /^Parse error: @x\/ipc: jsonl line is not valid UTF-8 JSON/,
          ) as unknown,
        },
      },
    ]);
    expect(await peer.exchange({ jsonrpc: '2.0', id: 2, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: 'pong',
    });
  });

  it('a line longer than maxFrameBytes answers -32600 with id null, and the next request is still served', async () => {
    const [rawTransport, serverTransport] = createTransportPair();
    const raw = createChannel<unknown, unknown>({
      transport: rawTransport,
      codec: createJsonlCodec(),
    });
    const server = createRpcConnection(
      createChannel({
        transport: serverTransport,
        codec: createJsonlCodec({ maxFrameBytes: 256 }),
      }),
    );
    cleanups.push(() => raw.close());
    const received: unknown[] = [];
    raw.onMessage((message) => received.push(message));
    server.onRequest('ping', () => 'pong');
    await raw.send({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1000) } });
    await raw.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await vi.waitFor(() => expect(received).toHaveLength(2));
    expect(received).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32600,
          message: expect.stringContaining(
            'Invalid Request: @x/ipc: jsonl line longer than maxFrameBytes 256',
          ) as unknown,
        },
      },
      { jsonrpc: '2.0', id: 2, result: 'pong' },
    ]);
  });

  it('a result over maxFrameBytes answers -32603 naming its size and the limit instead of nothing', async () => {
    const [clientTransport, serverTransport] = createTransportPair();
    const client = createRpcConnection(
      createChannel({ transport: clientTransport, codec: createJsonlCodec() }),
    );
    const server = createRpcConnection(
      createChannel({
        transport: serverTransport,
        codec: createJsonlCodec({ maxFrameBytes: 1024 * 1024 }),
      }),
    );
    cleanups.push(() => {
      client.close();
      server.close();
    });
    server.onRequest('big', () => 'x'.repeat(1024 * 1024 + 100));
    server.onRequest('deep', () => JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    server.onRequest('ping', () => 'pong');
    const big = await rejection(client.request('big', {}, { timeoutMs: 10_000 }));
    expect(big.code).toBe(RPC_ERROR_CODES.INTERNAL_ERROR);
    expect(big.message).toMatch(
      /^Internal error: the response could not be sent: .*frame of 1048\d{3} bytes exceeds maxFrameBytes 1048576/,
    );
    expect(big.data).toEqual({ code: 'X_IPC_FRAME_TOO_LARGE' });
    const deep = await rejection(client.request('deep', {}, { timeoutMs: 10_000 }));
    expect(deep.code).toBe(RPC_ERROR_CODES.INTERNAL_ERROR);
    expect(deep.message).toMatch(/cannot encode value as JSON: Maximum call stack size exceeded/);
    await expect(client.request('ping')).resolves.toBe('pong');
  });

  it('a batch whose response is too large answers each of its requests -32603', async () => {
    const { raw, server, exchange } = rawPeer();
    void raw;
    server.onRequest('big', () => 'x'.repeat(9 * 1024 * 1024));
    server.onRequest('ping', () => 'pong');
    const reply = await exchange([
      { jsonrpc: '2.0', id: 1, method: 'big' },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]);
    expect(reply).toEqual([
      { jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: -32603 }) as unknown },
      { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32603 }) as unknown },
    ]);
  });

  it('responses nobody waits for (unknown id, id null) are ignored, not answered: no ping-pong between peers', async () => {
    const peer = rawPeer();
    expect(await peer.silence({ jsonrpc: '2.0', id: 999, result: 1 })).toEqual([]);
    expect(
      await peer.silence({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error' },
      }),
    ).toEqual([]);
  });
});

describe('rpc server under back-pressure', () => {
  it('a peer that never reads its answers gets its connection closed, never a dropped answer', async () => {
    const [clientTransport, serverTransport] = createTransportPair();
    const client = createRpcConnection(
      createChannel({ transport: clientTransport, codec: createJsonlCodec() }),
    );
    const server = createRpcConnection(
      createChannel({
        transport: serverTransport,
        codec: createJsonlCodec(),
        maxQueuedBytes: 4096,
      }),
    );
    cleanups.push(() => {
      client.close();
      server.close();
    });
    server.onRequest('big', () => 'x'.repeat(3000));
    // The client stops reading: the server's answers pile up until its queue is full.
    serverTransport.stall();
    const calls = Array.from({ length: 5 }, () =>
      client.request('big').then(
        () => 'answered',
        (error: Error) => error.message,
      ),
    );
    const outcomes = await Promise.race([
      Promise.all(calls),
      new Promise<string[]>((resolve) => setTimeout(() => resolve(['hung']), 3000)),
    ]);
    // Without the close, the calls whose answers were refused would wait for ever.
    expect(outcomes).not.toEqual(['hung']);
    expect(outcomes.filter((outcome) => outcome !== 'answered').join('\n')).toMatch(/closed/);
  });
});

describe('rpc client-side failures', () => {
  it('a call with no response within timeoutMs rejects -32098, and the late response is ignored', async () => {
    const { client, server, serverTransport } = connected();
    let finish: ((value: string) => void) | undefined;
    server.onRequest('hang', () => new Promise<string>((resolve) => (finish = resolve)));
    server.onRequest('ping', () => 'pong');
    const error = await rejection(client.request('hang', {}, { timeoutMs: 20 }));
    expect(error.code).toBe(RPC_ERROR_CODES.REQUEST_TIMEOUT);
    expect(error.code).toBe(-32098);
    expect(error.message).toBe('@x/ipc: no response to hang within 20 ms');
    finish?.('too late');
    // The late response does reach the client, which must drop it.
    await vi.waitFor(() =>
      expect(
        serverTransport.written.map((chunk) => new TextDecoder().decode(chunk)).join(''),
      ).toContain('too late'),
    );
    await settle();
    await expect(client.request('ping', {}, { timeoutMs: 5000 })).resolves.toBe('pong');
  });

  it('a response in time clears its timeout timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { client, server } = connected();
      server.onRequest('ping', () => 'pong');
      const call = client.request('ping', {}, { timeoutMs: 30_000 });
      expect(vi.getTimerCount()).toBe(1);
      await expect(call).resolves.toBe('pong');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborting the signal mid-call rejects -32097 with the abort reason as cause', async () => {
    const { client, server } = connected();
    server.onRequest('hang', () => new Promise(() => undefined));
    const controller = new AbortController();
    const call = rejection(client.request('hang', {}, { signal: controller.signal }));
    await settle();
    const reason = new Error('user pressed ^C');
    controller.abort(reason);
    const error = await call;
    expect(error.code).toBe(RPC_ERROR_CODES.REQUEST_CANCELLED);
    expect(error.code).toBe(-32097);
    expect(error.message).toBe('@x/ipc: call hang was cancelled');
    expect(error.cause).toBe(reason);
  });

  it('an already-aborted signal rejects -32097 at once and sends nothing', async () => {
    const { client, clientTransport } = connected();
    const error = await rejection(client.request('m', {}, { signal: AbortSignal.abort() }));
    expect(error.code).toBe(-32097);
    expect(clientTransport.written).toEqual([]);
  });

  it('a call that completes removes its abort listener, and aborting afterwards changes nothing', async () => {
    const { client, server } = connected();
    server.onRequest('ping', () => 'pong');
    const controller = new AbortController();
    const call = client.request('ping', {}, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await expect(call).resolves.toBe('pong');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(() => controller.abort()).not.toThrow();
  });

  it('pending calls reject -32099 when the peer closes the connection', async () => {
    const { client, server } = connected();
    server.onRequest('hang', () => new Promise(() => undefined));
    const calls = [
      rejection(client.request('hang')),
      rejection(client.request('hang', {}, { timeoutMs: 10_000 })),
    ];
    await settle();
    server.close();
    for (const error of await Promise.all(calls)) {
      expect(error.code).toBe(RPC_ERROR_CODES.CONNECTION_CLOSED);
      expect(error.code).toBe(-32099);
    }
    expect(client.closed).toBe(true);
  });

  it('pending calls reject -32099 when the local side closes, and onClose fires once', async () => {
    const { client, server } = connected();
    server.onRequest('hang', () => new Promise(() => undefined));
    let closes = 0;
    client.onClose(() => {
      closes += 1;
    });
    const call = rejection(client.request('hang'));
    await settle();
    client.close();
    client.close();
    expect((await call).code).toBe(-32099);
    expect(closes).toBe(1);
  });

  it('a request on a closed connection rejects -32099 without writing', async () => {
    const { client, clientTransport } = connected();
    client.close();
    const error = await rejection(client.request('m'));
    expect(error.code).toBe(-32099);
    expect(clientTransport.written).toEqual([]);
  });

  it('a request whose params cannot be encoded rejects -32602 (not "connection closed") with the encoding error as cause', async () => {
    const { client } = connected();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const error = await rejection(client.request('m', circular));
    expect(error.code).toBe(-32602);
    expect(error.cause).toMatchObject({ code: 'X_IPC_ENCODE_FAILED' });
  });
});

describe('RpcError', () => {
  it('serialises to the JSON-RPC error object, with data only when present', () => {
    expect(new RpcError(-32000, 'x').toJSON()).toEqual({ code: -32000, message: 'x' });
    expect(JSON.stringify(new RpcError(-32000, 'x', { a: 1 }))).toBe(
      '{"code":-32000,"message":"x","data":{"a":1}}',
    );
    expect(new RpcError(-1, 'x').name).toBe('RpcError');
  });

  it('isRpcError tells RpcErrors from other errors', () => {
    expect(isRpcError(new RpcError(-1, 'x'))).toBe(true);
    expect(isRpcError(new Error('x'))).toBe(false);
    expect(isRpcError(null)).toBe(false);
  });

  it('the error codes are the JSON-RPC 2.0 ones plus the documented client-side range', () => {
    expect(RPC_ERROR_CODES).toEqual({
      PARSE_ERROR: -32700,
      INVALID_REQUEST: -32600,
      METHOD_NOT_FOUND: -32601,
      INVALID_PARAMS: -32602,
      INTERNAL_ERROR: -32603,
      CONNECTION_CLOSED: -32099,
      REQUEST_TIMEOUT: -32098,
      REQUEST_CANCELLED: -32097,
    });
  });
});
