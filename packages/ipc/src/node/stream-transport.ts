import { Buffer } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import { toDisposable, type Disposable } from '../core/disposable.js';
import type { ByteTransport } from '../core/transport.js';

/**
 * Held frames below this many bytes are copied into one buffer; larger ones are handed to
 * the stream as they are (one `writev`), since copying them costs more than the stream's
 * per-chunk overhead.
 */
const COPY_BELOW_BYTES = 4096;

/** After `close()`, how long a duplex stream's peer has to end its side before it is destroyed: 2000 ms. */
const CLOSE_GRACE_MS = 2000;

/**
 * Adapts Node streams (a socket, a child's stdio pipe, `fd 3`) to a {@link ByteTransport}.
 * `readable` and `writable` may be one duplex. The transport closes on the readable's
 * end, on either stream's close, and on any stream error (EPIPE included), never throwing.
 *
 * Small writes are coalesced: frames written in one synchronous run (a burst of sends, or
 * the replies to every frame of one incoming chunk) are held until the next microtask, or
 * until they reach the stream's high-water mark, and then handed to the stream as one
 * buffer: one system call for a hundred small frames instead of one each. `bufferedBytes`
 * counts the held bytes, `write` returns false only when the stream itself is full, and
 * `close()` writes what is held before ending the stream. A frame reaches the stream by the
 * next microtask at the latest, so await `send()` before a synchronous `process.exit()`.
 */
export function createStreamTransport(
  readable: Readable,
  writable: Writable = readable as unknown as Writable,
): ByteTransport {
  const closeListeners = new Set<(error: Error | undefined) => void>();
  let ended = false;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let flushQueued = false;

  const finish = (error?: Error) => {
    if (ended) {
      return;
    }
    ended = true;
    held = [];
    heldBytes = 0;
    for (const listener of closeListeners) {
      listener(error);
    }
  };
  const writableGone = () => ended || writable.destroyed || writable.writableEnded;

  /** Hands the held frames to the stream; returns what `Writable#write` returned. */
  const flush = (): boolean => {
    const chunks = held.length === 0 || writableGone() ? [] : coalesce(held, heldBytes);
    held = [];
    heldBytes = 0;
    if (chunks.length <= 1) {
      return chunks.length === 0 || writable.write(chunks[0]);
    }
    let accepted = true;
    writable.cork();
    for (const chunk of chunks) {
      accepted = writable.write(chunk);
    }
    writable.uncork();
    return accepted;
  };
  const flushQueuedFrames = () => {
    flushQueued = false;
    try {
      flush();
    } catch (error) {
      // A microtask has no caller to throw to: the failure closes the transport instead.
      finish(error instanceof Error ? error : new Error(String(error)));
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
      if (writableGone()) {
        return true;
      }
      held.push(bytes);
      heldBytes += bytes.length;
      if (writable.writableLength + heldBytes < writable.writableHighWaterMark) {
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flushQueuedFrames);
        }
        return true;
      }
      return flush();
    },
    get bufferedBytes() {
      return writable.writableLength + heldBytes;
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
      flush();
      writable.end();
      if (writable !== (readable as unknown)) {
        readable.destroy();
      } else {
        // A socket half-closed by end() lives until its peer ends too: a peer that is stopped
        // (SIGSTOP) or hung never does, and would keep this process alive. Once closed, the
        // socket no longer holds the event loop, and it is destroyed after a grace period.
        const socket = readable as Readable & { unref?: () => void };
        socket.unref?.();
        setTimeout(() => readable.destroy(), CLOSE_GRACE_MS).unref();
      }
      finish();
    },
  };
}

/**
 * Joins runs of small frames into single buffers (one copy), keeping large frames as they are.
 * Returns at least one chunk when `frames` is not empty.
 */
function coalesce(frames: Uint8Array[], totalBytes: number): Uint8Array[] {
  if (frames.length === 1) {
    return frames;
  }
  if (frames.every(isSmall)) {
    return [Buffer.concat(frames, totalBytes)];
  }
  const chunks: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const endRun = () => {
    if (run.length > 0) {
      chunks.push(run.length === 1 ? run[0] : Buffer.concat(run, runBytes));
      run = [];
      runBytes = 0;
    }
  };
  for (const frame of frames) {
    if (isSmall(frame)) {
      run.push(frame);
      runBytes += frame.length;
    } else {
      endRun();
      chunks.push(frame);
    }
  }
  endRun();
  return chunks;
}

const isSmall = (frame: Uint8Array) => frame.length < COPY_BELOW_BYTES;
