import { describe, expect, it } from 'vitest';
import { isLagging, type SubscriberBacklog } from './subscriber-limits.js';

const limits = {
  maxQueuedEvents: 1000,
  maxBufferedBytes: 1024 * 1024,
  socketHighWaterBytes: 65536,
};

describe('isLagging', () => {
  it.each<[string, SubscriberBacklog, boolean]>([
    ['nothing waiting', { queuedEvents: 0, queuedBytes: 0, socketBytes: 0 }, false],
    ['exactly 1000 events', { queuedEvents: 1000, queuedBytes: 100_000, socketBytes: 0 }, false],
    ['1001 events', { queuedEvents: 1001, queuedBytes: 100_000, socketBytes: 0 }, true],
    [
      'a 1 MiB queue, the socket at its high-water mark',
      { queuedEvents: 10, queuedBytes: 1024 * 1024, socketBytes: 65536 },
      false,
    ],
    [
      '1 MiB + 1 byte between the queue and the socket past its high-water mark',
      { queuedEvents: 10, queuedBytes: 1024 * 1024 - 65535, socketBytes: 2 * 65536 },
      true,
    ],
    [
      'two events of 512 KiB (the largest): one written to the socket, one queued',
      { queuedEvents: 1, queuedBytes: 512 * 1024, socketBytes: 512 * 1024 },
      false,
    ],
    [
      'a full socket alone past 1 MiB',
      { queuedEvents: 0, queuedBytes: 0, socketBytes: 2 * 1024 * 1024 },
      true,
    ],
  ])('%s → %s', (_title, backlog, expected) => {
    expect(isLagging(backlog, limits)).toBe(expected);
  });
});
