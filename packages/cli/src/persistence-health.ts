import type { PersistenceHealth, SystemInfo } from '@x/daemon';
import { formatDuration, formatTime } from './output.js';

/**
 * The `persistence` line of `x daemon status` and `x agent status`:
 * `ok`, `ok (recovered at <time> after 42.0s degraded; 310 write(s) lost then)`, or
 * `DEGRADED since <time> (for 1m04s): <error>; 1234 write(s) lost, 1300 failure(s) in all`;
 * then, if the store refused writes for what they wrote, `; 12 write(s) refused (<latest>)`.
 * An older daemon sends only `ok`, `failures` and `lastError`.
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
      : `ok (recovered at ${formatTime(recovery.at)} after ${formatDuration(recovery.afterMs)} degraded; ${recovery.droppedWrites} write(s) lost then)${refused}`;
  }
  if (health.since == null) {
    return `FAILING: ${health.lastError ?? ''} (${health.failures} failures)`;
  }
  return `DEGRADED since ${formatTime(health.since)} (for ${formatDuration(now - health.since)}): ${health.lastError ?? ''}; ${health.droppedWrites} write(s) lost, ${health.failures} failure(s) in all${refused}`;
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
