/**
 * Errors of `@x/ipc`. Every error has a stable string `code`; match on `code`, not on
 * `instanceof` (which fails across realms and duplicated installs): see {@link isIpcError}.
 */

const IPC_ERROR = Symbol.for('x.ipc.error');

/** Stable error codes of `@x/ipc`. */
export const IPC_ERROR_CODES = {
  /** A frame exceeded the decoder's `maxFrameBytes`; it was skipped. */
  FRAME_TOO_LARGE: 'X_IPC_FRAME_TOO_LARGE',
  /** A frame's bytes were not valid JSON / msgpack; it was skipped. */
  MALFORMED_FRAME: 'X_IPC_MALFORMED_FRAME',
  /** The stream ended in the middle of a frame. */
  TRUNCATED_FRAME: 'X_IPC_TRUNCATED_FRAME',
  /** A frame decoded but does not match the protocol schema. */
  INVALID_MESSAGE: 'X_IPC_INVALID_MESSAGE',
  /**
   * A frame is a message of a `type` this side does not know (a newer peer's optional
   * message): reported and skipped, never counted as a protocol violation.
   */
  UNKNOWN_MESSAGE_TYPE: 'X_IPC_UNKNOWN_MESSAGE_TYPE',
  /** `send` on a channel that is closed. */
  CHANNEL_CLOSED: 'X_IPC_CHANNEL_CLOSED',
  /** The peer stopped reading and the write queue reached its bound. */
  BACKPRESSURE: 'X_IPC_BACKPRESSURE',
  /** A value could not be encoded (for example a circular structure). */
  ENCODE_FAILED: 'X_IPC_ENCODE_FAILED',
  /** The handshake failed: version mismatch, wrong first message, timeout. */
  HANDSHAKE_FAILED: 'X_IPC_HANDSHAKE_FAILED',
} as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[keyof typeof IPC_ERROR_CODES];

/** Base class of every error thrown or reported by `@x/ipc`. */
export class IpcError extends Error {
  readonly [IPC_ERROR] = true;
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
IpcError.prototype.name = 'IpcError';

/** Where in a stream a decoding error happened. */
export interface FramePosition {
  /** 1-based number of the frame in the stream (counting skipped frames). */
  frame: number;
  /** Byte offset from the start of the stream where the frame began. */
  offset: number;
}

/**
 * A frame that could not be decoded or validated. Readers report these through their
 * error callback and carry on with the next frame; they never throw them.
 */
export class FrameError extends IpcError implements FramePosition {
  readonly frame: number;
  readonly offset: number;
  constructor(
    code: IpcErrorCode,
    message: string,
    position: FramePosition,
    options?: { cause?: unknown },
  ) {
    super(code, `${message} (frame ${position.frame}, byte offset ${position.offset})`, options);
    this.frame = position.frame;
    this.offset = position.offset;
  }
}
FrameError.prototype.name = 'FrameError';

/** True for any error created by `@x/ipc`, across realms and duplicate installs. */
export function isIpcError(value: unknown): value is IpcError {
  return typeof value === 'object' && value !== null && IPC_ERROR in value;
}
