import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupMemorySampler } from './group-memory-sampler.js';
import { readGroupsResidentBytes, readGroupsUsage, readResidentBytes } from './proc-stat.js';

describe('GroupMemorySampler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads every watched group in one scan per tick and gives each watcher its own', () => {
    const scans: number[][] = [];
    const sampler = new GroupMemorySampler(
      1000,
      (pgids) => {
        scans.push([...pgids]);
        return new Map([
          [10, { rssBytes: 100, cpuTicks: 1 }],
          [20, { rssBytes: 200, cpuTicks: 2 }],
        ]);
      },
      () => ({ rssBytes: 1, cpuTicks: 0 }),
    );
    const a: (number | null)[] = [];
    const b: (number | null)[] = [];
    sampler.watch(11, 10, (bytes) => a.push(bytes));
    sampler.watch(21, 20, (bytes) => b.push(bytes));
    vi.advanceTimersByTime(999);
    expect(scans).toEqual([]);
    vi.advanceTimersByTime(2001);
    expect(scans).toEqual([
      [10, 20],
      [10, 20],
      [10, 20],
    ]);
    expect(a).toEqual([100, 100, 100]);
    expect(b).toEqual([200, 200, 200]);
  });

  it('falls back to the pid when the group has no readable process or there is no group', () => {
    const sampler = new GroupMemorySampler(
      100,
      () => new Map(),
      (pid) => (pid === 7 ? { rssBytes: 70, cpuTicks: 0 } : null),
    );
    const seen: [string, number | null][] = [];
    sampler.watch(7, 5, (bytes) => seen.push(['group gone', bytes]));
    sampler.watch(7, undefined, (bytes) => seen.push(['no group', bytes]));
    sampler.watch(8, 6, (bytes) => seen.push(['nothing readable', bytes]));
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([
      ['group gone', 70],
      ['no group', 70],
      ['nothing readable', null],
    ]);
  });

  it('stops its timer when the last watcher is disposed, and starts it again on the next', () => {
    let scans = 0;
    const sampler = new GroupMemorySampler(
      100,
      () => {
        scans += 1;
        return new Map();
      },
      () => null,
    );
    const first = sampler.watch(1, 1, () => {});
    const second = sampler.watch(2, 2, () => {});
    vi.advanceTimersByTime(100);
    first.dispose();
    vi.advanceTimersByTime(100);
    second.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(scans).toBe(2);
    sampler.watch(3, 3, () => {}).dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('readGroupsResidentBytes (real /proc)', () => {
  it('counts this process in its group’s RSS and leaves out a group with no process', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    const totals = readGroupsResidentBytes(new Set([pgid, 2 ** 30]));
    // Half: this process's RSS may shrink between the two reads.
    expect(totals.get(pgid)).toBeGreaterThanOrEqual((readResidentBytes(process.pid) ?? 1) / 2);
    expect(totals.has(2 ** 30)).toBe(false);
  });
});

describe('readGroupsUsage (real /proc)', () => {
  it('counts the CPU time of this process’s group: 300 ms of busy work adds ticks', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    const before = readGroupsUsage(new Set([pgid])).get(pgid)!.cpuTicks;
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // Busy.
    }
    const after = readGroupsUsage(new Set([pgid])).get(pgid)!.cpuTicks;
    // 300 ms is 30 ticks at USER_HZ 100; 10 is generous for a loaded machine.
    expect(after - before).toBeGreaterThanOrEqual(10);
  });
});
