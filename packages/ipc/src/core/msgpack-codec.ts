import { createRequire } from 'node:module';
import type * as MsgpackrModule from 'msgpackr';
import type { Options, Packr } from 'msgpackr';
import { FrameError, IPC_ERROR_CODES, IpcError } from '../errors.js';
import { ByteQueue } from './byte-queue.js';
import {
  resolveMaxFrameBytes,
  type CodecOptions,
  type FrameCodec,
  type FrameDecoder,
  type FrameSink,
} from './codec.js';
import { preview } from './jsonl-codec.js';

const HEADER_BYTES = 4;
/** The byte msgpack reserves as "never used". */
const NEVER_USED = 0xc1;

/**
 * Plain msgpack only: no records, no msgpackr extensions, `undefined` properties omitted
 * (as JSON does), so any standard msgpack library can read and write our frames.
 * `skipValues` is a documented msgpackr option missing from its type declarations.
 */
const PACKR_OPTIONS = {
  useRecords: false,
  moreTypes: false,
  bundleStrings: false,
  encodeUndefinedAsNil: true,
  skipValues: [undefined],
  mapsAsObjects: true,
  variableMapSize: true,
  int64AsType: 'number',
} as Options;

type Msgpackr = Pick<typeof MsgpackrModule, 'C1' | 'Packr' | 'RESERVE_START_SPACE'>;
let msgpackr: Msgpackr | undefined;

/**
 * msgpackr, required on first use: a runner that speaks `jsonl` never loads it (about 100 KiB
 * of code and an optional native addon, a few ms of every runner's start-up). Its CommonJS
 * build is required synchronously, so `getCodec` stays synchronous. It is resolved from
 * this module's URL: a bundle that inlines @x/ipc (packages/cli/dist/runner.mjs) resolves it
 * from the bundle's package, which must then depend on msgpackr itself (@x/cli does).
 */
function loadMsgpackr(): Msgpackr {
  msgpackr ??= createRequire(import.meta.url)('msgpackr') as Msgpackr;
  return msgpackr;
}

/**
 * Creates the `msgpack` codec: each frame is a u32 big-endian byte length followed by one
 * msgpack value of that many bytes. An oversized length is reported as
 * `X_IPC_FRAME_TOO_LARGE` and its payload skipped; undecodable payloads are reported as
 * `X_IPC_MALFORMED_FRAME`. Decoding resumes with the next length prefix.
 */
export function createMsgpackCodec(options?: CodecOptions): FrameCodec {
  const maxFrameBytes = resolveMaxFrameBytes(options);
  const { C1, Packr, RESERVE_START_SPACE } = loadMsgpackr();
  const packr = new Packr(PACKR_OPTIONS);
  return {
    name: 'msgpack',
    maxFrameBytes,
    encode(value) {
      if (value === undefined) {
        throw new IpcError(
          IPC_ERROR_CODES.ENCODE_FAILED,
          '@x/ipc: cannot encode undefined as msgpack; send an object',
        );
      }
      let frame: Uint8Array;
      try {
        // msgpackr leaves HEADER_BYTES free in front of the value for the length prefix:
        // the frame is built in place, without a copy. Each pack returns a fresh region of
        // msgpackr's buffer, never written again, so the frame may be held until written.
        frame = packr.pack(value, RESERVE_START_SPACE | HEADER_BYTES);
      } catch (cause) {
        throw new IpcError(
          IPC_ERROR_CODES.ENCODE_FAILED,
          `@x/ipc: cannot encode value as msgpack: ${(cause as Error).message}`,
          { cause },
        );
      }
      const length = frame.length - HEADER_BYTES;
      if (length > maxFrameBytes) {
        throw new IpcError(
          IPC_ERROR_CODES.FRAME_TOO_LARGE,
          `@x/ipc: frame of ${length} bytes exceeds maxFrameBytes ${maxFrameBytes}; send smaller messages or raise maxFrameBytes on both sides`,
        );
      }
      frame[0] = length >>> 24;
      frame[1] = (length >>> 16) & 0xff;
      frame[2] = (length >>> 8) & 0xff;
      frame[3] = length & 0xff;
      return frame;
    },
    createDecoder(sink) {
      return new MsgpackDecoder(sink, maxFrameBytes, new Packr(PACKR_OPTIONS), C1);
    },
  };
}

class MsgpackDecoder implements FrameDecoder {
  readonly #queue = new ByteQueue();
  /** Payload bytes of an oversized frame still to be skipped. */
  #skipping = 0;
  #frame = 0;
  /** Stream offset of the first byte in the queue. */
  #offset = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxFrameBytes: number,
    private readonly packr: Packr,
    /** msgpackr's sentinel for the never-used byte 0xc1. */
    private readonly c1: unknown,
  ) {}

  get bufferedBytes(): number {
    return this.#queue.length;
  }

  push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    for (;;) {
      if (this.#skipping > 0) {
        const dropped = this.#queue.skip(this.#skipping);
        this.#skipping -= dropped;
        this.#offset += dropped;
        if (this.#skipping > 0) {
          return;
        }
      }
      if (this.#queue.length < HEADER_BYTES) {
        break;
      }
      const length = this.#queue.peekUint32();
      if (length > this.maxFrameBytes) {
        this.#frame += 1;
        this.#report(
          IPC_ERROR_CODES.FRAME_TOO_LARGE,
          `length prefix ${length} exceeds maxFrameBytes ${this.maxFrameBytes}; payload skipped`,
        );
        this.#queue.skip(HEADER_BYTES);
        this.#offset += HEADER_BYTES;
        this.#skipping = length;
        continue;
      }
      if (this.#queue.length < HEADER_BYTES + length) {
        break;
      }
      this.#frame += 1;
      const start = this.#offset;
      this.#queue.skip(HEADER_BYTES);
      const payload = this.#queue.take(length);
      this.#offset += HEADER_BYTES + length;
      this.#decode(payload, start);
    }
  }

  end(): void {
    if (this.#queue.length > 0 || this.#skipping > 0) {
      this.#frame += 1;
      this.#report(
        IPC_ERROR_CODES.TRUNCATED_FRAME,
        `stream ended inside a frame (${this.#queue.length} bytes buffered, ${this.#skipping} still to skip)`,
      );
    }
    this.#queue.clear();
    this.#skipping = 0;
  }

  #decode(payload: Uint8Array, start: number): void {
    let value: unknown;
    try {
      if (payload.length === 0) {
        throw new Error('empty payload');
      }
      value = this.packr.unpack(payload);
      // The sentinel can only come from a 0xc1 byte: skip the walk when there is none.
      if (payload.indexOf(NEVER_USED) !== -1 && containsNeverUsed(value, this.c1, 0)) {
        // msgpackr returns a sentinel for 0xc1 ("never used" in the msgpack spec) instead of failing.
        throw new Error('byte 0xc1 is never used in msgpack');
      }
    } catch (cause) {
      this.#report(
        IPC_ERROR_CODES.MALFORMED_FRAME,
        `payload of ${payload.length} bytes is not valid msgpack (${(cause as Error).message}): ${preview(payload)}`,
        cause,
        start,
      );
      return;
    }
    this.sink.frame(value, { frame: this.#frame, offset: start });
  }

  #report(code: FrameError['code'], message: string, cause?: unknown, offset = this.#offset): void {
    this.sink.error(
      new FrameError(
        code,
        `@x/ipc: msgpack ${message}`,
        { frame: this.#frame, offset },
        cause === undefined ? undefined : { cause },
      ),
    );
  }
}

/** True when the decoded value holds msgpackr's sentinel for the never-used byte 0xc1. */
function containsNeverUsed(value: unknown, c1: unknown, depth: number): boolean {
  if (value === c1) {
    return true;
  }
  if (typeof value !== 'object' || value === null || depth > 64) {
    return false;
  }
  if (Array.isArray(value)) {
    return value.some((item) => containsNeverUsed(item, c1, depth + 1));
  }
  for (const key in value) {
    if (containsNeverUsed((value as Record<string, unknown>)[key], c1, depth + 1)) {
      return true;
    }
  }
  return false;
}
