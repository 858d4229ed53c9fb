import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, concat, splitAt, utf8 } from '../../test/support/decode.js';
import { FrameError, IPC_ERROR_CODES } from '../errors.js';
import type { FrameCodec } from './codec.js';
import { createJsonlCodec } from './jsonl-codec.js';
import { createMsgpackCodec } from './msgpack-codec.js';

const RUNS = { numRuns: 200 };
const SMALL_MAX = 64;
const FRAME_ERROR_CODES: string[] = [
  IPC_ERROR_CODES.FRAME_TOO_LARGE,
  IPC_ERROR_CODES.MALFORMED_FRAME,
  IPC_ERROR_CODES.TRUNCATED_FRAME,
];

const codecs: [string, (max?: number) => FrameCodec][] = [
  ['jsonl', (max) => createJsonlCodec(max === undefined ? undefined : { maxFrameBytes: max })],
  ['msgpack', (max) => createMsgpackCodec(max === undefined ? undefined : { maxFrameBytes: max })],
];

/**
 * JSON values as they survive JSON itself (`-0` becomes `0`), without object keys named
 * `__proto__`: msgpack decoding renames those (a documented limitation, pinned by its own
 * test in msgpack-codec.test.ts).
 */
const message = fc
  .jsonValue({ maxDepth: 3, stringUnit: 'grapheme' })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown)
  .filter((value) => !JSON.stringify(value).includes('"__proto__":'));

/** Cut points into a byte string of unknown length, as fractions. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const cutAt = (data: Uint8Array, fractions: number[]) =>
  splitAt(
    data,
    fractions.map((f) => Math.floor(f * data.length)),
  );

/** Random byte chunks: arbitrary bytes, plus newlines and small length prefixes that look like frames. */
const noisyChunks = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 100 }),
    fc
      .uint8Array({ maxLength: 30 })
      .map((payload) => concat(Uint8Array.of(0, 0, 0, payload.length), payload)),
    fc.integer({ min: 0, max: SMALL_MAX + 10 }).map((length) => Uint8Array.of(0, 0, 0, length)),
    fc.constant(Uint8Array.of(0x0a)),
    fc.string({ maxLength: 80 }).map((text) => utf8(text)),
  ),
  { maxLength: 30 },
);

describe.each(codecs)('%s codec properties', (_name, make) => {
  it('any sequence of JSON messages, under any chunking, decodes to exactly that sequence with no errors', () => {
    const codec = make();
    fc.assert(
      fc.property(fc.array(message, { maxLength: 15 }), cuts, (messages, fractions) => {
        const c = collect(codec);
        for (const chunk of cutAt(concat(...messages.map((m) => codec.encode(m))), fractions)) {
          c.decoder.push(chunk);
        }
        c.decoder.end();
        expect(c.errors).toEqual([]);
        expect(c.values).toEqual(messages);
        expect(c.decoder.bufferedBytes).toBe(0);
      }),
      RUNS,
    );
  });

  it(`random bytes in random chunks never make the decoder throw, and bufferedBytes stays within maxFrameBytes (${SMALL_MAX}) + 4`, () => {
    const codec = make(SMALL_MAX);
    fc.assert(
      fc.property(noisyChunks, cuts, (chunks, fractions) => {
        const c = collect(codec);
        for (const chunk of cutAt(concat(...chunks), fractions)) {
          c.decoder.push(chunk);
          expect(c.decoder.bufferedBytes).toBeLessThanOrEqual(SMALL_MAX + 4);
        }
        c.decoder.end();
        expect(c.decoder.bufferedBytes).toBe(0);
        for (const error of c.errors) {
          expect(error).toBeInstanceOf(FrameError);
          expect(FRAME_ERROR_CODES).toContain(error.code);
        }
      }),
      RUNS,
    );
  });
});

function tryEncode(codec: FrameCodec, value: unknown): Uint8Array | undefined {
  try {
    return codec.encode(value);
  } catch {
    return undefined; // larger than SMALL_MAX
  }
}

describe('resynchronisation properties', () => {
  /** One segment of a stream: a good frame, or a bad one the decoder must skip. */
  type Segment =
    { good: true; value: unknown; bytes: Uint8Array } | { good: false; bytes: Uint8Array };

  /**
   * For any mix of good and bad frames, in any chunking: every good frame is delivered, at
   * its own offset, and each bad one yields at most one event (an error, or a value if its
   * random bytes happen to be valid), reported at its own offset.
   */
  function checkResync(codec: FrameCodec, badSegment: fc.Arbitrary<Uint8Array>): void {
    const segment: fc.Arbitrary<Segment> = fc.oneof(
      message
        .map((value) => ({ good: true as const, value, bytes: tryEncode(codec, value) }))
        .filter(
          (s): s is { good: true; value: unknown; bytes: Uint8Array } => s.bytes !== undefined,
        ),
      badSegment.map((bytes) => ({ good: false as const, bytes })),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), cuts, (segments, fractions) => {
        const c = collect(codec);
        for (const chunk of cutAt(concat(...segments.map((s) => s.bytes)), fractions)) {
          c.decoder.push(chunk);
        }
        c.decoder.end();
        const eventOffsets = c.events.map((event) =>
          event.kind === 'frame' ? event.position.offset : event.error.offset,
        );
        let offset = 0;
        for (const s of segments) {
          const here = c.events.filter((_event, index) => eventOffsets[index] === offset);
          if (s.good) {
            expect(here).toEqual([expect.objectContaining({ kind: 'frame', value: s.value })]);
          } else {
            expect(here.length).toBeLessThanOrEqual(1);
          }
          offset += s.bytes.length;
        }
        expect(c.events.length).toBeLessThanOrEqual(segments.length);
      }),
      RUNS,
    );
  }

  it('jsonl: after any bad line (garbage, invalid UTF-8, oversized), the next good line decodes', () => {
    const badLine = fc
      .oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ minLength: SMALL_MAX + 1, maxLength: 3 * SMALL_MAX }),
      )
      .map((line) =>
        concat(
          line.map((byte) => (byte === 0x0a ? 0x20 : byte)),
          Uint8Array.of(0x0a),
        ),
      );
    checkResync(createJsonlCodec({ maxFrameBytes: SMALL_MAX }), badLine);
  });

  it('msgpack: after any bad frame (garbage payload, empty, oversized prefix), the next good frame decodes', () => {
    const badFrame = fc.oneof(
      fc
        .uint8Array({ maxLength: SMALL_MAX })
        .map((payload) => concat(Uint8Array.of(0, 0, 0, payload.length), payload)),
      fc
        .uint8Array({ minLength: SMALL_MAX + 1, maxLength: 3 * SMALL_MAX })
        .map((payload) => concat(Uint8Array.of(0, 0, 0, payload.length), payload)),
    );
    checkResync(createMsgpackCodec({ maxFrameBytes: SMALL_MAX }), badFrame);
  });
});
