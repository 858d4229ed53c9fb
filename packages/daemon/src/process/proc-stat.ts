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
    const pgid = Number(statFields(stat)[2]);
    if (!pgids.has(pgid)) {
      continue;
    }
    const rss = readResidentBytes(Number(entry));
    if (rss !== null) {
      totals.set(pgid, (totals.get(pgid) ?? 0) + rss);
    }
  }
  return totals;
}

/** Fields 3… of a /proc/<pid>/stat line (index 0 is field 3, the state). */
function statFields(stat: string): string[] {
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
