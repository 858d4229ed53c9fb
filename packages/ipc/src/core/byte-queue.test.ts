import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes } from '../../test/support/decode.js';
import { ByteQueue } from './byte-queue.js';

describe('ByteQueue', () => {
  it('take() within the first chunk returns a view, without copying', () => {
    const queue = new ByteQueue();
    const chunk = bytes(1, 2, 3, 4, 5);
    queue.push(chunk);
    const head = queue.take(2);
    expect(head).toEqual(bytes(1, 2));
    expect(head.buffer).toBe(chunk.buffer);
    expect(queue.length).toBe(3);
    expect(queue.take(3)).toEqual(bytes(3, 4, 5));
    expect(queue.length).toBe(0);
  });

  it('take() across 3 chunks joins them in order', () => {
    const queue = new ByteQueue();
    queue.push(bytes(1));
    queue.push(bytes(2, 3));
    queue.push(bytes(4, 5, 6));
    expect(queue.take(5)).toEqual(bytes(1, 2, 3, 4, 5));
    expect(queue.length).toBe(1);
    expect(queue.take(1)).toEqual(bytes(6));
  });

  it('peekUint32 reads big-endian without consuming, also when the 4 bytes span chunks', () => {
    const queue = new ByteQueue();
    queue.push(bytes(0x12));
    queue.push(bytes(0x34, 0x56));
    queue.push(bytes(0x78, 0x9a));
    expect(queue.peekUint32()).toBe(0x12345678);
    expect(queue.length).toBe(5);
    const high = new ByteQueue();
    high.push(bytes(0xff, 0xff, 0xff, 0xfe));
    expect(high.peekUint32()).toBe(0xfffffffe);
  });

  it('skip() drops at most what is queued and says how much it dropped', () => {
    const queue = new ByteQueue();
    queue.push(bytes(1, 2));
    queue.push(bytes(3));
    expect(queue.skip(2)).toBe(2);
    expect(queue.take(1)).toEqual(bytes(3));
    queue.push(bytes(4));
    expect(queue.skip(10)).toBe(1);
    expect(queue.length).toBe(0);
  });

  it('empty chunks are ignored and clear() empties the queue', () => {
    const queue = new ByteQueue();
    queue.push(new Uint8Array(0));
    expect(queue.length).toBe(0);
    queue.push(bytes(1, 2));
    queue.clear();
    expect(queue.length).toBe(0);
    queue.push(bytes(9, 9, 9, 9));
    expect(queue.peekUint32()).toBe(0x09090909);
  });

  it('behaves like one flat byte array under any sequence of push/take/skip', () => {
    type Op = { op: 'push'; data: Uint8Array } | { op: 'take' | 'skip'; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.uint8Array({ maxLength: 10 }).map((data) => ({ op: 'push' as const, data })),
      fc.nat(12).map((n) => ({ op: 'take' as const, n })),
      fc.nat(12).map((n) => ({ op: 'skip' as const, n })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const queue = new ByteQueue();
        let model: number[] = [];
        for (const step of ops) {
          if (step.op === 'push') {
            queue.push(step.data);
            model.push(...step.data);
          } else if (step.op === 'take') {
            if (step.n > model.length) {
              continue; // take() requires length >= n
            }
            if (model.length >= 4) {
              expect(queue.peekUint32()).toBe(
                ((model[0] << 24) | (model[1] << 16) | (model[2] << 8) | model[3]) >>> 0,
              );
            }
            expect([...queue.take(step.n)]).toEqual(model.slice(0, step.n));
            model = model.slice(step.n);
          } else {
            expect(queue.skip(step.n)).toBe(Math.min(step.n, model.length));
            model = model.slice(step.n);
          }
          expect(queue.length).toBe(model.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
