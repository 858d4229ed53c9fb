import type { FrameError, FramePosition } from '../errors.js';

/** Names of the two framings of the wire format. */
export const CODEC_NAMES = ['jsonl', 'msgpack'] as const;
/** `jsonl`: one UTF-8 JSON value per `\n`-terminated line. `msgpack`: u32 big-endian length + msgpack value. */
export type CodecName = (typeof CODEC_NAMES)[number];

/** Default largest frame a codec encodes or decodes: 8 MiB (8 388 608 bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Options shared by both codecs. */
export interface CodecOptions {
  /**
   * Largest frame, in bytes, that is encoded or decoded (the JSON line without its `\n`;
   * the msgpack payload without its 4-byte length). Larger frames are refused by `encode`
   * and skipped (with a `X_IPC_FRAME_TOO_LARGE` report) by decoders.
   * @default 8 MiB (DEFAULT_MAX_FRAME_BYTES)
   */
  maxFrameBytes?: number;
}

/** Where a decoder delivers what it decodes. Called synchronously from `push`/`end`. */
export interface FrameSink {
  /** One decoded frame. `value` is not yet validated against any schema. */
  frame(value: unknown, position: FramePosition): void;
  /** A frame that was skipped; decoding goes on with the next one. */
  error(error: FrameError): void;
}

/**
 * An incremental decoder. It never throws from `push` or `end`, and holds at most one
 * partial frame (bounded by `maxFrameBytes`) between calls.
 */
export interface FrameDecoder {
  /**
   * Feeds bytes in any chunking; complete frames are delivered to the sink at once.
   * The decoder may keep a reference to `chunk` until its frame completes: do not modify
   * a chunk after pushing it (Node stream chunks are never reused, so this holds there).
   */
  push(chunk: Uint8Array): void;
  /** Signals end of input; a partial frame left over is reported as `X_IPC_TRUNCATED_FRAME`. */
  end(): void;
  /** Bytes currently held for an incomplete frame. */
  readonly bufferedBytes: number;
}

/** A framing: how a value becomes bytes on the wire and back. */
export interface FrameCodec {
  readonly name: CodecName;
  readonly maxFrameBytes: number;
  /**
   * Encodes one value as one complete frame (terminator or length prefix included).
   * @throws IpcError `X_IPC_ENCODE_FAILED` when the value cannot be encoded,
   *   `X_IPC_FRAME_TOO_LARGE` when the frame would exceed `maxFrameBytes`.
   */
  encode(value: unknown): Uint8Array;
  /** Creates a decoder that reports to `sink`. */
  createDecoder(sink: FrameSink): FrameDecoder;
}

export function resolveMaxFrameBytes(options: CodecOptions | undefined): number {
  const max = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(max) || max < 16 || max > 0xffff_ffff) {
    throw new TypeError(
      `@x/ipc: maxFrameBytes must be an integer from 16 to 4294967295 (bytes), got ${String(max)}`,
    );
  }
  return max;
}
