import { formatDuration } from '../output.js';
import { formatBytes } from '../resources-format.js';
import type { SortKey, TopRow } from './top-rows.js';

/** One column of `x top`. */
export interface TopColumn {
  /** The sort key it shows. */
  key: SortKey;
  header: string;
  /** Width in terminal cells (NAME: its least; it grows to fit the longest name). */
  width: number;
  /**
   * Kept over columns of a lower priority when the terminal is too narrow; 100: never dropped.
   */
  priority: number;
  align: 'left' | 'right';
  /** Where a cell too long for its width is cut: NAME in the middle (names often share a prefix). */
  truncate?: 'middle';
  cell(row: TopRow): string;
}

/** Cells between two columns. */
export const COLUMN_GAP = 1;
/** NAME's width at most, cells (a longer name is truncated with `…`). */
export const NAME_MAX_WIDTH = 24;

const dash = (value: number | null, format: (value: number) => string): string =>
  value === null ? '-' : format(value);

/** `12.3k`, `4.5M` for large counts. */
export function compactCount(value: number): string {
  if (value < 10_000) {
    return String(value);
  }
  if (value < 1_000_000) {
    return `${(value / 1000).toFixed(1)}k`;
  }
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `$0.0123` below a cent, else `$1.23`. */
export function compactCost(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/**
 * The COST cell: `$1.23`; `$1.23+` when some reports gave no cost (the spend is at least
 * that); `?` when reports came and none gave a cost; `-` when nothing was reported.
 */
export function costCell(row: Pick<TopRow, 'costUsd' | 'costPartial'>): string {
  if (row.costUsd === null) {
    return row.costPartial ? '?' : '-';
  }
  return `${compactCost(row.costUsd)}${row.costPartial ? '+' : ''}`;
}

/**
 * The columns, left to right. Priorities say which go first on a narrow terminal: the
 * identity and health of a run (NAME, STATE, PERM, CPU, MEM) stay longest; counts and the
 * spend next; the last exit reason and the attempt number first.
 */
export const TOP_COLUMNS: readonly TopColumn[] = [
  {
    key: 'name',
    header: 'NAME',
    width: 8,
    priority: 100,
    align: 'left',
    truncate: 'middle',
    cell: (r) => r.name,
  },
  { key: 'state', header: 'STATE', width: 8, priority: 100, align: 'left', cell: (r) => r.state },
  {
    key: 'pid',
    header: 'PID',
    width: 7,
    priority: 40,
    align: 'right',
    cell: (r) => dash(r.pid, String),
  },
  {
    key: 'attempt',
    header: 'ATT',
    width: 3,
    priority: 20,
    align: 'right',
    cell: (r) => String(r.attempt),
  },
  {
    key: 'uptimeMs',
    header: 'UPTIME',
    width: 7,
    priority: 55,
    align: 'right',
    cell: (r) => dash(r.uptimeMs, (ms) => (ms < 1000 ? '0s' : formatDuration(ms))),
  },
  {
    key: 'iterations',
    header: 'ITER',
    width: 6,
    priority: 50,
    align: 'right',
    cell: (r) => compactCount(r.iterations),
  },
  {
    key: 'perMinute',
    header: 'IT/MIN',
    width: 6,
    priority: 45,
    align: 'right',
    cell: (r) => dash(r.perMinute, (n) => (n < 10 ? n.toFixed(1) : compactCount(Math.round(n)))),
  },
  {
    key: 'cpuPercent',
    header: 'CPU%',
    width: 6,
    priority: 80,
    align: 'right',
    cell: (r) => dash(r.cpuPercent, (n) => n.toFixed(1)),
  },
  {
    key: 'memoryBytes',
    header: 'MEM',
    width: 9,
    priority: 75,
    align: 'right',
    // A thread's heap is not an RSS: marked `h`.
    cell: (r) =>
      dash(r.memoryBytes, (n) => `${formatBytes(n)}${r.memoryKind === 'heap' ? 'h' : ''}`),
  },
  {
    key: 'tokens',
    header: 'TOKENS',
    width: 6,
    priority: 30,
    align: 'right',
    cell: (r) => dash(r.tokens, compactCount),
  },
  {
    key: 'costUsd',
    header: 'COST',
    width: 8,
    priority: 35,
    align: 'right',
    cell: costCell,
  },
  {
    key: 'pending',
    header: 'PERM',
    width: 4,
    priority: 90,
    align: 'right',
    cell: (r) => (r.pending === 0 ? '-' : String(r.pending)),
  },
  {
    key: 'lastExit',
    header: 'LAST EXIT',
    width: 10,
    priority: 25,
    align: 'left',
    cell: (r) => r.lastExit ?? '-',
  },
];

/** A column laid out: its width for this frame. */
export interface FittedColumn extends TopColumn {
  width: number;
}

/**
 * The columns that fit `width` cells: while the row (columns plus COLUMN_GAP between them)
 * is wider, the column of the lowest priority is dropped (the rightmost of equal ones);
 * columns of priority 100 are never dropped (on a terminal narrower than those, the view
 * truncates each line rather than wrapping it). NAME then widens to the longest name (at most
 * NAME_MAX_WIDTH) within the room left.
 */
export function fitColumns(
  width: number,
  rows: readonly Pick<TopRow, 'name'>[],
  columns: readonly TopColumn[] = TOP_COLUMNS,
): FittedColumn[] {
  const kept = [...columns];
  const total = () =>
    kept.reduce((sum, column) => sum + column.width, 0) + COLUMN_GAP * (kept.length - 1);
  while (total() > width) {
    let drop = -1;
    kept.forEach((column, index) => {
      if (column.priority < 100 && (drop === -1 || column.priority <= kept[drop].priority)) {
        drop = index;
      }
    });
    if (drop === -1) {
      break;
    }
    kept.splice(drop, 1);
  }
  const longest = Math.max(4, ...rows.map((row) => row.name.length));
  const room = width - total();
  return kept.map((column) =>
    column.key === 'name'
      ? {
          ...column,
          width: Math.max(
            column.width,
            Math.min(NAME_MAX_WIDTH, longest, column.width + Math.max(0, room)),
          ),
        }
      : { ...column },
  );
}
