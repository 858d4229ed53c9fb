import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonlCodec } from '../src/core/jsonl-codec.js';
import { connectRpc } from '../src/node/connect-rpc.js';
import { createStreamChannel } from '../src/node/stream-channel.js';
import { compileValidator } from '../src/protocol/validate.js';
import { createRpcConnection, type RpcConnection } from '../src/rpc/connection.js';
import { isRpcError, RpcError } from '../src/rpc/messages.js';

/**
 * A JSON-RPC server on a real Unix socket in a temp dir, as the daemon's control socket is
 * served: each accepted socket becomes a stream channel wrapped in an RPC connection.
 */
let dir: string;
let socketPath: string;
let server: Server;
const sockets = new Set<Socket>();
const serverConnections: RpcConnection[] = [];

beforeAll(async () => {
  dir = mkdtempSync('/tmp/x-ipc-');
  socketPath = join(dir, 'ctl.sock');
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const rpc = createRpcConnection(
      createStreamChannel({ readable: socket, codec: createJsonlCodec() }),
    );
    serverConnections.push(rpc);
    rpc.onRequest<{ a: number; b: number }, number>(
      'add',
      ({ a, b }) => a + b,
      compileValidator(Type.Object({ a: Type.Number(), b: Type.Number() })),
    );
    rpc.onRequest('fail', () => {
      throw new RpcError(-32004, 'run not found', { runId: 'r1' });
    });
    rpc.onRequest<{ steps: number }, string>('work', async ({ steps }, { connection }) => {
      for (let step = 1; step <= steps; step += 1) {
        connection.notify('progress', { step });
      }
      return 'done';
    });
    rpc.onRequest('hangup', (_params, { connection }) => {
      setImmediate(() => connection.close());
      return new Promise(() => undefined);
    });
  });
  server.listen(socketPath);
  await once(server, 'listening');
});

afterAll(async () => {
  for (const socket of sockets) {
    socket.destroy();
  }
  server.close();
  await once(server, 'close');
  rmSync(dir, { recursive: true, force: true });
});

/** A raw client socket that reads the server's replies line by line. */
async function rawClient() {
  const socket = connect(socketPath);
  await once(socket, 'connect');
  let buffered = '';
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  const nextLine = async (): Promise<unknown> => {
    while (lines.length === 0) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return JSON.parse(lines.shift()!);
  };
  return { socket, nextLine, lines };
}

describe('JSON-RPC over a real Unix socket', () => {
  it('connectRpc calls a method and gets its result', async () => {
    const client = await connectRpc(socketPath);
    try {
      await expect(client.request('add', { a: 40, b: 2 })).resolves.toBe(42);
    } finally {
      client.close();
    }
  });

  it('errors keep their JSON-RPC code across the socket (-32602 naming the field, app codes, -32601)', async () => {
    const client = await connectRpc(socketPath);
    try {
      await expect(client.request('add', { a: 1, b: 'two' })).rejects.toMatchObject({
        code: -32602,
        data: { field: '/b' },
      });
      await expect(client.request('fail')).rejects.toMatchObject({
        code: -32004,
        message: 'run not found',
        data: { runId: 'r1' },
      });
      await expect(client.request('nope')).rejects.toMatchObject({ code: -32601 });
    } finally {
      client.close();
    }
  });

  it('the server can notify the client while it handles the client’s request', async () => {
    const client = await connectRpc(socketPath);
    try {
      const steps: unknown[] = [];
      client.onNotification('progress', (params) => steps.push(params));
      await expect(client.request('work', { steps: 3 })).resolves.toBe('done');
      expect(steps).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
    } finally {
      client.close();
    }
  });

  it('a pending call rejects -32099 when the server hangs up', async () => {
    const client = await connectRpc(socketPath);
    const error: unknown = await client.request('hangup').catch((e: unknown) => e);
    expect(isRpcError(error)).toBe(true);
    expect(error).toMatchObject({ code: -32099 });
    expect(client.closed).toBe(true);
  });

  it('the server side closes its connection when the client goes away', async () => {
    const before = serverConnections.length;
    const client = await connectRpc(socketPath);
    await expect(client.request('add', { a: 1, b: 1 })).resolves.toBe(2);
    const serverSide = serverConnections[before];
    const closed = new Promise<void>((resolve) => serverSide.onClose(resolve));
    client.close();
    await closed;
    expect(serverSide.closed).toBe(true);
  });

  it('connectRpc to a path with no socket rejects with ENOENT', async () => {
    await expect(connectRpc(join(dir, 'missing.sock'), { timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('raw garbage (`not json\\n`) gets a -32700 response with id null, and the same socket still gets a correct answer afterwards', async () => {
    const raw = await rawClient();
    try {
      raw.socket.write('not json\n');
      expect(await raw.nextLine()).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700 },
      });
      raw.socket.write('{"jsonrpc":"2.0","id":7,"method":"add","params":{"a":1,"b":2}}\n');
      expect(await raw.nextLine()).toEqual({ jsonrpc: '2.0', id: 7, result: 3 });
    } finally {
      raw.socket.destroy();
    }
  });

  it('`{"jsonrpc":"2.0"}` gets -32600 with id null', async () => {
    const raw = await rawClient();
    try {
      raw.socket.write('{"jsonrpc":"2.0"}\n');
      expect(await raw.nextLine()).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600 },
      });
    } finally {
      raw.socket.destroy();
    }
  });

  it('a request written in 3 separate pieces over time is answered once', async () => {
    const raw = await rawClient();
    try {
      const request = '{"jsonrpc":"2.0","id":"split","method":"add","params":{"a":2,"b":2}}\n';
      for (const piece of [request.slice(0, 10), request.slice(10, 40), request.slice(40)]) {
        raw.socket.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await raw.nextLine()).toEqual({ jsonrpc: '2.0', id: 'split', result: 4 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(raw.lines).toEqual([]);
    } finally {
      raw.socket.destroy();
    }
  });

  it('a batch over the socket is answered as one line holding an array', async () => {
    const raw = await rawClient();
    try {
      raw.socket.write(
        JSON.stringify([
          { jsonrpc: '2.0', id: 1, method: 'add', params: { a: 1, b: 1 } },
          { jsonrpc: '2.0', method: 'add', params: { a: 0, b: 0 } },
          { jsonrpc: '2.0', id: 2, method: 'nope' },
        ]) + '\n',
      );
      expect(await raw.nextLine()).toEqual([
        { jsonrpc: '2.0', id: 1, result: 2 },
        { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found: nope' } },
      ]);
    } finally {
      raw.socket.destroy();
    }
  });

  it('`\\r\\n` line endings from a hand-typed client are accepted', async () => {
    const raw = await rawClient();
    try {
      raw.socket.write('{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":5,"b":5}}\r\n');
      expect(await raw.nextLine()).toEqual({ jsonrpc: '2.0', id: 1, result: 10 });
    } finally {
      raw.socket.destroy();
    }
  });
});
