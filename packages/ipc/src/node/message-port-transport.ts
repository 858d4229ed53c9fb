import type { MessagePort } from 'node:worker_threads';
import { toDisposable, type Disposable } from '../core/disposable.js';
import type { ByteTransport } from '../core/transport.js';

/** The receiver acknowledges consumed bytes each time this many have come in: 64 KiB. */
export const MESSAGE_PORT_ACK_BYTES = 64 * 1024;

/** Unacknowledged bytes past which `write` returns false (wait for drain): 1 MiB. */
export const MESSAGE_PORT_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Frames written in one synchronous run are posted as one message until they reach this
 * many bytes: 16 KiB (the receiver delivers one message per event-loop turn). Each port message has a fixed cost (a few hundred bytes in the
 * receiver's queue, one event-loop task), which would dwarf a 100-byte log frame.
 */
const COALESCE_BELOW_BYTES = 16 * 1024;

/** Options of {@link createMessagePortTransport}. */
export interface MessagePortTransportOptions {
  /** Unacknowledged bytes past which `write` returns false. @default 1 MiB (MESSAGE_PORT_HIGH_WATER_BYTES) */
  highWaterBytes?: number;
  /** Consumed bytes after which the receiver sends an acknowledgement. @default 64 KiB (MESSAGE_PORT_ACK_BYTES) */
  ackBytes?: number;
}

/**
 * Adapts a worker-thread `MessagePort` (one end of a `MessageChannel`, or a worker's
 * `parentPort`) to a {@link ByteTransport}, with acknowledged flow control.
 *
 * Each `write` copies the bytes into a buffer of its own, so a codec's pooled or reused
 * buffer is never detached. Frames written in one synchronous run (a burst of logs) are
 * posted as one `Uint8Array` message at the next microtask, or as soon as they reach 16 KiB;
 * its `ArrayBuffer` is transferred, not cloned. So await `send()` (or `close()`) before a
 * synchronous exit. Incoming `Uint8Array`/`ArrayBuffer` messages are delivered as bytes (a
 * message may hold several frames, as a stream chunk does), one message per event-loop turn
 * when they come in a burst, so that a flooding peer cannot keep this thread's timers and
 * I/O from running; what was received before the port closed is delivered before `onClose`.
 *
 * `postMessage` itself never refuses a message: a peer that does not keep up would let them
 * pile up in its port's queue, outside any heap limit of the sender. So the receiving end
 * acknowledges what it has handed to its `onData` listeners: each time `ackBytes` (64 KiB)
 * more have come in, it posts a number (the bytes consumed since its last acknowledgement)
 * on the same port; numbers are never data. `bufferedBytes` is the bytes posted and not yet
 * acknowledged, `write` returns false once they reach `highWaterBytes` (1 MiB), and
 * `onDrain` fires at the next acknowledgement after such a write (room was freed; the next
 * write returns false again while still above the mark). A `Channel` over this
 * transport therefore waits for drains, and refuses sends past its `maxQueuedBytes`
 * (`X_IPC_BACKPRESSURE`) when the peer stops reading. Both ends must be this transport
 * (an end that never acknowledges stalls the other after `highWaterBytes`); other values
 * on the port are ignored.
 *
 * The transport closes when the port emits `close` (either end called `port.close()`, or
 * the worker on the other side ended) and on `close()`, which first posts what is held; both
 * ends observe it, and `bufferedBytes` is 0 from then on. Subscribing to data or drain starts the port, which
 * then keeps the event loop alive until it closes (call `port.unref()` if that is not wanted).
 */
export function createMessagePortTransport(
  port: MessagePort,
  options: MessagePortTransportOptions = {},
): ByteTransport {
  const highWaterBytes = options.highWaterBytes ?? MESSAGE_PORT_HIGH_WATER_BYTES;
  const ackBytes = options.ackBytes ?? MESSAGE_PORT_ACK_BYTES;
  const closeListeners = new Set<(error: Error | undefined) => void>();
  const dataListeners = new Set<(chunk: Uint8Array) => void>();
  const drainListeners = new Set<() => void>();
  let ended = false;
  let listening = false;
  /** Bytes posted by this end and not yet acknowledged by the peer. */
  let unacknowledged = 0;
  let needDrain = false;
  /** Bytes received and handed to listeners since this end's last acknowledgement. */
  let consumed = 0;
  /** Copies of the frames written in this synchronous run, posted together (see flush). */
  let held: Uint8Array<ArrayBuffer>[] = [];
  let heldBytes = 0;
  let flushQueued = false;

  /** Posts the held frames as one message (its buffer transferred, not cloned). */
  const flush = () => {
    flushQueued = false;
    if (held.length === 0 || ended) {
      held = [];
      heldBytes = 0;
      return;
    }
    let batch: Uint8Array<ArrayBuffer>;
    if (held.length === 1) {
      batch = held[0]!;
    } else {
      batch = new Uint8Array(heldBytes);
      let offset = 0;
      for (const chunk of held) {
        batch.set(chunk, offset);
        offset += chunk.byteLength;
      }
    }
    held = [];
    heldBytes = 0;
    port.postMessage(batch, [batch.buffer]);
  };

  const finish = (error?: Error) => {
    if (ended) {
      return;
    }
    ended = true;
    unacknowledged = 0;
    inbox.length = 0;
    port.off('close', onClose);
    port.off('message', onMessage);
    for (const listener of closeListeners) {
      listener(error);
    }
  };
  const onClose = () => {
    // Whatever was received before the close is data the peer sent: hand it over first.
    for (let chunk = inbox.shift(); chunk !== undefined; chunk = inbox.shift()) {
      deliver(chunk);
    }
    finish();
  };
  port.on('close', onClose);

  /**
   * Received messages not yet handed to listeners. Node hands a port's whole backlog over
   * in one go; delivering it all at once would keep this thread's event loop (timers, I/O,
   * other runners) from running for as long as the listeners take to process up to
   * `maxQueuedBytes` of frames. So one message is delivered per event-loop turn
   * (setImmediate), and only the first of a burst at once.
   */
  const inbox: Uint8Array[] = [];
  let cooling = false;
  const pump = () => {
    cooling = false;
    const chunk = inbox.shift();
    if (chunk === undefined || ended) {
      return;
    }
    cooling = true;
    setImmediate(pump);
    deliver(chunk);
  };
  const receive = (chunk: Uint8Array) => {
    if (cooling) {
      inbox.push(chunk);
      return;
    }
    cooling = true;
    setImmediate(pump);
    deliver(chunk);
  };

  const deliver = (chunk: Uint8Array) => {
    for (const listener of dataListeners) {
      listener(chunk);
    }
    consumed += chunk.byteLength;
    if (consumed >= ackBytes && !ended) {
      port.postMessage(consumed);
      consumed = 0;
    }
  };
  const acknowledged = (bytes: number) => {
    unacknowledged = Math.max(0, unacknowledged - bytes);
    // Each acknowledgement after a refused write is a drain, even above the high-water mark:
    // room was freed. A sender that awaits its sends then goes on one frame per
    // acknowledgement (each write returns false again) until it is below the mark; sends
    // fired without waiting are released as the peer reads, instead of piling up behind a
    // mark that a fast sender keeps the queue above.
    if (needDrain) {
      needDrain = false;
      for (const listener of [...drainListeners]) {
        listener();
      }
    }
  };
  function onMessage(value: unknown): void {
    if (value instanceof Uint8Array) {
      receive(value);
    } else if (value instanceof ArrayBuffer) {
      receive(new Uint8Array(value));
    } else if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      acknowledged(value);
    }
  }
  /** One port listener for data and acknowledgements, attached on the first subscription. */
  const listen = () => {
    if (!listening && !ended) {
      listening = true;
      port.on('message', onMessage);
    }
  };

  return {
    write(bytes) {
      if (ended) {
        return true;
      }
      // A copy we own (the codec may reuse its buffer), transferred when posted:
      // structured-cloning a view would copy its whole backing buffer (a Node Buffer pool
      // slab is 8 KiB), transferring the codec's buffer would detach it.
      held.push(new Uint8Array(bytes));
      heldBytes += bytes.byteLength;
      unacknowledged += bytes.byteLength;
      if (heldBytes >= COALESCE_BELOW_BYTES) {
        flush();
      } else if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
      if (unacknowledged < highWaterBytes) {
        return true;
      }
      needDrain = true;
      return false;
    },
    get bufferedBytes() {
      return unacknowledged;
    },
    onData(listener): Disposable {
      dataListeners.add(listener);
      listen();
      return toDisposable(() => dataListeners.delete(listener));
    },
    onDrain(listener): Disposable {
      drainListeners.add(listener);
      listen();
      return toDisposable(() => drainListeners.delete(listener));
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
      flush();
      port.close();
      finish();
    },
  };
}
