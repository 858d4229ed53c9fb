import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collect } from '../../test/support/decode.js';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createStreamTransport } from './stream-transport.js';

/** A writable that records each chunk it is handed, optionally never calling back (a stuck peer). */
function recorder(options: { highWaterMark?: number; stuck?: boolean } = {}) {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      if (!options.stuck) {
        callback();
      }
    },
  });
  return { stream, chunks };
}

describe('createStreamTransport write coalescing', () => {
  it('a burst of 100 small frames written in one run reaches the stream as one write', async () => {
    const { stream, chunks } = recorder();
    const transport = createStreamTransport(new PassThrough(), stream);
    const codec = createJsonlCodec();
    for (let i = 0; i < 100; i += 1) {
      transport.write(codec.encode({ i }));
    }
    expect(chunks).toHaveLength(0); // held until the next microtask
    await Promise.resolve();
    expect(chunks).toHaveLength(1);
    expect(chunks[0].toString().trim().split('\n')).toHaveLength(100);
  });

  it('keeps the order of frames across flushes', async () => {
    const { stream, chunks } = recorder();
    const transport = createStreamTransport(new PassThrough(), stream);
    const codec = createJsonlCodec();
    transport.write(codec.encode({ n: 1 }));
    await Promise.resolve();
    transport.write(codec.encode({ n: 2 }));
    transport.write(codec.encode({ n: 3 }));
    await Promise.resolve();
    expect(Buffer.concat(chunks).toString()).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });

  it('close() writes the held frames before ending the stream', async () => {
    const { stream, chunks } = recorder();
    const finished = new Promise((resolve) => stream.on('finish', resolve));
    const transport = createStreamTransport(new PassThrough(), stream);
    transport.write(createJsonlCodec().encode({ last: true }));
    transport.close();
    await finished;
    expect(Buffer.concat(chunks).toString()).toBe('{"last":true}\n');
  });

  it('write returns false only once the stream itself is full, and bufferedBytes counts held bytes', async () => {
    const { stream } = recorder({ highWaterMark: 1024, stuck: true });
    const transport = createStreamTransport(new PassThrough(), stream);
    const frame = createJsonlCodec().encode({ pad: 'x'.repeat(200) });
    expect(transport.write(frame)).toBe(true);
    expect(transport.bufferedBytes).toBe(frame.length);
    let accepted = true;
    for (let i = 0; i < 20 && accepted; i += 1) {
      accepted = transport.write(frame);
      await Promise.resolve();
    }
    expect(accepted).toBe(false);
    expect(stream.writableLength).toBeGreaterThanOrEqual(1024);
  });
});

describe('jsonl decoding fast path', () => {
  it('a line starting with a byte-order mark decodes (the mark is dropped)', () => {
    const c = collect(createJsonlCodec());
    c.decoder.push(Buffer.from('\uFEFF{"a":1}\n'));
    expect(c.values).toEqual([{ a: 1 }]);
    expect(c.errors).toEqual([]);
  });

  it('a real U+FFFD in the text decodes normally, while invalid UTF-8 is still malformed', () => {
    const c = collect(createJsonlCodec());
    c.decoder.push(Buffer.from('{"s":"\uFFFD"}\n'));
    c.decoder.push(
      Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xff]), Buffer.from('"}\n')]),
    );
    c.decoder.push(Buffer.from('{"ok":true}\n'));
    expect(c.values).toEqual([{ s: '\uFFFD' }, { ok: true }]);
    expect(c.errors.map((e) => e.code)).toEqual(['X_IPC_MALFORMED_FRAME']);
  });
});
