import { readFileSync, readdirSync } from 'node:fs';

/**
 * Pids of the `runner --pipe` children of a process, from /proc (Linux only): the daemon's
 * runners and its idle spare runners. A run whose pid was in this list before its start was
 * handed a spare.
 * @param {number} parentPid
 * @returns {number[]}
 */
export function runnerChildren(parentPid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (
        ppid === parentPid &&
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('runner\0--pipe')
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}
