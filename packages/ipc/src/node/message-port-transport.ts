import type { MessagePort } from 'node:worker_threads';
import { toDisposable, type Disposable } from '../core/disposable.js';
import type { ByteTransport } from '../core/transport.js';

/**
 * Adapts a worker-thread `MessagePort` (one end of a `MessageChannel`, or a worker's
 * `parentPort`) to a {@link ByteTransport}.
 *
 * Each `write` posts one `Uint8Array` message: the bytes are copied once into a buffer of
 * their own, whose `ArrayBuffer` is then transferred (not cloned), so a codec's pooled or
 * reused buffer is never detached. `postMessage` does not buffer on the sending side:
 * `bufferedBytes` is always 0, `write` always returns true and `onDrain` never fires.
 * Incoming `Uint8Array`/`ArrayBuffer` messages are delivered as bytes; other values are
 * ignored (a port carries this transport's frames only).
 *
 * The transport closes when the port emits `close` (either end called `port.close()`, or
 * the worker on the other side ended) and on `close()`; both ends observe it.
 * Subscribing starts the port, which then keeps the event loop alive until it closes
 * (call `port.unref()` if that is not wanted).
 */
export function createMessagePortTransport(port: MessagePort): ByteTransport {
  const closeListeners = new Set<(error: Error | undefined) => void>();
  let ended = false;

  const finish = (error?: Error) => {
    if (ended) {
      return;
    }
    ended = true;
    port.off('close', onClose);
    for (const listener of closeListeners) {
      listener(error);
    }
  };
  const onClose = () => finish();
  port.on('close', onClose);

  return {
    write(bytes) {
      if (ended) {
        return true;
      }
      // One copy into a buffer we own, then transfer it: structured-cloning a view would copy
      // its whole backing buffer (a Node Buffer pool slab is 8 KiB), transferring the codec's
      // buffer would detach it.
      const copy = new Uint8Array(bytes);
      port.postMessage(copy, [copy.buffer]);
      return true;
    },
    get bufferedBytes() {
      return 0;
    },
    onData(listener): Disposable {
      const onMessage = (value: unknown) => {
        if (value instanceof Uint8Array) {
          listener(value);
        } else if (value instanceof ArrayBuffer) {
          listener(new Uint8Array(value));
        }
      };
      port.on('message', onMessage);
      return toDisposable(() => port.off('message', onMessage));
    },
    onDrain(): Disposable {
      // postMessage never reports a full buffer, so there is never a drain to wait for.
      return toDisposable(() => undefined);
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
      if (ended) {
        return;
      }
      // Messages already posted are still delivered to the other end before its 'close'.
      port.close();
      finish();
    },
  };
}
