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
      'exactly 1 MiB between queue and socket',
      { queuedEvents: 10, queuedBytes: 1024 * 1024 - 65536, socketBytes: 65536 },
      false,
    ],
    [
      '1 MiB + 1 byte between queue and socket',
      { queuedEvents: 10, queuedBytes: 1024 * 1024 - 65535, socketBytes: 65536 },
      true,
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
