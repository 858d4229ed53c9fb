import type { Disposable } from '@x/ipc';
import { readGroupsUsage, readProcessUsage, type GroupUsage } from './proc-stat.js';

/** Reads RSS and CPU time of several process groups at once (see {@link readGroupsUsage}). */
export type GroupsReader = (pgids: ReadonlySet<number>) => Map<number, GroupUsage>;

interface Watcher {
  pid: number;
  pgid: number | undefined;
  onSample: (usage: GroupUsage | null) => void;
}

/**
 * Samples the resident memory and CPU time of runners on one timer: every `intervalMs`, one
 * scan of /proc covers every watched process group (a scan reads every process, so one per run
 * would cost runs × processes reads per tick). It serves both the memory limit and the CPU and
 * RSS figures of `agent.list`/`agent.status`. The timer runs, unref'd, only while something is
 * watched.
 */
export class GroupMemorySampler {
  readonly #watchers = new Set<Watcher>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param intervalMs time between samples, ms.
   * @param readGroups one scan for many groups (injectable for tests).
   * @param readProcess usage of one process, for a runner whose group has no readable process.
   */
  constructor(
    readonly intervalMs: number,
    private readonly readGroups: GroupsReader = readGroupsUsage,
    private readonly readProcess: (pid: number) => GroupUsage | null = readProcessUsage,
  ) {}

  /**
   * Calls `onSample` every tick with the RSS of process group `pgid` in bytes, else (no
   * `pgid`, or no readable process in it) of `pid`, else null. The first sample comes within
   * `intervalMs`.
   */
  watch(
    pid: number,
    pgid: number | undefined,
    onSample: (rssBytes: number | null) => void,
  ): Disposable {
    return this.watchUsage(pid, pgid, (usage) => onSample(usage?.rssBytes ?? null));
  }

  /**
   * As {@link watch}, with the group's whole {@link GroupUsage} (RSS and CPU ticks) or null.
   */
  watchUsage(
    pid: number,
    pgid: number | undefined,
    onSample: (usage: GroupUsage | null) => void,
  ): Disposable {
    const watcher: Watcher = { pid, pgid, onSample };
    this.#watchers.add(watcher);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sample(), this.intervalMs);
      this.#timer.unref();
    }
    return {
      dispose: () => {
        this.#watchers.delete(watcher);
        if (this.#watchers.size === 0 && this.#timer !== undefined) {
          clearInterval(this.#timer);
          this.#timer = undefined;
        }
      },
    };
  }

  #sample(): void {
    const watchers = [...this.#watchers];
    const pgids = new Set<number>();
    for (const { pgid } of watchers) {
      if (pgid !== undefined) {
        pgids.add(pgid);
      }
    }
    const groups = pgids.size === 0 ? new Map<number, GroupUsage>() : this.readGroups(pgids);
    for (const { pid, pgid, onSample } of watchers) {
      onSample((pgid === undefined ? undefined : groups.get(pgid)) ?? this.readProcess(pid));
    }
  }
}

const shared = new Map<number, GroupMemorySampler>();

/** The process-wide sampler for `intervalMs`: every run sampled at that interval shares its scan. */
export function sharedGroupMemorySampler(intervalMs: number): GroupMemorySampler {
  let sampler = shared.get(intervalMs);
  if (sampler === undefined) {
    sampler = new GroupMemorySampler(intervalMs);
    shared.set(intervalMs, sampler);
  }
  return sampler;
}
