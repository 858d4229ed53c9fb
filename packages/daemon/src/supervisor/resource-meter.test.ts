import { describe, expect, it } from 'vitest';
import { ResourceMeter, cpuPercent } from './resource-meter.js';

describe('cpuPercent', () => {
  it.each([
    [500, 1000, 50],
    [2000, 1000, 200],
    [0, 1000, 0],
    [-30, 1000, 0],
    [1, 3000, 0],
    [333, 1000, 33.3],
    [10, 0, null],
  ])('%d ms of CPU in %d ms is %s', (cpuMs, wallMs, expected) => {
    expect(cpuPercent(cpuMs, wallMs)).toBe(expected);
  });
});

describe('ResourceMeter', () => {
  it('a process group: null CPU at the first sample, then ticks (100/s) over the interval', () => {
    const meter = new ResourceMeter();
    expect(meter.resources).toBeNull();
    meter.group({ rssBytes: 1000, cpuTicks: 50 }, 10_000);
    expect(meter.resources).toEqual({
      source: 'process-group',
      cpuPercent: null,
      rssBytes: 1000,
      heapUsedBytes: null,
      sampledAt: 10_000,
    });
    meter.group({ rssBytes: 2000, cpuTicks: 125 }, 11_000);
    expect(meter.resources).toMatchObject({ cpuPercent: 75, rssBytes: 2000 });
    meter.group(null, 12_000);
    expect(meter.resources).toMatchObject({ cpuPercent: 75, sampledAt: 11_000 });
  });
  it('a thread: its active event-loop ms over the interval, its heap', () => {
    const meter = new ResourceMeter();
    meter.thread({ activeMs: 100, heapUsedBytes: 5 }, 0);
    meter.thread({ activeMs: 350, heapUsedBytes: 6 }, 500);
    expect(meter.resources).toEqual({
      source: 'thread',
      cpuPercent: 50,
      rssBytes: null,
      heapUsedBytes: 6,
      sampledAt: 500,
    });
  });
});
