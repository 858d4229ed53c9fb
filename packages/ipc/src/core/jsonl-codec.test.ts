import { describe, expect, it } from 'vitest';
import { bytes, chunksOf, collect, concat, splitAt, utf8 } from '../../test/support/decode.js';
import { FrameError, IPC_ERROR_CODES, isIpcError } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec.js';
import { createJsonlCodec } from './jsonl-codec.js';

const stop = { type: 'stop', graceMs: 2000 };
const log = { type: 'log', level: 'info', message: 'héllo wörld ✓ 🚀' };

function encodeError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected encode to throw');
}

describe('createJsonlCodec options', () => {
  it('defaults maxFrameBytes to 8 MiB', () => {
    expect(createJsonlCodec().maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    expect(createJsonlCodec().name).toBe('jsonl');
  });

  it.each([15, 0, -1, 16.5, Number.NaN, 2 ** 32])(
    'refuses maxFrameBytes %s with a TypeError',
    (max) => {
      expect(() => createJsonlCodec({ maxFrameBytes: max })).toThrow(TypeError);
      expect(() => createJsonlCodec({ maxFrameBytes: max })).toThrow(
        /maxFrameBytes must be an integer from 16/,
      );
    },
  );

  it('accepts the bounds 16 and 2^32 - 1', () => {
    expect(createJsonlCodec({ maxFrameBytes: 16 }).maxFrameBytes).toBe(16);
    expect(createJsonlCodec({ maxFrameBytes: 2 ** 32 - 1 }).maxFrameBytes).toBe(2 ** 32 - 1);
  });
});

describe('jsonl encode', () => {
  const codec = createJsonlCodec({ maxFrameBytes: 64 });

  it('writes one UTF-8 JSON line terminated by a single \\n', () => {
    expect(codec.encode(stop)).toEqual(utf8('{"type":"stop","graceMs":2000}\n'));
  });

  it('escapes newlines inside strings so a frame never contains a raw \\n before its end', () => {
    const frame = codec.encode({ text: 'a\nb\r\nc' });
    expect(frame.indexOf(0x0a)).toBe(frame.length - 1);
  });

  it('refuses a circular value with X_IPC_ENCODE_FAILED and keeps the cause', () => {
    const circular: Record<string, unknown> = { type: 'notify' };
    circular.payload = circular;
    const error = encodeError(() => codec.encode(circular));
    expect(isIpcError(error)).toBe(true);
    expect(error).toMatchObject({ code: IPC_ERROR_CODES.ENCODE_FAILED });
    expect((error as Error).message).toMatch(/^@x\/ipc: cannot encode value as JSON: .*circular/i);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ])('refuses %s (JSON.stringify gives no text) with X_IPC_ENCODE_FAILED', (_name, value) => {
    const error = encodeError(() => codec.encode(value));
    expect(error).toMatchObject({ code: IPC_ERROR_CODES.ENCODE_FAILED });
    expect((error as Error).message).toMatch(/send an object/);
  });

  it('refuses a BigInt with X_IPC_ENCODE_FAILED', () => {
    expect(encodeError(() => codec.encode({ n: 1n }))).toMatchObject({
      code: IPC_ERROR_CODES.ENCODE_FAILED,
    });
  });

  it('accepts a line of exactly maxFrameBytes bytes and refuses one byte more with X_IPC_FRAME_TOO_LARGE', () => {
    // '"' + 62 × 'a' + '"' is 64 bytes of JSON.
    expect(codec.encode('a'.repeat(62))).toHaveLength(65);
    const error = encodeError(() => codec.encode('a'.repeat(63)));
    expect(error).toMatchObject({ code: IPC_ERROR_CODES.FRAME_TOO_LARGE });
    expect((error as Error).message).toContain('frame of 65 bytes exceeds maxFrameBytes 64');
  });

  it('counts the limit in UTF-8 bytes, not in characters (31 × "é" is 64 bytes, 32 × is 66)', () => {
    expect(codec.encode('é'.repeat(31))).toHaveLength(65);
    expect(encodeError(() => codec.encode('é'.repeat(32)))).toMatchObject({
      code: IPC_ERROR_CODES.FRAME_TOO_LARGE,
    });
  });
});

describe('jsonl decoder', () => {
  const codec = createJsonlCodec({ maxFrameBytes: 64 });

  it('round-trips a value and reports frame 1 at offset 0', () => {
    const c = collect(codec);
    c.decoder.push(codec.encode(log));
    expect(c.events).toEqual([{ kind: 'frame', value: log, position: { frame: 1, offset: 0 } }]);
    expect(c.decoder.bufferedBytes).toBe(0);
  });

  it('a frame split across 3 chunks decodes once', () => {
    const c = collect(codec);
    const frame = codec.encode(stop);
    const chunks = splitAt(frame, [5, 17]);
    expect(chunks).toHaveLength(3);
    c.decoder.push(chunks[0]);
    c.decoder.push(chunks[1]);
    expect(c.events).toEqual([]);
    expect(c.decoder.bufferedBytes).toBe(17);
    c.decoder.push(chunks[2]);
    expect(c.values).toEqual([stop]);
    expect(c.errors).toEqual([]);
    expect(c.decoder.bufferedBytes).toBe(0);
  });

  it('a frame pushed one byte at a time decodes once', () => {
    const c = collect(codec);
    for (const chunk of chunksOf(codec.encode(log), 1)) {
      c.decoder.push(chunk);
    }
    expect(c.events).toEqual([{ kind: 'frame', value: log, position: { frame: 1, offset: 0 } }]);
  });

  it('the terminating newline alone in the next chunk completes the frame', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}'));
    expect(c.values).toEqual([]);
    c.decoder.push(utf8('\n'));
    expect(c.values).toEqual([{ a: 1 }]);
  });

  it('many frames in one chunk decode in order with their frame numbers and byte offsets', () => {
    const c = collect(codec);
    const frames = [stop, log, [1, 2], 'text', 42, null, true].map((value) => codec.encode(value));
    c.decoder.push(concat(...frames));
    let offset = 0;
    const expected = frames.map((frame, index) => {
      const event = {
        kind: 'frame',
        value: JSON.parse(new TextDecoder().decode(frame)),
        position: { frame: index + 1, offset },
      };
      offset += frame.length;
      return event;
    });
    expect(c.events).toEqual(expected);
  });

  it('a chunk that ends one frame and starts the next keeps the partial tail', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}\n{"b"'));
    expect(c.values).toEqual([{ a: 1 }]);
    expect(c.decoder.bufferedBytes).toBe(4);
    c.decoder.push(utf8(':2}\n'));
    expect(c.events[1]).toEqual({
      kind: 'frame',
      value: { b: 2 },
      position: { frame: 2, offset: 8 },
    });
  });

  it.each([
    ['a 2-byte char (é)', 'é'],
    ['a 3-byte char (✓)', '✓'],
    ['a 4-byte char (🚀)', '🚀'],
  ])('%s split across a chunk boundary at every inner byte decodes intact', (_name, char) => {
    const frame = codec.encode({ s: `x${char}y` });
    const charStart = utf8('{"s":"x').length;
    const charBytes = utf8(char).length;
    for (let cut = charStart + 1; cut < charStart + charBytes; cut += 1) {
      const c = collect(codec);
      for (const chunk of splitAt(frame, [cut])) {
        c.decoder.push(chunk);
      }
      expect(c.errors).toEqual([]);
      expect(c.values).toEqual([{ s: `x${char}y` }]);
    }
  });

  it('empty lines, whitespace-only lines and \\r\\n line endings are ignored and use no frame number', () => {
    const c = collect(codec);
    c.decoder.push(utf8('\n\n  \t \r\n{"a":1}\r\n\r\n{"b":2}\n \n'));
    expect(c.errors).toEqual([]);
    expect(c.events).toEqual([
      { kind: 'frame', value: { a: 1 }, position: { frame: 1, offset: 8 } },
      { kind: 'frame', value: { b: 2 }, position: { frame: 2, offset: 19 } },
    ]);
  });

  it('malformed JSON is reported as X_IPC_MALFORMED_FRAME with its frame number and byte offset, then the next line decodes', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}\n{"a":\n{"a":3}\n'));
    expect(c.values).toEqual([{ a: 1 }, { a: 3 }]);
    expect(c.errors).toHaveLength(1);
    const error = c.errors[0];
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ code: IPC_ERROR_CODES.MALFORMED_FRAME, frame: 2, offset: 8 });
    expect(error.message).toMatch(/^@x\/ipc: jsonl line is not valid UTF-8 JSON/);
    expect(error.message).toContain('"{\\"a\\":"');
    expect(error.message).toMatch(/\(frame 2, byte offset 8\)$/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(c.events[2]).toEqual({
      kind: 'frame',
      value: { a: 3 },
      position: { frame: 3, offset: 14 },
    });
  });

  it('a malformed line split across chunks is reported once at the offset where it began', () => {
    const c = collect(codec);
    for (const chunk of chunksOf(utf8('{"a":1}\nnot json at all\n{"a":2}\n'), 3)) {
      c.decoder.push(chunk);
    }
    expect(c.values).toEqual([{ a: 1 }, { a: 2 }]);
    expect(c.errors.map((e) => [e.code, e.frame, e.offset])).toEqual([
      [IPC_ERROR_CODES.MALFORMED_FRAME, 2, 8],
    ]);
  });

  it.each([
    ['a 0xff byte', bytes(0x22, 0xff, 0x22)],
    ['a lone continuation byte 0x80', bytes(0x22, 0x80, 0x22)],
    ['an overlong encoding of "/" (0xc0 0xaf)', bytes(0x22, 0xc0, 0xaf, 0x22)],
    ['a UTF-16 surrogate encoded in UTF-8 (0xed 0xa0 0x80)', bytes(0x22, 0xed, 0xa0, 0x80, 0x22)],
    ['a 3-byte sequence missing its last byte', bytes(0x22, 0xe2, 0x9c, 0x22)],
  ])('invalid UTF-8 (%s) is reported as malformed and the next line decodes', (_name, line) => {
    const c = collect(codec);
    c.decoder.push(concat(line, utf8('\n"ok"\n')));
    expect(c.errors.map((e) => [e.code, e.frame, e.offset])).toEqual([
      [IPC_ERROR_CODES.MALFORMED_FRAME, 1, 0],
    ]);
    expect(c.events[1]).toEqual({
      kind: 'frame',
      value: 'ok',
      position: { frame: 2, offset: line.length + 1 },
    });
  });

  it('a line of exactly maxFrameBytes bytes decodes; with one more byte it is refused', () => {
    const exact = `"${'a'.repeat(62)}"`;
    const c = collect(codec);
    c.decoder.push(utf8(`${exact}\n"${'a'.repeat(63)}"\n`));
    expect(c.values).toEqual(['a'.repeat(62)]);
    expect(c.errors.map((e) => e.code)).toEqual([IPC_ERROR_CODES.FRAME_TOO_LARGE]);
  });

  it('an oversized line in one chunk is reported once and decoding resumes after its newline', () => {
    const c = collect(codec);
    const big = `{"pad":"${'x'.repeat(200)}"}`;
    c.decoder.push(utf8(`{"a":1}\n${big}\n{"a":2}\n`));
    expect(c.values).toEqual([{ a: 1 }, { a: 2 }]);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({
      code: IPC_ERROR_CODES.FRAME_TOO_LARGE,
      frame: 2,
      offset: 8,
    });
    expect(c.errors[0].message).toContain(
      'line longer than maxFrameBytes 64; skipped to the next newline',
    );
    expect(c.events[2]).toMatchObject({ position: { frame: 3, offset: 8 + big.length + 1 } });
  });

  it('an oversized line arriving across many chunks is reported once, and bufferedBytes never exceeds maxFrameBytes', () => {
    const c = collect(codec);
    const big = `{"pad":"${'x'.repeat(1000)}"}`;
    const stream = utf8(`{"a":1}\n${big}\n{"a":2}\n`);
    let maxBuffered = 0;
    for (const chunk of chunksOf(stream, 7)) {
      c.decoder.push(chunk);
      maxBuffered = Math.max(maxBuffered, c.decoder.bufferedBytes);
    }
    expect(maxBuffered).toBeLessThanOrEqual(64);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(c.values).toEqual([{ a: 1 }, { a: 2 }]);
    expect(c.errors.map((e) => [e.code, e.frame, e.offset])).toEqual([
      [IPC_ERROR_CODES.FRAME_TOO_LARGE, 2, 8],
    ]);
  });

  it('an oversized line is reported as soon as it passes the limit, before its newline arrives', () => {
    const c = collect(codec);
    c.decoder.push(utf8('x'.repeat(40)));
    expect(c.errors).toEqual([]);
    c.decoder.push(utf8('x'.repeat(40)));
    expect(c.errors.map((e) => e.code)).toEqual([IPC_ERROR_CODES.FRAME_TOO_LARGE]);
    expect(c.decoder.bufferedBytes).toBe(0);
    c.decoder.push(utf8('x'.repeat(500)));
    c.decoder.push(utf8('xx\n[1]\n'));
    expect(c.errors).toHaveLength(1);
    expect(c.values).toEqual([[1]]);
  });

  it('the stream ending mid-line reports X_IPC_TRUNCATED_FRAME at the offset where the line began', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}\n{"a":'));
    c.decoder.end();
    expect(c.values).toEqual([{ a: 1 }]);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({
      code: IPC_ERROR_CODES.TRUNCATED_FRAME,
      frame: 2,
      offset: 8,
    });
    expect(c.errors[0].message).toContain('stream ended inside a line of 5 bytes');
    expect(c.decoder.bufferedBytes).toBe(0);
  });

  it('a complete line without its final newline is still reported as truncated at end', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}'));
    c.decoder.end();
    expect(c.values).toEqual([]);
    expect(c.errors.map((e) => e.code)).toEqual([IPC_ERROR_CODES.TRUNCATED_FRAME]);
  });

  it('end() after complete lines, or with only whitespace buffered, reports nothing', () => {
    const c = collect(codec);
    c.decoder.push(utf8('{"a":1}\n  \r'));
    c.decoder.end();
    expect(c.errors).toEqual([]);
    expect(c.values).toEqual([{ a: 1 }]);
  });

  it('the stream ending inside an oversized line reports only the FRAME_TOO_LARGE, not a TRUNCATED on top', () => {
    const c = collect(codec);
    c.decoder.push(utf8('y'.repeat(100)));
    c.decoder.end();
    expect(c.errors.map((e) => e.code)).toEqual([IPC_ERROR_CODES.FRAME_TOO_LARGE]);
  });

  it('ignores empty chunks', () => {
    const c = collect(codec);
    c.decoder.push(new Uint8Array(0));
    c.decoder.push(utf8('[1]'));
    c.decoder.push(new Uint8Array(0));
    c.decoder.push(utf8('\n'));
    expect(c.values).toEqual([[1]]);
  });

  it('decodes a chunk that is a subarray view into a larger buffer', () => {
    const c = collect(codec);
    const backing = utf8('GARBAGE[7]\nGARBAGE');
    c.decoder.push(backing.subarray(7, 11));
    expect(c.values).toEqual([[7]]);
    expect(c.errors).toEqual([]);
  });
});
