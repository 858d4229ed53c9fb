import { describe, expect, it } from 'vitest';
import { concat, utf8 } from '../../test/support/decode.js';
import { createTransportPair, MemoryTransport } from '../../test/support/memory-transport.js';
import { FrameError, IPC_ERROR_CODES, IpcError } from '../errors.js';
import type { RunnerMessage } from '../protocol/schema.js';
import { validateRunnerMessage } from '../protocol/validate.js';
import { createChannel, DEFAULT_MAX_QUEUED_BYTES, type Channel } from './channel.js';
import type { FrameCodec } from './codec.js';
import { createJsonlCodec } from './jsonl-codec.js';
import { createMsgpackCodec } from './msgpack-codec.js';

const codecs: [string, () => FrameCodec][] = [
  ['jsonl', () => createJsonlCodec()],
  ['msgpack', () => createMsgpackCodec()],
];

/** Records what a channel reports. */
function watch<In, Out>(channel: Channel<In, Out>) {
  const seen = { messages: [] as In[], errors: [] as Error[], closes: [] as (Error | undefined)[] };
  channel.onMessage((message) => seen.messages.push(message));
  channel.onError((error) => seen.errors.push(error));
  channel.onClose((error) => seen.closes.push(error));
  return seen;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const heartbeat = (at: number): RunnerMessage => ({ type: 'heartbeat', at });

describe.each(codecs)('channel over %s', (_name, makeCodec) => {
  it('delivers messages in the order they were sent, over a transport pair', async () => {
    const [a, b] = createTransportPair();
    const sender = createChannel<never, RunnerMessage>({ transport: a, codec: makeCodec() });
    const receiver = createChannel<RunnerMessage, never>({
      transport: b,
      codec: makeCodec(),
      validate: validateRunnerMessage,
    });
    const seen = watch(receiver);
    const sent = Array.from({ length: 50 }, (_, i) => heartbeat(i));
    await Promise.all(sent.map((message) => sender.send(message)));
    await tick();
    expect(seen.messages).toEqual(sent);
    expect(seen.errors).toEqual([]);
    expect(sender.codec).toBe(makeCodec().name);
  });

  it('an invalid message is reported as X_IPC_INVALID_MESSAGE naming the field, and the next valid one is delivered', () => {
    const transport = new MemoryTransport();
    const codec = makeCodec();
    const channel = createChannel<RunnerMessage, never>({
      transport,
      codec,
      validate: validateRunnerMessage,
    });
    const seen = watch(channel);
    const first = codec.encode({
      type: 'iteration_done',
      iteration: '3',
      status: 'ok',
      durationMs: 1,
    });
    transport.emitData(concat(first, codec.encode(heartbeat(7))));
    expect(seen.messages).toEqual([heartbeat(7)]);
    expect(seen.errors).toHaveLength(1);
    const error = seen.errors[0] as FrameError;
    expect(error).toBeInstanceOf(FrameError);
    expect(error.code).toBe(IPC_ERROR_CODES.INVALID_MESSAGE);
    expect(error.message).toContain(
      'invalid `iteration_done` message: field /iteration Expected integer',
    );
    expect(error).toMatchObject({ frame: 1, offset: 0 });
  });

  it('a message of an unknown type is reported as X_IPC_UNKNOWN_MESSAGE_TYPE, not as invalid', () => {
    const transport = new MemoryTransport();
    const codec = makeCodec();
    const channel = createChannel<RunnerMessage, never>({
      transport,
      codec,
      validate: validateRunnerMessage,
    });
    const seen = watch(channel);
    transport.emitData(
      concat(codec.encode({ type: 'from_the_future' }), codec.encode(heartbeat(1))),
    );
    expect(seen.messages).toEqual([heartbeat(1)]);
    expect(seen.errors.map((e) => (e as FrameError).code)).toEqual([
      IPC_ERROR_CODES.UNKNOWN_MESSAGE_TYPE,
    ]);
  });

  it('a non-object frame is reported as invalid without a type in the message', () => {
    const transport = new MemoryTransport();
    const codec = makeCodec();
    const channel = createChannel<RunnerMessage, never>({
      transport,
      codec,
      validate: validateRunnerMessage,
    });
    const seen = watch(channel);
    transport.emitData(codec.encode([1, 2]));
    expect(seen.errors[0]).toMatchObject({ code: IPC_ERROR_CODES.INVALID_MESSAGE });
    expect(seen.errors[0].message).toContain(
      '@x/ipc: invalid message: field / expected a message object, got an array',
    );
  });

  it('without a validator every decoded value is delivered as is', () => {
    const transport = new MemoryTransport();
    const codec = makeCodec();
    const seen = watch(createChannel<unknown, never>({ transport, codec }));
    transport.emitData(concat(codec.encode([1]), codec.encode('x'), codec.encode(null)));
    expect(seen.messages).toEqual([[1], 'x', null]);
  });

  it('frames the decoder skips are reported on onError and delivery goes on', () => {
    const transport = new MemoryTransport();
    const codec = makeCodec();
    const seen = watch(
      createChannel<RunnerMessage, never>({ transport, codec, validate: validateRunnerMessage }),
    );
    const garbage =
      codec.name === 'jsonl' ? utf8('{oops\n') : Uint8Array.of(0, 0, 0, 2, 0x01, 0x02);
    transport.emitData(concat(garbage, codec.encode(heartbeat(1))));
    expect(seen.errors.map((e) => (e as IpcError).code)).toEqual([IPC_ERROR_CODES.MALFORMED_FRAME]);
    expect(seen.messages).toEqual([heartbeat(1)]);
  });
});

describe('channel send', () => {
  it('writes exactly the encoded frame and resolves when the transport accepts it', async () => {
    const transport = new MemoryTransport();
    const codec = createJsonlCodec();
    const channel = createChannel<never, RunnerMessage>({ transport, codec });
    await channel.send(heartbeat(1));
    expect(transport.written).toEqual([utf8('{"type":"heartbeat","at":1}\n')]);
  });

  it('an unencodable message rejects with X_IPC_ENCODE_FAILED and writes nothing', async () => {
    const transport = new MemoryTransport();
    const channel = createChannel<never, unknown>({ transport, codec: createJsonlCodec() });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(channel.send(circular)).rejects.toMatchObject({
      code: IPC_ERROR_CODES.ENCODE_FAILED,
    });
    await expect(channel.send(undefined)).rejects.toMatchObject({
      code: IPC_ERROR_CODES.ENCODE_FAILED,
    });
    expect(transport.written).toEqual([]);
  });

  it('an oversized message rejects with X_IPC_FRAME_TOO_LARGE and writes nothing', async () => {
    const transport = new MemoryTransport();
    const channel = createChannel<never, unknown>({
      transport,
      codec: createMsgpackCodec({ maxFrameBytes: 16 }),
    });
    await expect(channel.send({ big: 'x'.repeat(100) })).rejects.toMatchObject({
      code: IPC_ERROR_CODES.FRAME_TOO_LARGE,
    });
    expect(transport.written).toEqual([]);
  });

  it('send after close() rejects with X_IPC_CHANNEL_CLOSED and writes nothing', async () => {
    const transport = new MemoryTransport();
    const channel = createChannel<never, RunnerMessage>({ transport, codec: createJsonlCodec() });
    channel.close();
    expect(channel.closed).toBe(true);
    const sending = channel.send(heartbeat(1));
    await expect(sending).rejects.toBeInstanceOf(IpcError);
    await expect(sending).rejects.toMatchObject({ code: IPC_ERROR_CODES.CHANNEL_CLOSED });
    expect(transport.written).toEqual([]);
  });

  it('send after the transport closed on its own rejects with X_IPC_CHANNEL_CLOSED', async () => {
    const transport = new MemoryTransport();
    const channel = createChannel<never, RunnerMessage>({ transport, codec: createJsonlCodec() });
    transport.emitClose();
    await expect(channel.send(heartbeat(1))).rejects.toMatchObject({
      code: IPC_ERROR_CODES.CHANNEL_CLOSED,
    });
  });

  it('defaults maxQueuedBytes to 16 MiB', () => {
    expect(DEFAULT_MAX_QUEUED_BYTES).toBe(16 * 1024 * 1024);
  });
});

describe('channel backpressure', () => {
  const frameBytes = createJsonlCodec().encode(heartbeat(1000)).length; // 30 bytes

  it('with a peer that never reads, send rejects X_IPC_BACKPRESSURE once the queue limit is reached, and the queue stops growing', async () => {
    const transport = new MemoryTransport();
    transport.stall();
    const maxQueuedBytes = 10 * frameBytes;
    const channel = createChannel<never, RunnerMessage>({
      transport,
      codec: createJsonlCodec(),
      maxQueuedBytes,
    });
    const pending: Promise<void>[] = [];
    const refused: unknown[] = [];
    for (let i = 0; i < 100; i += 1) {
      pending.push(
        channel.send(heartbeat(1000 + i)).catch((error: unknown) => {
          refused.push(error);
        }),
      );
    }
    await tick();
    expect(transport.written).toHaveLength(10);
    expect(transport.bufferedBytes).toBe(maxQueuedBytes);
    expect(refused).toHaveLength(90);
    expect(refused[0]).toBeInstanceOf(IpcError);
    expect(refused[0]).toMatchObject({ code: IPC_ERROR_CODES.BACKPRESSURE });
    expect((refused[0] as Error).message).toContain(
      `${maxQueuedBytes} bytes already queued, limit ${maxQueuedBytes} (maxQueuedBytes)`,
    );
    channel.close();
    await Promise.all(pending);
  });

  it('a message that would pass the limit by one byte is refused; one that reaches it exactly is accepted', async () => {
    const transport = new MemoryTransport();
    transport.stall();
    const channel = createChannel<never, RunnerMessage>({
      transport,
      codec: createJsonlCodec(),
      maxQueuedBytes: 2 * frameBytes - 1,
    });
    void channel.send(heartbeat(1000)).catch(() => undefined);
    await expect(channel.send(heartbeat(1001))).rejects.toMatchObject({
      code: IPC_ERROR_CODES.BACKPRESSURE,
    });
    const exact = createChannel<never, RunnerMessage>({
      transport: new MemoryTransport(),
      codec: createJsonlCodec(),
      maxQueuedBytes: frameBytes,
    });
    await expect(exact.send(heartbeat(1000))).resolves.toBeUndefined();
  });

  it('a send the transport could not take at once resolves on drain, and sending resumes', async () => {
    const transport = new MemoryTransport();
    transport.stall();
    const channel = createChannel<never, RunnerMessage>({
      transport,
      codec: createJsonlCodec(),
      maxQueuedBytes: frameBytes,
    });
    let settled = false;
    const first = channel.send(heartbeat(1000)).then(() => {
      settled = true;
    });
    await expect(channel.send(heartbeat(1001))).rejects.toMatchObject({
      code: IPC_ERROR_CODES.BACKPRESSURE,
    });
    await tick();
    expect(settled).toBe(false);
    transport.drain();
    await first;
    expect(settled).toBe(true);
    await expect(channel.send(heartbeat(1002))).resolves.toBeUndefined();
  });

  it('pending drain waiters reject with X_IPC_CHANNEL_CLOSED when the channel closes', async () => {
    const transport = new MemoryTransport();
    transport.stall();
    const channel = createChannel<never, RunnerMessage>({ transport, codec: createJsonlCodec() });
    const waiting = [channel.send(heartbeat(1)), channel.send(heartbeat(2))];
    channel.close();
    for (const promise of waiting) {
      await expect(promise).rejects.toMatchObject({ code: IPC_ERROR_CODES.CHANNEL_CLOSED });
    }
  });

  it('pending drain waiters reject when the transport closes with an error', async () => {
    const transport = new MemoryTransport();
    transport.stall();
    const channel = createChannel<never, RunnerMessage>({ transport, codec: createJsonlCodec() });
    const waiting = channel.send(heartbeat(1));
    transport.emitClose(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(waiting).rejects.toMatchObject({ code: IPC_ERROR_CODES.CHANNEL_CLOSED });
  });
});

describe('channel close', () => {
  it('close() closes the transport once, fires onClose once with undefined, and is idempotent', () => {
    const transport = new MemoryTransport();
    const channel = createChannel({ transport, codec: createJsonlCodec() });
    const seen = watch(channel);
    channel.close();
    channel.close();
    expect(transport.closeCalls).toBe(1);
    expect(seen.closes).toEqual([undefined]);
    expect(seen.errors).toEqual([]);
  });

  it('a transport error is reported on onError and onClose, and the channel is closed', () => {
    const transport = new MemoryTransport();
    const channel = createChannel({ transport, codec: createJsonlCodec() });
    const seen = watch(channel);
    const failure = new Error('read ECONNRESET');
    transport.emitClose(failure);
    expect(channel.closed).toBe(true);
    expect(seen.errors).toEqual([failure]);
    expect(seen.closes).toEqual([failure]);
  });

  it('a partial frame left when the transport ends is reported as X_IPC_TRUNCATED_FRAME before onClose', () => {
    const transport = new MemoryTransport();
    const channel = createChannel({ transport, codec: createJsonlCodec() });
    const order: string[] = [];
    channel.onError((error) => order.push((error as IpcError).code));
    channel.onClose(() => order.push('close'));
    transport.emitData(utf8('{"type":"heart'));
    transport.emitClose();
    expect(order).toEqual([IPC_ERROR_CODES.TRUNCATED_FRAME, 'close']);
  });

  it('a closed channel unsubscribes from its transport (no listener leak)', () => {
    const transport = new MemoryTransport();
    const codec = createJsonlCodec();
    const channel = createChannel({ transport, codec });
    const seen = watch(channel);
    expect(transport.listenerCount).toBe(3);
    channel.close();
    expect(transport.listenerCount).toBe(0);
    expect(seen.messages).toEqual([]);
  });
});
