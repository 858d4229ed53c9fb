import type { PersistenceHealth, SystemInfo } from '@x/daemon';
import { formatDuration, formatTime } from './output.js';

/**
 * The `persistence` line of `x daemon status` and `x agent status`:
 * `ok`, `ok (recovered at <time> after 42.0s degraded; 494 write(s) kept in memory were
 * written, 3 lost then)`, or `DEGRADED since <time> (for 1m04s): <error>; 494 write(s) waiting
 * in memory (73.1 KiB of at most 10000 writes, 16.0 MiB), 3 lost, 101 failure(s) in all`;
 * then, if the store refused writes for what they wrote, `; 12 write(s) refused (<latest>)`.
 * An older daemon sends only `ok`, `failures` and `lastError` (and no write-behind counts).
 */
export function formatPersistence(health: PersistenceHealth, now = Date.now()): string {
  const refused =
    (health.refusedWrites ?? 0) > 0
      ? `; ${health.refusedWrites} write(s) refused (${health.lastRefusal ?? ''})`
      : '';
  if (health.ok) {
    const recovery = health.lastRecovery;
    return recovery == null
      ? `ok${refused}`
      : `ok (recovered at ${formatTime(recovery.at)} after ${formatDuration(recovery.afterMs)} degraded; ${recovery.writtenLate === undefined ? '' : `${recovery.writtenLate} write(s) kept in memory were written, `}${recovery.droppedWrites} ${recovery.writtenLate === undefined ? 'write(s) ' : ''}lost then)${refused}`;
  }
  if (health.since == null) {
    return `FAILING: ${health.lastError ?? ''} (${health.failures} failures)`;
  }
  const waiting =
    health.deferredWrites === undefined
      ? `${health.droppedWrites} write(s) lost`
      : `${health.deferredWrites} write(s) waiting in memory (${formatBytes(health.deferredBytes)} of at most ${health.deferLimits.maxWrites} writes, ${formatBytes(health.deferLimits.maxBytes)}), ${health.droppedWrites} lost`;
  return `DEGRADED since ${formatTime(health.since)} (for ${formatDuration(now - health.since)}): ${health.lastError ?? ''}; ${waiting}, ${health.failures} failure(s) in all${refused}`;
}

/** `812 B`, `73.1 KiB`, `16.0 MiB`. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The `daemon log` line of `x daemon status`: what the daemon's own log dropped or held back, or null when nothing. */
export function formatDaemonLog(log: SystemInfo['log']): string | null {
  if (log == null || log.dropped + log.suppressed + log.stdioErrors === 0) {
    return null;
  }
  const parts = [`${log.dropped} line(s) lost`];
  if (log.lastError !== null) {
    parts[0] += ` (${log.lastError})`;
  }
  parts.push(`${log.suppressed} repeat(s) counted, not written`);
  return parts.join('; ');
}
