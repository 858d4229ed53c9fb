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
      const bytes = encoder.encode(text + '\n');
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
        } else {
          this.#line(chunk.subarray(start, newline));
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
    if (this.#partBytes > 0 && !isBlank(this.#joinParts(new Uint8Array(0)))) {
      this.#frame += 1;
      this.#report(
        IPC_ERROR_CODES.TRUNCATED_FRAME,
        `stream ended inside a line of ${this.#partBytes} bytes with no terminating newline`,
      );
    }
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarding = false;
  }

  #line(tail: Uint8Array): void {
    const bytes = this.#partBytes === 0 ? tail : this.#joinParts(tail);
    this.#parts = [];
    this.#partBytes = 0;
    if (isBlank(bytes)) {
      return;
    }
    this.#frame += 1;
    let value: unknown;
    try {
      value = JSON.parse(this.#decoder.decode(bytes));
    } catch (cause) {
      this.#report(
        IPC_ERROR_CODES.MALFORMED_FRAME,
        `line is not valid UTF-8 JSON (${(cause as Error).message}): ${preview(bytes)}`,
        cause,
      );
      return;
    }
    this.sink.frame(value, { frame: this.#frame, offset: this.#lineStart });
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

function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
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
