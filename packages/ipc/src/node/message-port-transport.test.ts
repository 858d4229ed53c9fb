import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createMsgpackCodec } from '../core/msgpack-codec.js';
import { createMessagePortChannel } from './message-port-channel.js';
import {
  createMessagePortTransport,
  MESSAGE_PORT_HIGH_WATER_BYTES,
} from './message-port-transport.js';

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
    let received = '';
    const all = waitFor<void>((resolve) => {
      b.onData((chunk) => {
        expect(chunk).toBeInstanceOf(Uint8Array);
        received += Buffer.from(chunk).toString();
        if (received.length === 'onetwothree'.length) {
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
    expect(received).toBe('onetwothree');
    expect(shared.buffer.byteLength).toBeGreaterThan(0); // not detached by a transfer
    // 11 bytes posted, fewer than the 64 KiB after which the receiver acknowledges.
    expect(a.bufferedBytes).toBe(11);
    a.close();
    expect(a.bufferedBytes).toBe(0);
  });

  it('frames written in one synchronous run arrive as one message; a later run as another', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1);
    const b = createMessagePortTransport(port2);
    const chunks: string[] = [];
    const two = waitFor<void>((resolve) =>
      b.onData((chunk) => {
        chunks.push(Buffer.from(chunk).toString());
        if (chunks.length === 2) {
          resolve();
        }
      }),
    );
    for (let i = 0; i < 100; i += 1) {
      a.write(Buffer.from('x'));
    }
    await Promise.resolve();
    a.write(Buffer.from('y'));
    await two;
    expect(chunks).toEqual(['x'.repeat(100), 'y']);
    a.close();
  });

  it('a burst is delivered one message per event-loop turn: a timer runs in between', async () => {
    const { port1, port2 } = new MessageChannel();
    const b = createMessagePortTransport(port2);
    const order: string[] = [];
    const all = waitFor<void>((resolve) =>
      b.onData((chunk) => {
        order.push(`data ${chunk[0]}`);
        if (chunk[0] === 1) {
          setTimeout(() => order.push('timer'), 0);
        }
        // A slow listener: the timer is due before the next message is handed over.
        const until = performance.now() + 20;
        while (performance.now() < until) {
          // busy
        }
        if (chunk[0] === 3) {
          resolve();
        }
      }),
    );
    for (const n of [1, 2, 3]) {
      port1.postMessage(new Uint8Array([n]));
    }
    await all;
    // All three were queued before the first was delivered; the timer set during the first
    // (and due when it returned) got its turn before the last was handed over (at once, it
    // would come after all three).
    expect(order.filter((entry) => entry !== 'timer')).toEqual(['data 1', 'data 2', 'data 3']);
    expect(order.indexOf('timer')).toBeLessThan(3);
    b.close();
  });

  it('data received just before the peer closes is delivered before onClose', async () => {
    const { port1, port2 } = new MessageChannel();
    const b = createMessagePortTransport(port2);
    const seen: string[] = [];
    b.onData((chunk) => seen.push(`data ${chunk.byteLength}`));
    const closed = waitFor<void>((resolve) => b.onClose(() => resolve()));
    for (let i = 1; i <= 5; i += 1) {
      port1.postMessage(new Uint8Array(i));
    }
    port1.close();
    await closed;
    expect(seen).toEqual(['data 1', 'data 2', 'data 3', 'data 4', 'data 5']);
  });

  it('close() posts what is still held before closing the port', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1);
    const b = createMessagePortTransport(port2);
    let received = '';
    b.onData((chunk) => (received += Buffer.from(chunk).toString()));
    const closed = waitFor<Error | undefined>((resolve) => b.onClose(resolve));
    a.write(Buffer.from('last words'));
    a.close();
    await closed;
    expect(received).toBe('last words');
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

  it('counts unacknowledged bytes, returns false past the high-water mark, drains on acknowledgements', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport(port1, { highWaterBytes: 100_000, ackBytes: 10_000 });
    let drains = 0;
    a.onDrain(() => (drains += 1));
    const chunk = new Uint8Array(30_000);
    expect([a.write(chunk), a.write(chunk), a.write(chunk)]).toEqual([true, true, true]);
    expect(a.write(chunk)).toBe(false); // 120 000 >= 100 000
    expect(a.bufferedBytes).toBe(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nobody reads port2 yet: nothing is acknowledged, no drain.
    expect({ drains, buffered: a.bufferedBytes }).toEqual({ drains: 0, buffered: 120_000 });

    const b = createMessagePortTransport(port2, { ackBytes: 10_000 });
    let received = 0;
    b.onData((bytes) => (received += bytes.byteLength));
    // The first acknowledgement after the refused write is a drain (room was freed).
    await waitFor<void>((resolve) => a.onDrain(resolve));
    expect(drains).toBe(1);
    expect(a.bufferedBytes).toBeLessThan(120_000);
    // Every message was >= ackBytes, so each is acknowledged on its own.
    for (let i = 0; i < 100 && a.bufferedBytes > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect({ received, buffered: a.bufferedBytes }).toEqual({ received: 120_000, buffered: 0 });
    // No write was refused since: no further drain.
    expect(drains).toBe(1);
    a.close();
  });

  it('an acknowledgement is not data: numbers on the port never reach onData', async () => {
    const { port1, port2 } = new MessageChannel();
    const b = createMessagePortTransport(port2);
    const chunks: number[] = [];
    const got = waitFor<void>((resolve) =>
      b.onData((bytes) => {
        chunks.push(bytes.byteLength);
        resolve();
      }),
    );
    port1.postMessage(123);
    port1.postMessage('text');
    port1.postMessage(new Uint8Array([1, 2]));
    await got;
    expect(chunks).toEqual([2]);
    b.close();
  });
});

describe('createMessagePortChannel flow control', () => {
  const codec = createMsgpackCodec();

  it('a sender that ignores backpressure (peer not reading) gets X_IPC_BACKPRESSURE at maxQueuedBytes', async () => {
    const { port1 } = new MessageChannel(); // port2 is never read
    const sender = createMessagePortChannel<never, { pad: string }>({
      port: port1,
      codec,
      maxQueuedBytes: 2 * 1024 * 1024,
    });
    const pad = 'x'.repeat(10_000);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 400; i += 1) {
      const sending = sender.send({ pad }); // not awaited: ignores backpressure
      sending.catch(() => undefined);
      sends.push(sending);
    }
    // Sends past 2 MiB were refused at once; let the event loop run, then close: that
    // releases the sends still waiting for a drain.
    await new Promise((resolve) => setTimeout(resolve, 100));
    sender.close();
    const outcomes = (await Promise.allSettled(sends)).map((result) =>
      result.status === 'fulfilled'
        ? 'accepted'
        : (result.reason as { code: string }).code === 'X_IPC_BACKPRESSURE'
          ? 'refused'
          : (result.reason as { code: string }).code,
    );
    // In order: accepted below the 1 MiB high-water mark, waiting for a drain (released by
    // close) up to the 2 MiB maxQueuedBytes, refused beyond. Frames are ~10 KB.
    const count = (what: string) => outcomes.filter((outcome) => outcome === what).length;
    expect(count('accepted')).toBeGreaterThan(90);
    expect(count('X_IPC_CHANNEL_CLOSED')).toBeGreaterThan(90);
    expect(count('refused')).toBeGreaterThan(150);
    expect(count('accepted') + count('X_IPC_CHANNEL_CLOSED') + count('refused')).toBe(400);
    expect(outcomes.indexOf('X_IPC_CHANNEL_CLOSED')).toBe(count('accepted'));
    expect(outcomes.indexOf('refused')).toBe(count('accepted') + count('X_IPC_CHANNEL_CLOSED'));
  });

  it('a sender that awaits each send moves 64 MiB through, never more than the high-water mark in flight', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = createMessagePortChannel<never, Uint8Array>({ port: port1, codec });
    const receiver = createMessagePortChannel<Uint8Array, never>({ port: port2, codec });
    const total = 64 * 1024 * 1024;
    const frame = new Uint8Array(64 * 1024);
    let received = 0;
    const all = waitFor<void>(
      (resolve) =>
        receiver.onMessage((message) => {
          received += message.byteLength;
          if (received >= total) {
            resolve();
          }
        }),
      60_000,
    );
    for (let sent = 0; sent < total; sent += frame.byteLength) {
      await sender.send(frame);
      // Flow control: the sender is never more than the high-water mark (+ one frame) ahead.
      expect(sent + frame.byteLength - received).toBeLessThanOrEqual(
        MESSAGE_PORT_HIGH_WATER_BYTES + 2 * frame.byteLength,
      );
    }
    await all;
    expect(received).toBe(total);
    sender.close();
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
