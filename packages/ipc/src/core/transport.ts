import type { Disposable } from './disposable.js';

/**
 * A bidirectional byte stream, the only thing a {@link Channel} needs from its platform.
 * Node streams, sockets and worker `MessagePort`s are adapted to it in `@x/ipc/node`.
 */
export interface ByteTransport {
  /** Writes bytes. Returns false when the transport's buffer is full (wait for drain). */
  write(bytes: Uint8Array): boolean;
  /** Bytes written but not yet handed to the peer. */
  readonly bufferedBytes: number;
  /** Subscribes to incoming bytes. */
  onData(listener: (chunk: Uint8Array) => void): Disposable;
  /** Subscribes to "the write buffer has drained". */
  onDrain(listener: () => void): Disposable;
  /** Subscribes to the end of the transport: peer closed, local close, or an I/O error. */
  onClose(listener: (error: Error | undefined) => void): Disposable;
  /** Closes the transport; pending writes are flushed when the platform allows. */
  close(): void;
}
