import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createMsgpackCodec } from '../core/msgpack-codec.js';
import type { FrameCodec } from '../core/codec.js';
import { IPC_ERROR_CODES } from '../errors.js';
import type { RunnerMessage } from '../protocol/schema.js';
import { validateRunnerMessage } from '../protocol/validate.js';
import { createStreamChannel } from './stream-channel.js';
import { createStreamTransport } from './stream-transport.js';

const heartbeat = (at: number): RunnerMessage => ({ type: 'heartbeat', at });

/** A writable whose consumer never reads: every write stays in `writableLength`. */
const neverReads = () => new Writable({ highWaterMark: 64, write: () => undefined });

describe.each([
  ['jsonl', () => createJsonlCodec()],
  ['msgpack', () => createMsgpackCodec()],
] as [string, () => FrameCodec][])('stream channel over %s', (_name, makeCodec) => {
  it('delivers messages in order across two PassThrough pipes, whatever the stream chunking', async () => {
    const toRunner = new PassThrough();
    const toSupervisor = new PassThrough();
    const runner = createStreamChannel<never, RunnerMessage>({
      readable: toRunner,
      writable: toSupervisor,
      codec: makeCodec(),
    });
    const supervisor = createStreamChannel<RunnerMessage, never>({
      readable: toSupervisor,
      writable: toRunner,
      codec: makeCodec(),
      validate: validateRunnerMessage,
    });
    const received: RunnerMessage[] = [];
    const errors: Error[] = [];
    supervisor.onMessage((message) => received.push(message));
    supervisor.onError((error) => errors.push(error));
    const sent = Array.from({ length: 200 }, (_, i) => heartbeat(i));
    for (const message of sent) {
      await runner.send(message);
    }
    await vi.waitFor(() => expect(received).toHaveLength(sent.length));
    expect(received).toEqual(sent);
    expect(errors).toEqual([]);
    runner.close();
    supervisor.close();
  });
});

describe('stream channel lifecycle', () => {
  it('the readable ending closes the channel with no error', async () => {
    const input = new PassThrough();
    const channel = createStreamChannel({
      readable: input,
      writable: new PassThrough(),
      codec: createJsonlCodec(),
    });
    const closed = new Promise((resolve) => channel.onClose(resolve));
    input.end('{"a":1}\n');
    input.resume();
    expect(await closed).toBeUndefined();
    expect(channel.closed).toBe(true);
    await expect(channel.send({})).rejects.toMatchObject({
      code: IPC_ERROR_CODES.CHANNEL_CLOSED,
    });
  });

  it('a stream error (EPIPE on the writable) closes the channel and is reported, never thrown', async () => {
    const writable = new PassThrough();
    const channel = createStreamChannel({
      readable: new PassThrough(),
      writable,
      codec: createJsonlCodec(),
    });
    const errors: Error[] = [];
    channel.onError((error) => errors.push(error));
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    writable.destroy(epipe);
    expect(await closed).toBe(epipe);
    expect(errors).toEqual([epipe]);
  });

  it('close() ends the writable and destroys a separate readable', async () => {
    const readable = new PassThrough();
    const writable = new PassThrough();
    const channel = createStreamChannel({ readable, writable, codec: createJsonlCodec() });
    channel.close();
    expect(writable.writableEnded).toBe(true);
    expect(readable.destroyed).toBe(true);
    expect(channel.closed).toBe(true);
  });

  it('with a real Writable whose peer never reads, send rejects X_IPC_BACKPRESSURE and writableLength stays bounded', async () => {
    const writable = neverReads();
    const channel = createStreamChannel<never, RunnerMessage>({
      readable: new PassThrough(),
      writable,
      codec: createJsonlCodec(),
      maxQueuedBytes: 1000,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        Promise.race([
          channel.send(heartbeat(1000 + i)).then(() => 'sent'),
          new Promise((resolve) => setTimeout(resolve, 50, 'waiting')),
        ]).catch((error: { code?: string }) => error.code),
      ),
    );
    expect(outcomes.filter((o) => o === IPC_ERROR_CODES.BACKPRESSURE).length).toBeGreaterThan(50);
    expect(writable.writableLength).toBeLessThanOrEqual(1000);
    expect(writable.writableLength).toBeGreaterThan(900);
    channel.close();
  });

  it('a drain on the writable resolves sends that were waiting for it', async () => {
    let release: (() => void) | undefined;
    const writable = new Writable({
      highWaterMark: 16,
      write: (_chunk, _encoding, callback) => {
        release = callback;
      },
    });
    const channel = createStreamChannel<never, RunnerMessage>({
      readable: new PassThrough(),
      writable,
      codec: createJsonlCodec(),
    });
    let done = false;
    const sending = channel.send(heartbeat(1000)).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release?.();
    await sending;
    expect(done).toBe(true);
    channel.close();
  });
});

describe('createStreamTransport', () => {
  it('an onClose subscribed after the stream ended is still called, asynchronously', async () => {
    const readable = new PassThrough();
    const transport = createStreamTransport(readable, new PassThrough());
    readable.destroy();
    await once(readable, 'close');
    const calls: unknown[] = [];
    transport.onClose((error) => calls.push(error));
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual([undefined]);
  });

  it('write after the writable ended is a no-op that reports no backpressure', () => {
    const writable = new PassThrough();
    const transport = createStreamTransport(new PassThrough(), writable);
    writable.end();
    expect(transport.write(Uint8Array.of(1))).toBe(true);
  });

  it('bufferedBytes is the writable’s writableLength', () => {
    const writable = neverReads();
    const transport = createStreamTransport(new PassThrough(), writable);
    transport.write(new Uint8Array(10));
    transport.write(new Uint8Array(7));
    expect(transport.bufferedBytes).toBe(17);
  });
});
