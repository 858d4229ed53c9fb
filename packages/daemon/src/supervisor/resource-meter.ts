import { CLOCK_TICKS_PER_SECOND, type GroupUsage } from '../process/proc-stat.js';

/**
 * CPU and memory of an active run's current attempt, as last sampled (every `memorySampleMs`,
 * 1000 ms by default): in `agent.list` (each run's `resources`) and `agent.status`.
 */
export interface RunResources {
  /**
   * `process-group`: a subprocess runner, summed over its process group (the runner and every
   * process it started that stayed in the group); `thread`: a worker thread in the daemon.
   */
  source: 'process-group' | 'thread';
  /**
   * CPU use over the last sampling interval, percent of one core (200 is two cores busy);
   * null until two samples were taken. A thread's is its event-loop utilisation: the share of
   * the interval its JavaScript was running (a thread cannot use more than one core).
   */
  cpuPercent: number | null;
  /** Resident set size of the process group, bytes; null for a thread (it shares the daemon's). */
  rssBytes: number | null;
  /** A thread's V8 heap in use, bytes (its isolate's `used_heap_size`); null for a process group. */
  heapUsedBytes: number | null;
  /** When it was sampled, ms since the Unix epoch. */
  sampledAt: number;
}

/** What a thread runner reports of itself (LaunchedRunner.usage). */
export interface ThreadUsage {
  /** Time its event loop has been active since it started, ms (`eventLoopUtilization().active`). */
  activeMs: number;
  /** Its V8 heap in use, bytes, or null when not (yet) known. */
  heapUsedBytes: number | null;
}

/**
 * CPU % over an interval from two cumulative CPU times. Pure.
 * @param cpuMs CPU time used between the two samples, ms.
 * @param wallMs wall time between them, ms.
 * @returns percent of one core, rounded to 0.1; null when `wallMs` is not positive.
 */
export function cpuPercent(cpuMs: number, wallMs: number): number | null {
  if (!(wallMs > 0)) {
    return null;
  }
  // A group that lost a member (it exited unreaped) can go backwards: not negative CPU.
  return Math.round((Math.max(0, cpuMs) / wallMs) * 1000) / 10;
}

/**
 * Turns an attempt's cumulative samples (a process group's CPU ticks, a thread's active
 * event-loop ms) into {@link RunResources}. Holds two samples: bounded.
 */
export class ResourceMeter {
  #previous: { cpuMs: number; at: number } | undefined;
  #resources: RunResources | null = null;

  /** The last sample, or null before the first. */
  get resources(): RunResources | null {
    return this.#resources;
  }

  /** A process group's sample (null: nothing readable this tick, the last one is kept). */
  group(usage: GroupUsage | null, at: number): void {
    if (usage !== null) {
      const cpuMs = (usage.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND;
      this.#update('process-group', cpuMs, at, usage.rssBytes, null);
    }
  }

  /** A thread runner's sample. */
  thread(usage: ThreadUsage, at: number): void {
    this.#update('thread', usage.activeMs, at, null, usage.heapUsedBytes);
  }

  #update(
    source: RunResources['source'],
    cpuMs: number,
    at: number,
    rssBytes: number | null,
    heapUsedBytes: number | null,
  ): void {
    const previous = this.#previous;
    this.#previous = { cpuMs, at };
    this.#resources = {
      source,
      cpuPercent:
        previous === undefined ? null : cpuPercent(cpuMs - previous.cpuMs, at - previous.at),
      rssBytes,
      heapUsedBytes,
      sampledAt: at,
    };
  }
}
