import { readFileSync, readdirSync } from 'node:fs';

/**
 * Start time of a process, in clock ticks since boot (field 22 of /proc/<pid>/stat), or null
 * where /proc is unavailable. With the pid it identifies a process across pid reuse.
 */
export function readProcessStartTime(pid: number): number | null {
  try {
    const start = Number(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status), or null. */
export function readResidentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** What one scan of /proc measures of a process group (or of one process). */
export interface GroupUsage {
  /** Resident set size, bytes: the sum of VmRSS of its processes. */
  rssBytes: number;
  /**
   * CPU time, clock ticks (USER_HZ, 100 per second on Linux): the sum over its processes of
   * utime + stime + cutime + cstime (fields 14-17 of /proc/<pid>/stat), so the time of a
   * child that exited and was waited for by a member stays counted.
   */
  cpuTicks: number;
}

/**
 * Clock ticks per second of /proc's CPU times: USER_HZ, fixed at 100 by the Linux ABI on
 * every architecture x runs on (`getconf CLK_TCK`; see proc(5)).
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Resident set size of each of `pgids` in bytes: the sum of VmRSS over every process in /proc
 * whose process group id (field 5 of /proc/<pid>/stat) is in `pgids`. A group with no readable
 * process is absent from the result (as are all when /proc cannot be read). A runner's children
 * (tools, shells) count against its memory limit this way.
 * Cost: one readdir of /proc and one read per process, whatever the number of groups: about
 * 1 ms for a few hundred processes.
 */
export function readGroupsResidentBytes(pgids: ReadonlySet<number>): Map<number, number> {
  const totals = new Map<number, number>();
  for (const [pgid, usage] of readGroupsUsage(pgids)) {
    totals.set(pgid, usage.rssBytes);
  }
  return totals;
}

/**
 * RSS and CPU time of each of `pgids` ({@link GroupUsage}), summed over every process in /proc
 * whose process group id is in `pgids`, in one scan: one readdir of /proc, one read of
 * /proc/<pid>/stat per process, and one of /proc/<pid>/status per member. A group with no
 * readable process is absent (all are where /proc cannot be read: macOS).
 */
export function readGroupsUsage(pgids: ReadonlySet<number>): Map<number, GroupUsage> {
  const totals = new Map<number, GroupUsage>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return totals;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) {
      continue;
    }
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Exited meanwhile.
    }
    const fields = statFields(stat);
    const pgid = Number(fields[2]);
    if (!pgids.has(pgid)) {
      continue;
    }
    const rss = readResidentBytes(Number(entry));
    if (rss !== null) {
      const total = totals.get(pgid) ?? { rssBytes: 0, cpuTicks: 0 };
      total.rssBytes += rss;
      total.cpuTicks += cpuTicksOf(fields);
      totals.set(pgid, total);
    }
  }
  return totals;
}

/** {@link GroupUsage} of one process, or null where it cannot be read. */
export function readProcessUsage(pid: number): GroupUsage | null {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssBytes = readResidentBytes(pid);
    return rssBytes === null ? null : { rssBytes, cpuTicks: cpuTicksOf(fields) };
  } catch {
    return null;
  }
}

/** utime + stime + cutime + cstime: fields 14-17, indexes 11-14 of {@link statFields}. */
function cpuTicksOf(fields: string[]): number {
  let ticks = 0;
  for (let i = 11; i <= 14; i += 1) {
    const value = Number(fields[i]);
    ticks += Number.isFinite(value) ? value : 0;
  }
  return ticks;
}

/** Fields 3… of a /proc/<pid>/stat line (index 0 is field 3, the state). */
function statFields(stat: string): string[] {
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
