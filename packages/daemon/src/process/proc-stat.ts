import { readFileSync, readdirSync } from 'node:fs';

/**
 * Start time of a process, in clock ticks since boot (field 22 of /proc/<pid>/stat), or null
 * where /proc is unavailable. With the pid it identifies a process across pid reuse.
 */
export function readProcessStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
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
 * Resident set size of a whole process group in bytes: the sum of VmRSS over every process in
 * /proc whose process group id (field 5 of /proc/<pid>/stat) is `pgid`, or null when none was
 * readable. A runner's children (tools, shells) count against its memory limit this way.
 * Cost: one readdir of /proc and one read per process, about 1 ms for a few hundred processes.
 */
export function readGroupResidentBytes(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let total: number | null = null;
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
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) {
      continue;
    }
    const rss = readResidentBytes(Number(entry));
    if (rss !== null) {
      total = (total ?? 0) + rss;
    }
  }
  return total;
}
