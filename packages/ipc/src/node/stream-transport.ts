import type { Readable, Writable } from 'node:stream';
import { toDisposable, type Disposable } from '../core/disposable.js';
import type { ByteTransport } from '../core/transport.js';

/**
 * Adapts Node streams (a socket, a child's stdio pipe, `fd 3`) to a {@link ByteTransport}.
 * `readable` and `writable` may be one duplex. The transport closes on the readable's
 * end, on either stream's close, and on any stream error (EPIPE included), never throwing.
 */
export function createStreamTransport(
  readable: Readable,
  writable: Writable = readable as unknown as Writable,
): ByteTransport {
  const closeListeners = new Set<(error: Error | undefined) => void>();
  let ended = false;
  const finish = (error?: Error) => {
    if (ended) {
      return;
    }
    ended = true;
    for (const listener of closeListeners) {
      listener(error);
    }
  };
  const onEnd = () => finish();
  const onError = (error: Error) => finish(error);
  readable.on('end', onEnd);
  readable.on('close', onEnd);
  readable.on('error', onError);
  if (writable !== (readable as unknown)) {
    writable.on('close', onEnd);
    writable.on('error', onError);
  }

  return {
    write(bytes) {
      if (ended || writable.destroyed || writable.writableEnded) {
        return true;
      }
      return writable.write(bytes);
    },
    get bufferedBytes() {
      return writable.writableLength;
    },
    onData(listener) {
      readable.on('data', listener);
      return toDisposable(() => readable.off('data', listener));
    },
    onDrain(listener) {
      writable.on('drain', listener);
      return toDisposable(() => writable.off('drain', listener));
    },
    onClose(listener): Disposable {
      if (ended) {
        queueMicrotask(() => listener(undefined));
        return toDisposable(() => undefined);
      }
      closeListeners.add(listener);
      return toDisposable(() => closeListeners.delete(listener));
    },
    close() {
      writable.end();
      if (writable !== (readable as unknown)) {
        readable.destroy();
      }
      finish();
    },
  };
}
