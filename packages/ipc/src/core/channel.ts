import { FrameError, IPC_ERROR_CODES, IpcError } from '../errors.js';
import type { Validator } from '../protocol/validate.js';
import type { CodecName, FrameCodec } from './codec.js';
import type { Disposable } from './disposable.js';
import { Emitter, type Event } from './emitter.js';
import type { ByteTransport } from './transport.js';

/** Default bound on bytes queued for a peer that is not reading: 16 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Options of {@link createChannel}. */
export interface ChannelOptions<In> {
  transport: ByteTransport;
  codec: FrameCodec;
  /**
   * Validates each decoded frame; frames that fail are reported on `onError` as
   * `X_IPC_INVALID_MESSAGE` (naming the field) and not delivered. Absent: every decoded
   * value is delivered as is.
   */
  validate?: Validator<In>;
  /**
   * Largest number of bytes that may wait in the transport's write buffer. A `send` that
   * would go past it rejects with `X_IPC_BACKPRESSURE` instead of growing memory.
   * @default 16 MiB (DEFAULT_MAX_QUEUED_BYTES)
   */
  maxQueuedBytes?: number;
}

/**
 * A typed, framed, validated message channel over a byte transport.
 * `In` is what this side receives, `Out` what it sends.
 */
export interface Channel<In, Out> {
  readonly codec: CodecName;
  /** True once the transport ended or `close()` was called. */
  readonly closed: boolean;
  /**
   * Encodes and writes one message. Resolves when the transport accepted it (after a drain
   * if its buffer was full).
   * @throws IpcError (as a rejection) `X_IPC_CHANNEL_CLOSED`, `X_IPC_BACKPRESSURE`,
   *   `X_IPC_ENCODE_FAILED` or `X_IPC_FRAME_TOO_LARGE`.
   */
  send(message: Out): Promise<void>;
  /** Delivers each valid incoming message, in order. */
  readonly onMessage: Event<In>;
  /** Reports frames that were skipped (malformed, oversized, invalid) and transport errors. */
  readonly onError: Event<FrameError | IpcError | Error>;
  /** Fires once when the channel closes, with the transport error if there was one. */
  readonly onClose: Event<Error | undefined>;
  /** Closes the transport. Idempotent. */
  close(): void;
}

/** Wires a codec, a validator and a transport into a {@link Channel}. */
export function createChannel<In, Out>(options: ChannelOptions<In>): Channel<In, Out> {
  const { transport, codec, validate } = options;
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  const messages = new Emitter<In>();
  const errors = new Emitter<FrameError | IpcError | Error>();
  const closes = new Emitter<Error | undefined>();
  const drainWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  const subscriptions: Disposable[] = [];
  let closed = false;

  const decoder = codec.createDecoder({
    frame(value, position) {
      if (validate === undefined) {
        messages.fire(value as In);
        return;
      }
      const result = validate(value);
      if (result.ok) {
        messages.fire(result.value);
      } else {
        const type =
          typeof value === 'object' && value !== null
            ? (value as { type?: unknown }).type
            : undefined;
        errors.fire(
          new FrameError(
            result.unknownType === true
              ? IPC_ERROR_CODES.UNKNOWN_MESSAGE_TYPE
              : IPC_ERROR_CODES.INVALID_MESSAGE,
            `@x/ipc: invalid ${typeof type === 'string' ? `\`${type}\` ` : ''}message: field ${result.path} ${result.message}`,
            position,
          ),
        );
      }
    },
    error(error) {
      errors.fire(error);
    },
  });

  const closedError = () =>
    new IpcError(
      IPC_ERROR_CODES.CHANNEL_CLOSED,
      '@x/ipc: channel is closed; the peer has gone or close() was called',
    );

  function finish(error: Error | undefined): void {
    if (closed) {
      return;
    }
    closed = true;
    decoder.end();
    for (const waiter of drainWaiters) {
      waiter.reject(closedError());
    }
    drainWaiters.clear();
    if (error !== undefined) {
      errors.fire(error);
    }
    closes.fire(error);
    for (const subscription of subscriptions) {
      subscription.dispose();
    }
  }

  subscriptions.push(
    transport.onData((chunk) => decoder.push(chunk)),
    transport.onDrain(() => {
      for (const waiter of drainWaiters) {
        waiter.resolve();
      }
      drainWaiters.clear();
    }),
    transport.onClose(finish),
  );

  return {
    codec: codec.name,
    get closed() {
      return closed;
    },
    send(message) {
      if (closed) {
        return Promise.reject(closedError());
      }
      let bytes: Uint8Array;
      try {
        bytes = codec.encode(message);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const queued = transport.bufferedBytes;
      if (queued + bytes.length > maxQueuedBytes) {
        return Promise.reject(
          new IpcError(
            IPC_ERROR_CODES.BACKPRESSURE,
            `@x/ipc: peer is not reading: ${queued} bytes already queued, limit ${maxQueuedBytes} (maxQueuedBytes); retry after it drains or close the channel`,
          ),
        );
      }
      if (transport.write(bytes)) {
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => drainWaiters.add({ resolve, reject }));
    },
    onMessage: messages.event,
    onError: errors.event,
    onClose: closes.event,
    close() {
      if (!closed) {
        transport.close();
        finish(undefined);
      }
    },
  };
}
