import { readFileSync } from 'node:fs';

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
