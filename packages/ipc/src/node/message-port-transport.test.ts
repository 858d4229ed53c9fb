import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createMsgpackCodec } from '../core/msgpack-codec.js';
import { createMessagePortChannel } from './message-port-channel.js';
import { createMessagePortTransport } from './message-port-transport.js';

const waitFor = <T>(subscribe: (resolve: (value: T) => void) => void, ms = 10_000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

describe('createMessagePortTransport over a real MessageChannel', () => {
  it('delivers bytes in order, as copies: the sender may reuse its buffer at once', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1);
    const b = createMessagePortTransport(port2);
    const received: string[] = [];
    const all = waitFor<void>((resolve) => {
      b.onData((chunk) => {
        expect(chunk).toBeInstanceOf(Uint8Array);
        received.push(Buffer.from(chunk).toString());
        if (received.length === 3) {
          resolve();
        }
      });
    });
    const shared = Buffer.from('one');
    expect(a.write(shared)).toBe(true);
    shared.write('XXX'); // reused right after the write: the message must still say "one"
    a.write(Buffer.from('two'));
    a.write(Buffer.from('three'));
    await all;
    expect(received).toEqual(['one', 'two', 'three']);
    expect(shared.buffer.byteLength).toBeGreaterThan(0); // not detached by a transfer
    expect(a.bufferedBytes).toBe(0);
    a.close();
  });

  it('a write of a slice of a pooled Buffer posts only the slice', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1);
    const b = createMessagePortTransport(port2);
    const chunk = waitFor<Uint8Array>((resolve) => b.onData(resolve));
    const pooled = Buffer.from('tiny'); // a view into Node's 8 KiB pool
    a.write(pooled);
    const got = await chunk;
    expect(got.byteLength).toBe(4);
    expect(got.buffer.byteLength).toBe(4);
    a.close();
  });

  it('close() on one end is observed on both ends, once each', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1);
    const b = createMessagePortTransport(port2);
    let aCloses = 0;
    let bCloses = 0;
    a.onClose(() => (aCloses += 1));
    const bClosed = waitFor<Error | undefined>((resolve) =>
      b.onClose((error) => {
        bCloses += 1;
        resolve(error);
      }),
    );
    a.close();
    a.close();
    expect(await bClosed).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ aCloses, bCloses }).toEqual({ aCloses: 1, bCloses: 1 });
    // Writes after close are dropped without throwing.
    expect(a.write(new Uint8Array([1]))).toBe(true);
    // Subscribing after close still hears about it.
    await waitFor<Error | undefined>((resolve) => a.onClose(resolve));
  });

  it('onDrain never fires and its disposer is harmless', () => {
    const { port1 } = new MessageChannel();
    const transport = createMessagePortTransport(port1);
    transport
      .onDrain(() => {
        throw new Error('drain fired');
      })
      .dispose();
    transport.close();
  });
});

describe.each([
  ['jsonl', createJsonlCodec()],
  ['msgpack', createMsgpackCodec()],
] as const)('createMessagePortChannel over %s', (_name, codec) => {
  it('sends typed messages both ways and validates what it receives', async () => {
    const { port1, port2 } = new MessageChannel();
    const left = createMessagePortChannel<{ n: number }, { n: number }>({ port: port1, codec });
    const right = createMessagePortChannel<{ n: number }, { n: number }>({
      port: port2,
      codec,
      validate: (value) =>
        typeof (value as { n?: unknown }).n === 'number'
          ? { ok: true, value: value as { n: number } }
          : { ok: false, path: '/n', message: 'must be a number' },
    });
    const seen: number[] = [];
    const errors: string[] = [];
    right.onError((error) => errors.push(error.message));
    const three = waitFor<void>((resolve) =>
      right.onMessage((message) => {
        seen.push(message.n);
        if (seen.length === 3) {
          resolve();
        }
      }),
    );
    await left.send({ n: 1 });
    await left.send({ n: 'x' } as unknown as { n: number });
    await left.send({ n: 2 });
    await left.send({ n: 3 });
    await three;
    expect(seen).toEqual([1, 2, 3]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('/n');
    const closed = waitFor<Error | undefined>((resolve) => right.onClose(resolve));
    left.close();
    await closed;
    expect(right.closed).toBe(true);
    await expect(right.send({ n: 4 })).rejects.toMatchObject({ code: 'X_IPC_CHANNEL_CLOSED' });
  });
});

// A plain-JS worker that echoes every byte message it gets on the port from workerData, and
// exits with code 7 when told "exit".
const ECHO_WORKER = `
const { workerData } = require('node:worker_threads');
const port = workerData.port;
port.on('message', (bytes) => {
  if (Buffer.from(bytes).toString() === 'exit') process.exit(7);
  port.postMessage(bytes, [bytes.buffer]);
});
`;

describe('createMessagePortTransport with a real Worker', () => {
  it('round-trips frames through a worker thread and closes when the worker exits', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(ECHO_WORKER, {
      eval: true,
      workerData: { port: port2 },
      transferList: [port2],
    });
    const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
    const channel = createMessagePortChannel<{ i: number }, { i: number }>({
      port: port1,
      codec: createMsgpackCodec(),
    });
    const echoed: number[] = [];
    const all = waitFor<void>((resolve) =>
      channel.onMessage(({ i }) => {
        echoed.push(i);
        if (echoed.length === 50) {
          resolve();
        }
      }),
    );
    for (let i = 0; i < 50; i += 1) {
      await channel.send({ i });
    }
    await all;
    expect(echoed).toEqual(Array.from({ length: 50 }, (_, i) => i));

    const closed = waitFor<Error | undefined>((resolve) => channel.onClose(resolve));
    port1.postMessage(Buffer.from('exit'));
    expect(await exited).toBe(7);
    expect(await closed).toBeUndefined();
    expect(channel.closed).toBe(true);
  });
});
