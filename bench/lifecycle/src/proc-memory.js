import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './stats.js';

/**
 * Resident set size of a process, in bytes, from the `VmRSS` line of /proc/<pid>/status
 * (Linux only), or null when the process is gone.
 * @param {number} pid
 */
export function readRssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/**
 * Median of a few RSS readings of `pid` taken `gapMs` apart, in bytes: one reading can land
 * in the middle of a GC or of a burst of heartbeats.
 * @param {number} pid
 */
export async function sampleRss(pid, { samples = 5, gapMs = 200 } = {}) {
  const readings = [];
  for (let i = 0; i < samples; i += 1) {
    if (i > 0) {
      await sleep(gapMs);
    }
    const rss = readRssBytes(pid);
    if (rss === null) {
      throw new Error(`bench-lifecycle: process ${pid} is gone; cannot read its RSS`);
    }
    readings.push(rss);
  }
  return median(readings);
}

/** True while a process with this pid exists (signal 0). @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** Sends SIGKILL, ignoring a process that is already gone. @param {number} pid */
export function killQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
