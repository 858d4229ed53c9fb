import type { RunResources } from '@x/daemon';

/** `512 KiB`, `45.2 MiB`, `1.50 GiB` (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) {
    return `${Math.round(bytes / 1024)} KiB`;
  }
  if (bytes < 1024 * 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  }
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}

/**
 * The CPU and MEM cells of `x agent list`: `12.5%` (`-` until a second sample) and the
 * process group's RSS, or a thread's heap (`heap 8.1 MiB`); both empty for a run with no
 * attempt running (absent from daemons before 0.2).
 */
export function resourceCells(resources: RunResources | null | undefined): [string, string] {
  if (resources === undefined || resources === null) {
    return ['', ''];
  }
  const cpu = resources.cpuPercent === null ? '-' : `${resources.cpuPercent.toFixed(1)}%`;
  if (resources.source === 'thread') {
    return [
      cpu,
      resources.heapUsedBytes === null ? '-' : `heap ${formatBytes(resources.heapUsedBytes)}`,
    ];
  }
  return [cpu, resources.rssBytes === null ? '-' : formatBytes(resources.rssBytes)];
}

/**
 * The `resources` line of `x agent status`: `cpu 12.5%, rss 45.2 MiB (process group, sampled
 * 0.4s ago)`, or for a thread `cpu 3.0% (event loop), heap 8.1 MiB (worker thread, …)`; no line
 * when nothing was sampled.
 */
export function resourcesField(
  resources: RunResources | null | undefined,
  now: number,
): [string, string][] {
  if (resources === undefined || resources === null) {
    return [];
  }
  const [cpu, memory] = resourceCells(resources);
  const age = `sampled ${Math.max(0, Math.round((now - resources.sampledAt) / 100) / 10)}s ago`;
  return resources.source === 'thread'
    ? [['resources', `cpu ${cpu} (event loop), ${memory} (worker thread, ${age})`]]
    : [['resources', `cpu ${cpu}, rss ${memory} (process group, ${age})`]];
}
