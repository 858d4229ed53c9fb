interface NodeBufferClass {
  isBuffer(value: unknown): boolean;
  allocUnsafe(size: number): Uint8Array;
}

/**
 * Node's `Buffer`, when there is one (found at run time: this folder imports no `node:*` but
 * `node:module`, which msgpack-codec.ts uses to load msgpackr on first use).
 * A frame joined from Buffer chunks is made a Buffer too, so that what reads it (msgpackr's
 * string decoding, `indexOf`) takes the native paths, several times faster on large frames
 * than the generic `Uint8Array` ones.
 */
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;
const allocLike = (chunk: Uint8Array, size: number): Uint8Array =>
  NodeBuffer?.isBuffer(chunk) === true ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);

/**
 * A FIFO of byte chunks that hands out the first `n` bytes without copying when they sit
 * in one chunk (the common case), and with one copy otherwise.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Bytes of `#chunks[0]` already consumed: kept as an index, not re-sliced, per read. */
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
    }
  }

  /** Reads the u32 big-endian integer at the front without consuming it. Needs length >= 4. */
  peekUint32(): number {
    const first = this.#chunks[0];
    const at = this.#head;
    if (first.length - at >= 4) {
      return (
        ((first[at] << 24) | (first[at + 1] << 16) | (first[at + 2] << 8) | first[at + 3]) >>> 0
      );
    }
    const head = this.#copyFront(4);
    return ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  }

  /** Removes and returns the first `n` bytes. Needs length >= n. */
  take(n: number): Uint8Array {
    const first = this.#chunks[0];
    const at = this.#head;
    const out =
      first !== undefined && first.length - at >= n
        ? first.subarray(at, at + n)
        : this.#copyFront(n);
    this.#advance(n);
    return out;
  }

  /** Drops up to `n` bytes from the front; returns how many were dropped. */
  skip(n: number): number {
    const dropped = Math.min(n, this.#length);
    this.#advance(dropped);
    return dropped;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }

  #copyFront(n: number): Uint8Array {
    const out = allocLike(this.#chunks[0], n);
    let filled = 0;
    let from = this.#head;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(from, from + Math.min(chunk.length - from, n - filled));
      out.set(part, filled);
      filled += part.length;
      from = 0;
      if (filled === n) {
        break;
      }
    }
    return out;
  }

  #advance(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const rest = this.#chunks[0].length - this.#head;
      if (rest <= n) {
        n -= rest;
        this.#chunks.shift();
        this.#head = 0;
      } else {
        this.#head += n;
        n = 0;
      }
    }
  }
}
