import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Deletes a run's log file and its rotated predecessors (`<path>.1`, `<path>.2`, … as
 * RunLog rotates them). Returns the paths deleted; a file that is already gone is skipped.
 * @throws the fs error (EACCES, EBUSY…) of a file that exists but cannot be deleted.
 */
export function removeRunLogFiles(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // No logs directory: nothing to delete.
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (
      entry === name ||
      (entry.startsWith(`${name}.`) && /^\d+$/.test(entry.slice(name.length + 1)))
    ) {
      const file = join(dir, entry);
      rmSync(file, { force: true });
      removed.push(file);
    }
  }
  return removed.sort();
}
