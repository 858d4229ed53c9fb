import { createRequire } from 'node:module';
import type TableConstructor from 'cli-table3';

// Loaded on the first table only: `--json` and field output never need it (cli-table3 and its
// dependencies are a dozen CommonJS modules).
let Table: typeof TableConstructor | undefined;

/** Options every command accepts. */
export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

/** Prints one JSON document (the `--json` contract: one value per command, on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a borderless table (kubectl style). */
export function printTable(head: string[], rows: (string | number)[][]): void {
  Table ??= createRequire(import.meta.url)('cli-table3') as typeof TableConstructor;
  const table = new Table({
    head,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows.map((row) => row.map(String)));
  process.stdout.write(`${table.toString()}\n`);
}

/** Prints `key: value` lines, aligned. */
export function printFields(fields: [string, string | number | null | undefined][]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) {
    process.stdout.write(`${`${key}:`.padEnd(width + 2)}${value ?? '-'}\n`);
  }
}

/** `1.2s`, `3m04s`, `2h05m`, `3d04h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)}ms`;
  }
  const s = Math.floor(ms / 1000);
  if (s < 60) {
    return `${(ms / 1000).toFixed(1)}s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m}m${String(s % 60).padStart(2, '0')}s`;
  }
  const h = Math.floor(m / 60);
  if (h < 24) {
    return `${h}h${String(m % 60).padStart(2, '0')}m`;
  }
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** ISO time of an epoch-ms value, or `-`. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString();
}

/** `text` on one line (whitespace runs become one space), cut to `max` characters with `…`. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
