import type { TopRun, TopState } from './top-state.js';

/** One row of `x top`: a run's values, raw (for sorting) — the cells are made by the columns. */
export interface TopRow {
  runId: string;
  name: string;
  state: string;
  pid: number | null;
  attempt: number;
  /** Time since the current attempt became ready, ms; null when no attempt runs. */
  uptimeMs: number | null;
  iterations: number;
  /** Finished iterations per minute (last minute), or null before 5 s of watching. */
  perMinute: number | null;
  cpuPercent: number | null;
  /** RSS of the process group, or a thread's heap in use, bytes; null when not sampled. */
  memoryBytes: number | null;
  /** `heap` for a thread runner (its heap, not an RSS), else `rss`. */
  memoryKind: 'rss' | 'heap';
  /** Input + output tokens, or null when the run reported no usage. */
  tokens: number | null;
  /** USD, or null when no report gave a cost. */
  costUsd: number | null;
  /**
   * True when some of the run's usage reports gave no cost (a model the price catalog does not
   * know, or none named): `costUsd` is then a lower bound, or unknown when null.
   */
  costPartial: boolean;
  pending: number;
  /** How the last attempt ended (`crashed`, `oom`, `completed`…), or null. */
  lastExit: string | null;
  active: boolean;
  createdAt: number;
}

/** The row of one run at `now` (ms). */
export function toRow(known: TopRun, now: number, watchedSince: number): TopRow {
  const { run, usage, resources } = known;
  const active = run.state !== 'exited' && run.state !== 'failed';
  const attemptRuns = active && run.state !== 'backoff' && run.readyAt !== null;
  const reported = usage !== null && usage.calls > 0;
  const thread = resources?.source === 'thread';
  return {
    runId: run.runId,
    name: run.name,
    state: run.state,
    pid: active && run.state !== 'backoff' ? run.pid : null,
    attempt: run.attempt,
    uptimeMs: attemptRuns ? Math.max(0, now - (run.readyAt ?? now)) : null,
    iterations: known.iterations,
    // Counted since the view knows the events, or since the run began if later.
    perMinute: active ? known.rate.perMinute(now, Math.max(watchedSince, run.createdAt)) : null,
    cpuPercent: resources?.cpuPercent ?? null,
    memoryBytes: (thread ? resources?.heapUsedBytes : resources?.rssBytes) ?? null,
    memoryKind: thread ? 'heap' : 'rss',
    tokens: reported ? usage.inputTokens + usage.outputTokens : null,
    costUsd: reported && usage.calls > usage.callsWithoutCost ? usage.costUsd : null,
    costPartial: reported && usage.callsWithoutCost > 0,
    pending: known.pending.size,
    lastExit: run.exit?.reason ?? run.lastReasons.at(-1)?.reason ?? null,
    active,
    createdAt: run.createdAt,
  };
}

/** Every run's row at `now`. */
export function toRows(state: TopState, now: number): TopRow[] {
  return [...state.runs.values()].map((known) => toRow(known, now, state.watchedSince));
}

/** Keys rows can be sorted by (the columns that hold a value to compare). */
export const SORT_KEYS = [
  'name',
  'state',
  'pid',
  'attempt',
  'uptimeMs',
  'iterations',
  'perMinute',
  'cpuPercent',
  'memoryBytes',
  'tokens',
  'costUsd',
  'pending',
  'lastExit',
] as const satisfies readonly (keyof TopRow)[];

export type SortKey = (typeof SORT_KEYS)[number];

/** A sort: by `key`, `desc`ending or not. */
export interface TopSort {
  key: SortKey;
  desc: boolean;
}

/**
 * Sorted copy of `rows`: by `sort.key` (numbers as numbers, text as text), rows without a
 * value last whatever the direction, ties newest run first, then by run id (a stable order
 * that does not jump between frames).
 */
export function sortRows(rows: readonly TopRow[], sort: TopSort): TopRow[] {
  const sign = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    if (x !== y) {
      if (x === null) {
        return 1;
      }
      if (y === null) {
        return -1;
      }
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (order !== 0) {
        return sign * order;
      }
    }
    return b.createdAt - a.createdAt || a.runId.localeCompare(b.runId);
  });
}

/** Rows whose name contains `query`, ignoring case; every row for an empty query. */
export function filterRows(rows: readonly TopRow[], query: string): TopRow[] {
  const needle = query.trim().toLowerCase();
  return needle === '' ? [...rows] : rows.filter((row) => row.name.toLowerCase().includes(needle));
}

/** The sort by the next key of SORT_KEYS: text ascending, numbers descending (largest first). */
export function nextSort(sort: TopSort): TopSort {
  const key = SORT_KEYS[(SORT_KEYS.indexOf(sort.key) + 1) % SORT_KEYS.length];
  return { key, desc: !TEXT_KEYS.has(key) };
}

const TEXT_KEYS = new Set<SortKey>(['name', 'state', 'lastExit']);
