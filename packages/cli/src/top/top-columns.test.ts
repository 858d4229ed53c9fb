import { describe, expect, it } from 'vitest';
import {
  COLUMN_GAP,
  NAME_MAX_WIDTH,
  TOP_COLUMNS,
  compactCost,
  costCell,
  compactCount,
  fitColumns,
} from './top-columns.js';
import type { TopRow } from './top-rows.js';

const headers = (width: number, names: string[] = ['counter']) =>
  fitColumns(
    width,
    names.map((name) => ({ name })),
  ).map((column) => column.header);

const used = (width: number, names: string[] = ['counter']) => {
  const columns = fitColumns(
    width,
    names.map((name) => ({ name })),
  );
  return columns.reduce((sum, column) => sum + column.width, 0) + COLUMN_GAP * (columns.length - 1);
};

describe('fitColumns', () => {
  it.each([
    [
      120,
      [
        'NAME',
        'STATE',
        'PID',
        'ATT',
        'UPTIME',
        'ITER',
        'IT/MIN',
        'CPU%',
        'MEM',
        'TOKENS',
        'COST',
        'PERM',
        'LAST EXIT',
      ],
    ],
    // 99 cells wide with NAME at its least: ATT goes first, then LAST EXIT.
    [
      98,
      [
        'NAME',
        'STATE',
        'PID',
        'UPTIME',
        'ITER',
        'IT/MIN',
        'CPU%',
        'MEM',
        'TOKENS',
        'COST',
        'PERM',
        'LAST EXIT',
      ],
    ],
    [80, ['NAME', 'STATE', 'PID', 'UPTIME', 'ITER', 'IT/MIN', 'CPU%', 'MEM', 'COST', 'PERM']],
    [60, ['NAME', 'STATE', 'UPTIME', 'ITER', 'CPU%', 'MEM', 'PERM']],
    [40, ['NAME', 'STATE', 'CPU%', 'MEM', 'PERM']],
    // Narrower than NAME and STATE: those two stay (the view truncates the line).
    [10, ['NAME', 'STATE']],
  ])('at %i columns keeps %j', (width, expected) => {
    expect(headers(width)).toEqual(expected);
  });

  it.each([120, 100, 80, 60, 40, 17])('never fills more than %i cells', (width) => {
    expect(used(width, ['a-rather-long-agent-name-indeed'])).toBeLessThanOrEqual(width);
  });

  it('NAME widens to the longest name, up to NAME_MAX_WIDTH, within the room left', () => {
    const name = (width: number, names: string[]) =>
      fitColumns(
        width,
        names.map((n) => ({ name: n })),
      ).find((column) => column.key === 'name')?.width;
    expect(name(120, ['ab'])).toBe(8); // its least
    expect(name(120, ['research-loop-2'])).toBe(15);
    expect(name(200, ['x'.repeat(80)])).toBe(NAME_MAX_WIDTH);
    // 60 columns keep 54 cells of columns: NAME may take 6 more, no more.
    expect(name(60, ['x'.repeat(80)])).toBe(14);
  });

  it('every column has a cell for a row without samples or usage', () => {
    const row: TopRow = {
      runId: 'r-1',
      name: 'idle',
      state: 'backoff',
      pid: null,
      attempt: 3,
      uptimeMs: null,
      iterations: 0,
      perMinute: null,
      cpuPercent: null,
      memoryBytes: null,
      memoryKind: 'rss',
      tokens: null,
      costUsd: null,
      costPartial: false,
      pending: 0,
      lastExit: 'crashed',
      active: true,
      createdAt: 0,
    };
    expect(TOP_COLUMNS.map((column) => column.cell(row))).toEqual([
      'idle',
      'backoff',
      '-',
      '3',
      '-',
      '0',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      'crashed',
    ]);
  });
});

describe('compact cells', () => {
  it.each([
    [0, '0'],
    [9999, '9999'],
    [10_000, '10.0k'],
    [123_456, '123.5k'],
    [4_500_000, '4.5M'],
  ])('compactCount(%i) is %s', (value, text) => {
    expect(compactCount(value)).toBe(text);
  });

  it.each([
    [0, '$0.00'],
    [0.0042, '$0.0042'],
    [0.01, '$0.01'],
    [12.345, '$12.35'],
  ])('compactCost(%d) is %s', (value, text) => {
    expect(compactCost(value)).toBe(text);
  });

  it.each([
    ['nothing reported', null, false, '-'],
    ['every report priced', 1.5, false, '$1.50'],
    ['some reports without a cost: at least', 0.0042, true, '$0.0042+'],
    ['no report priced: unknown', null, true, '?'],
  ] as const)('the COST cell, %s: %s', (_title, costUsd, costPartial, text) => {
    expect(costCell({ costUsd, costPartial })).toBe(text);
    expect(text.length).toBeLessThanOrEqual(TOP_COLUMNS.find((c) => c.key === 'costUsd')!.width);
  });
});
