/**
 * A FIFO of byte chunks that hands out the first `n` bytes without copying when they sit
 * in one chunk (the common case), and with one copy otherwise.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
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
    if (first.length >= 4) {
      return ((first[0] << 24) | (first[1] << 16) | (first[2] << 8) | first[3]) >>> 0;
    }
    const head = this.#copyFront(4);
    return ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  }

  /** Removes and returns the first `n` bytes. Needs length >= n. */
  take(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      this.#advance(n);
      return out;
    }
    const out = this.#copyFront(n);
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
    this.#length = 0;
  }

  #copyFront(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, Math.min(chunk.length, n - filled));
      out.set(part, filled);
      filled += part.length;
      if (filled === n) {
        break;
      }
    }
    return out;
  }

  #advance(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const first = this.#chunks[0];
      if (first.length <= n) {
        n -= first.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}
