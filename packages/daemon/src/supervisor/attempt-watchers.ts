import type { GroupUsage } from '../process/proc-stat.js';
import { sharedGroupMemorySampler } from '../process/group-memory-sampler.js';
import type { AttemptTimers } from './attempt-timers.js';
import { LivenessMonitor } from './liveness-monitor.js';

/** Runs a watcher's callback; a throw is a fault of x's that ends the attempt. */
type Guard = (what: string, fn: () => void) => void;

/**
 * Arms the liveness check of an attempt, from its first heartbeat on (a runner that never
 * sends one is not liveness-checked). The silence is judged every `timeoutMs / 4` (100 ms to
 * 1 s) on a monotonic clock, after pending input was read (LivenessMonitor), so heartbeats that
 * waited while the daemon itself stalled count.
 * @param onHung called at each check that finds more than `timeoutMs` (ms) of silence, with
 *   the silence in ms: the caller acts once.
 * @returns the monitor, whose `beat()` each heartbeat calls.
 */
export function watchLiveness(
  timeoutMs: number,
  timers: AttemptTimers,
  guard: Guard,
  onHung: (silenceMs: number) => void,
): LivenessMonitor {
  const periodMs = Math.max(100, Math.min(1000, Math.floor(timeoutMs / 4)));
  const liveness = new LivenessMonitor(timeoutMs, periodMs * 2);
  const judge = () => {
    const { silenceMs, hung } = liveness.check();
    if (hung) {
      onHung(silenceMs);
    }
  };
  // setImmediate: after the I/O phase, so heartbeats that waited while the daemon stalled count.
  timers.every(periodMs, () => setImmediate(() => guard('a liveness check', judge)));
  return liveness;
}

/** What {@link watchGroupUsage} samples and where it reports. */
export interface GroupUsageWatch {
  pid: number;
  pgid: number | undefined;
  /** ms between samples (one /proc scan per tick, shared by every run). */
  sampleMs: number;
  /** The memory limit of the process group in bytes, or null for none. */
  limitBytes: number | null;
  /** Every sample (null when the process is gone). */
  sampled(usage: GroupUsage | null): void;
  /** A sample whose RSS (bytes) is over `limitBytes`. */
  overLimit(rssBytes: number, limitBytes: number): void;
}

/**
 * Samples the RSS and CPU time of a runner's whole process group (its children count), else
 * of its pid, until the attempt's timers are cleared.
 */
export function watchGroupUsage(watch: GroupUsageWatch, timers: AttemptTimers, guard: Guard): void {
  const sampler = sharedGroupMemorySampler(watch.sampleMs);
  const held = sampler.watchUsage(watch.pid, watch.pgid, (usage) =>
    guard('a memory check', () => {
      watch.sampled(usage);
      const rssBytes = usage?.rssBytes ?? null;
      if (watch.limitBytes !== null && rssBytes !== null && rssBytes > watch.limitBytes) {
        watch.overLimit(rssBytes, watch.limitBytes);
      }
    }),
  );
  timers.hold(held);
}
