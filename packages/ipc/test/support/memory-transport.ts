import { toDisposable, type Disposable } from '../../src/core/disposable.js';
import type { ByteTransport } from '../../src/core/transport.js';

/**
 * An in-memory {@link ByteTransport} for tests. On its own it records what is written and
 * lets the test inject data, drains and closes. `stall()` makes it behave like a transport
 * whose peer never reads: every write stays buffered and `write` returns false.
 * Two of them joined by {@link createTransportPair} carry bytes to each other.
 */
export class MemoryTransport implements ByteTransport {
  readonly written: Uint8Array[] = [];
  closeCalls = 0;
  peer: MemoryTransport | undefined;
  #bufferedBytes = 0;
  #stalled = false;
  #ended = false;
  readonly #data = new Set<(chunk: Uint8Array) => void>();
  readonly #drain = new Set<() => void>();
  readonly #close = new Set<(error: Error | undefined) => void>();

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get writtenBytes(): number {
    return this.written.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** From now on the peer "never reads": writes pile up in `bufferedBytes`. */
  stall(): void {
    this.#stalled = true;
  }

  /** The peer caught up: the buffer empties and `drain` fires. */
  drain(): void {
    this.#stalled = false;
    this.#bufferedBytes = 0;
    for (const listener of [...this.#drain]) {
      listener();
    }
  }

  write(bytes: Uint8Array): boolean {
    this.written.push(bytes);
    if (this.#stalled) {
      this.#bufferedBytes += bytes.length;
      return false;
    }
    const peer = this.peer;
    if (peer !== undefined) {
      // Deliver later, as real I/O does: never re-enter the reader from inside write().
      const copy = bytes.slice();
      setImmediate(() => peer.emitData(copy));
    }
    return true;
  }

  emitData(chunk: Uint8Array): void {
    if (this.#ended) {
      return;
    }
    for (const listener of [...this.#data]) {
      listener(chunk);
    }
  }

  emitClose(error?: Error): void {
    if (this.#ended) {
      return;
    }
    this.#ended = true;
    for (const listener of [...this.#close]) {
      listener(error);
    }
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.#data.add(listener);
    return toDisposable(() => this.#data.delete(listener));
  }

  onDrain(listener: () => void): Disposable {
    this.#drain.add(listener);
    return toDisposable(() => this.#drain.delete(listener));
  }

  onClose(listener: (error: Error | undefined) => void): Disposable {
    this.#close.add(listener);
    return toDisposable(() => this.#close.delete(listener));
  }

  /** Number of current listeners, to check that a closed channel unsubscribed. */
  get listenerCount(): number {
    return this.#data.size + this.#drain.size + this.#close.size;
  }

  close(): void {
    this.closeCalls += 1;
    this.emitClose(undefined);
    const peer = this.peer;
    if (peer !== undefined) {
      setImmediate(() => peer.emitClose(undefined));
    }
  }
}

/** Two transports wired back to back: what one writes, the other receives. */
export function createTransportPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
