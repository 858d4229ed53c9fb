import { readFileSync, readdirSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces), from field
 * 3 (state) on, or null when the process is gone (Linux only).
 * @param {number} pid
 */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used, in ms with µs precision: the sum over its threads of the first
 * field of /proc/<pid>/task/<tid>/schedstat (ns on a CPU), or null when it is gone. Finer than
 * the user + system ticks of /proc/<pid>/stat (10 ms steps), which short windows would blur.
 * @param {number} pid
 */
export function readCpuMs(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const task of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended while we looked.
    }
  }
  return ns / 1e6;
}

/**
 * Pids of the `runner --pipe` children of a process: the daemon's runners and its idle spare
 * runner. A restart whose new pid was in this list before the kill was handed the spare.
 * @param {number} parentPid
 * @returns {number[]}
 */
export function runnerChildren(parentPid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(statFields(Number(entry))?.[1]) !== parentPid) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('runner\0--pipe')) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}
