import type { Disposable } from '@x/ipc';
import { readGroupsResidentBytes, readResidentBytes } from './proc-stat.js';

/** Reads the RSS of several process groups at once (see {@link readGroupsResidentBytes}). */
export type GroupsReader = (pgids: ReadonlySet<number>) => Map<number, number>;

interface Watcher {
  pid: number;
  pgid: number | undefined;
  onSample: (rssBytes: number | null) => void;
}

/**
 * Samples the resident memory of runners on one timer: every `intervalMs`, one scan of /proc
 * covers every watched process group (a scan reads every process, so one per run would cost
 * runs × processes reads per tick). The timer runs, unref'd, only while something is watched.
 */
export class GroupMemorySampler {
  readonly #watchers = new Set<Watcher>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param intervalMs time between samples, ms.
   * @param readGroups one scan for many groups (injectable for tests).
   * @param readProcess RSS of one process, for a runner whose group has no readable process.
   */
  constructor(
    readonly intervalMs: number,
    private readonly readGroups: GroupsReader = readGroupsResidentBytes,
    private readonly readProcess: (pid: number) => number | null = readResidentBytes,
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
    const groups = pgids.size === 0 ? new Map<number, number>() : this.readGroups(pgids);
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
