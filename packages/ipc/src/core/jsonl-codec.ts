import { FrameError, IPC_ERROR_CODES, IpcError } from '../errors.js';
import {
  resolveMaxFrameBytes,
  type CodecOptions,
  type FrameCodec,
  type FrameDecoder,
  type FrameSink,
} from './codec.js';

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
/** Size of the blocks that short lines are encoded into (see {@link LineWriter}). */
const SLAB_BYTES = 16 * 1024;

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;
const nodeUtf8Slice = (globalThis as { Buffer?: { prototype?: { utf8Slice?: unknown } } }).Buffer
  ?.prototype?.utf8Slice;
/**
 * Node's `Buffer.prototype.utf8Slice`, when there is one (found at run time: this folder
 * imports no `node:*` but `node:module`, which msgpack-codec.ts uses to load msgpackr lazily). It decodes a range of any `Uint8Array` without a view or a copy,
 * several times faster than `TextDecoder` on short lines. Unlike a fatal `TextDecoder` it
 * replaces invalid UTF-8 by U+FFFD, so a line whose text holds U+FFFD is decoded again by
 * the fatal decoder, which decides (see `JsonlDecoder#text`).
 */
const utf8Slice = typeof nodeUtf8Slice === 'function' ? (nodeUtf8Slice as Utf8Slice) : undefined;

/**
 * Encodes text + `\n` as UTF-8. Short lines (at most a quarter block, worst case) share
 * 16 KiB blocks, the way Node pools small Buffers: each line is a view of its own bytes,
 * never written again, so one allocation serves a hundred small frames. Longer lines get
 * their own buffer of exactly their size.
 */
class LineWriter {
  #slab = new Uint8Array(SLAB_BYTES);
  #used = 0;

  line(text: string): Uint8Array {
    // At most 3 UTF-8 bytes per UTF-16 unit, plus the newline.
    const worst = text.length * 3 + 1;
    if (worst <= SLAB_BYTES / 4) {
      if (this.#used + worst > SLAB_BYTES) {
        this.#slab = new Uint8Array(SLAB_BYTES);
        this.#used = 0;
      }
      const start = this.#used;
      const { written } = encoder.encodeInto(text, this.#slab.subarray(start));
      this.#slab[start + written] = NEWLINE;
      this.#used = start + written + 1;
      return this.#slab.subarray(start, this.#used);
    }
    // Optimistic: ASCII text (the usual JSON) is one byte per unit.
    const exact = new Uint8Array(text.length + 1);
    const { read, written } = encoder.encodeInto(text, exact);
    if (read === text.length && written === text.length) {
      exact[written] = NEWLINE;
      return exact;
    }
    const encoded = encoder.encode(text);
    const out = new Uint8Array(encoded.length + 1);
    out.set(encoded);
    out[encoded.length] = NEWLINE;
    return out;
  }
}

/** One writer for every codec in the process: lines never share bytes, so it is safe. */
const lines = new LineWriter();

/**
 * Creates the `jsonl` codec: each frame is one JSON value encoded as UTF-8 and terminated
 * by `\n` (0x0A). Empty and whitespace-only lines are ignored. Invalid UTF-8 or JSON in a
 * line is reported as `X_IPC_MALFORMED_FRAME` and decoding resumes after the next `\n`.
 */
export function createJsonlCodec(options?: CodecOptions): FrameCodec {
  const maxFrameBytes = resolveMaxFrameBytes(options);
  return {
    name: 'jsonl',
    maxFrameBytes,
    encode(value) {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (cause) {
        throw new IpcError(
          IPC_ERROR_CODES.ENCODE_FAILED,
          `@x/ipc: cannot encode value as JSON: ${(cause as Error).message}`,
          { cause },
        );
      }
      if (text === undefined) {
        throw new IpcError(
          IPC_ERROR_CODES.ENCODE_FAILED,
          `@x/ipc: cannot encode ${typeof value} as JSON; send an object`,
        );
      }
      const bytes = lines.line(text);
      if (bytes.length - 1 > maxFrameBytes) {
        throw new IpcError(
          IPC_ERROR_CODES.FRAME_TOO_LARGE,
          `@x/ipc: frame of ${bytes.length - 1} bytes exceeds maxFrameBytes ${maxFrameBytes}; send smaller messages or raise maxFrameBytes on both sides`,
        );
      }
      return bytes;
    },
    createDecoder(sink) {
      return new JsonlDecoder(sink, maxFrameBytes);
    },
  };
}

class JsonlDecoder implements FrameDecoder {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  /** True while skipping the rest of an oversized line. */
  #discarding = false;
  /** Frames started so far (1-based number of the current one). */
  #frame = 0;
  /** Total bytes consumed before the current chunk. */
  #streamOffset = 0;
  /** Stream offset where the current (partial) line began. */
  #lineStart = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxFrameBytes: number,
  ) {}

  get bufferedBytes(): number {
    return this.#partBytes;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#discarding) {
        const size = this.#partBytes + (end - start);
        if (size > this.maxFrameBytes) {
          this.#frame += 1;
          this.#report(
            IPC_ERROR_CODES.FRAME_TOO_LARGE,
            `line longer than maxFrameBytes ${this.maxFrameBytes}; skipped to the next newline`,
          );
          this.#parts = [];
          this.#partBytes = 0;
          this.#discarding = true;
        } else if (newline === -1) {
          this.#parts.push(chunk.subarray(start));
          this.#partBytes = size;
        } else if (this.#partBytes === 0) {
          // The common case: the whole line is in this chunk; decode it in place.
          this.#line(chunk, start, newline);
        } else {
          const line = this.#joinParts(chunk.subarray(start, newline));
          this.#parts = [];
          this.#partBytes = 0;
          this.#line(line, 0, line.length);
        }
      }
      if (newline === -1) {
        break;
      }
      this.#discarding = false;
      start = newline + 1;
      this.#lineStart = this.#streamOffset + start;
    }
    this.#streamOffset += chunk.length;
  }

  end(): void {
    if (this.#partBytes > 0) {
      const rest = this.#joinParts(new Uint8Array(0));
      if (!isBlank(rest, 0, rest.length)) {
        this.#frame += 1;
        this.#report(
          IPC_ERROR_CODES.TRUNCATED_FRAME,
          `stream ended inside a line of ${this.#partBytes} bytes with no terminating newline`,
        );
      }
    }
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarding = false;
  }

  /** Decodes the line `bytes[start, end)` (its newline excluded). */
  #line(bytes: Uint8Array, start: number, end: number): void {
    if (isBlank(bytes, start, end)) {
      return;
    }
    this.#frame += 1;
    let value: unknown;
    try {
      value = JSON.parse(this.#text(bytes, start, end));
    } catch (cause) {
      this.#report(
        IPC_ERROR_CODES.MALFORMED_FRAME,
        `line is not valid UTF-8 JSON (${(cause as Error).message}): ${preview(bytes.subarray(start, end))}`,
        cause,
      );
      return;
    }
    this.sink.frame(value, { frame: this.#frame, offset: this.#lineStart });
  }

  /**
   * UTF-8 text of `bytes[start, end)`, exactly as the fatal decoder gives it: throws on
   * invalid UTF-8, and drops a leading byte order mark.
   */
  #text(bytes: Uint8Array, start: number, end: number): string {
    if (utf8Slice !== undefined) {
      const text = utf8Slice.call(bytes, start, end);
      if (text.indexOf('\uFFFD') === -1) {
        return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      }
      // Either invalid UTF-8 or a real U+FFFD: the fatal decoder tells them apart.
    }
    return this.#decoder.decode(bytes.subarray(start, end));
  }

  #joinParts(tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.#partBytes + tail.length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    return out;
  }

  #report(code: FrameError['code'], message: string, cause?: unknown): void {
    this.sink.error(
      new FrameError(
        code,
        `@x/ipc: jsonl ${message}`,
        { frame: this.#frame, offset: this.#lineStart },
        cause === undefined ? undefined : { cause },
      ),
    );
  }
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i];
    // space, tab, CR
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
      return false;
    }
  }
  return true;
}

/** First bytes of a bad frame, printable, for error messages. */
export function preview(bytes: Uint8Array, max = 60): string {
  const text = new TextDecoder().decode(bytes.subarray(0, max));
  return JSON.stringify(text) + (bytes.length > max ? '…' : '');
}
