import type { FrameError } from '../../src/errors.js';
import type { FrameCodec, FrameDecoder } from '../../src/core/codec.js';
import type { FramePosition } from '../../src/errors.js';

/** What a decoder reported, in order: frames and errors interleaved as they came. */
export type DecodeEvent =
  { kind: 'frame'; value: unknown; position: FramePosition } | { kind: 'error'; error: FrameError };

export interface Collected {
  decoder: FrameDecoder;
  events: DecodeEvent[];
  /** Decoded values, in order. */
  readonly values: unknown[];
  /** Reported errors, in order. */
  readonly errors: FrameError[];
}

/** A decoder of `codec` whose sink records everything it is told. */
export function collect(codec: FrameCodec): Collected {
  const events: DecodeEvent[] = [];
  const decoder = codec.createDecoder({
    frame: (value, position) => events.push({ kind: 'frame', value, position }),
    error: (error) => events.push({ kind: 'error', error }),
  });
  return {
    decoder,
    events,
    get values() {
      return events.flatMap((event) => (event.kind === 'frame' ? [event.value] : []));
    },
    get errors() {
      return events.flatMap((event) => (event.kind === 'error' ? [event.error] : []));
    },
  };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

export const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits `data` at the given offsets (sorted, deduplicated, out-of-range ones dropped). */
export function splitAt(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts)]
    .filter((cut) => cut > 0 && cut < data.length)
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    chunks.push(data.slice(start, point));
    start = point;
  }
  return chunks;
}

/** Splits `data` into chunks of `size` bytes (the last may be shorter). */
export function chunksOf(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < data.length; start += size) {
    chunks.push(data.slice(start, start + size));
  }
  return chunks;
}
