import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { DEFAULT_SORT, parseSort } from './sort-option.js';
import { reduceKey, splitKeys, type TopKey, type TopUi } from './top-keys.js';
import type { TopRow } from './top-rows.js';

const row = (runId: string, active = true): TopRow => ({
  runId,
  name: runId.replace('r-', ''),
  state: active ? 'running' : 'exited',
  pid: null,
  attempt: 1,
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
  lastExit: null,
  active,
  createdAt: 0,
});

const rows = [row('r-a'), row('r-b'), row('r-done', false)];
const context = {
  rows,
  pendingOf: (runId: string) => (runId === 'r-b' ? { requestId: 'p-1', tool: 'shell' } : undefined),
};
const start: TopUi = {
  sort: DEFAULT_SORT,
  filter: '',
  editing: false,
  selectedId: null,
  confirm: null,
};

/** Feeds keys (text, or a special key) one after the other. */
function press(...keys: (string | TopKey)[]) {
  let ui = start;
  const effects: unknown[] = [];
  for (const key of keys) {
    const result =
      typeof key === 'string' ? reduceKey(ui, key, {}, context) : reduceKey(ui, '', key, context);
    ui = result.ui;
    if (result.effect !== undefined) {
      effects.push(result.effect);
    }
  }
  return { ui, effects };
}

describe('reduceKey', () => {
  it.each([
    ['↓ selects the next run', [{ downArrow: true }], 'r-b'],
    ['j j j stops at the last run', ['j', 'j', 'j'], 'r-done'],
    ['↑ at the top stays there', [{ upArrow: true }], 'r-a'],
    ['PageDown goes 10 down, to the last', [{ pageDown: true }], 'r-done'],
  ] as const)('%s', (_title, keys, selected) => {
    expect(press(...keys).ui.selectedId).toBe(selected);
  });

  it('a, then y, approves the selected run’s oldest pending request', () => {
    const { ui, effects } = press('j', 'a', 'y');
    expect(ui.confirm).toBeNull();
    expect(effects).toEqual([
      { type: 'answer', runId: 'r-b', requestId: 'p-1', decision: 'granted' },
    ]);
  });

  it('d asks first; any key but y cancels', () => {
    const asked = press('j', 'd');
    expect(asked.ui.confirm?.question).toBe('deny shell (p-1) for b (r-b)? y/n');
    expect(press('j', 'd', 'n').effects).toEqual([]);
    expect(press('j', 'd', { escape: true }).effects).toEqual([]);
  });

  it('a on a run with nothing pending says so and asks nothing', () => {
    const { ui, effects } = press('a');
    expect(ui.confirm).toBeNull();
    expect(effects).toEqual([{ type: 'say', message: 'a has no pending permission request' }]);
  });

  it.each([
    ['x y stops the selected run', ['x', 'y'], [{ type: 'stop', runId: 'r-a' }]],
    ['R y restarts it', ['R', 'y'], [{ type: 'restart', runId: 'r-a' }]],
    [
      'x on a finished run only says so',
      ['j', 'j', 'x'],
      [{ type: 'say', message: 'done is exited already' }],
    ],
    ['q quits', ['q'], [{ type: 'quit' }]],
    ['Esc quits', [{ escape: true }], [{ type: 'quit' }]],
  ] as const)('%s', (_title, keys, effects) => {
    expect(press(...keys).effects).toEqual(effects);
  });

  it('/ types a filter: q and x are text there; Backspace edits; Enter keeps it', () => {
    const { ui, effects } = press('/', 'q', 'x', 'z', { backspace: true }, { return: true });
    expect(effects).toEqual([]);
    expect(ui).toMatchObject({ filter: 'qx', editing: false });
  });

  it('Esc while typing clears the filter (and does not quit)', () => {
    const { ui, effects } = press('/', 'a', { escape: true });
    expect(effects).toEqual([]);
    expect(ui).toMatchObject({ filter: '', editing: false });
  });

  it('s sorts by the next column, i inverts the order', () => {
    expect(press('s').ui.sort).toEqual({ key: 'state', desc: false });
    expect(press('s', 's', 'i').ui.sort).toEqual({ key: 'pid', desc: false });
  });
});

describe('splitKeys', () => {
  it.each([
    ['one key as it came', 'q', {}, [['q', {}]]],
    [
      'keys typed together, CR as Enter',
      '/ab\r',
      {},
      [
        ['/', {}],
        ['a', {}],
        ['b', {}],
        ['', { return: true }],
      ],
    ],
    [
      'DEL as Backspace',
      'a\u007f',
      {},
      [
        ['a', {}],
        ['', { backspace: true }],
      ],
    ],
    [
      'an escape sequence stays whole',
      '\u001b[A',
      { upArrow: true },
      [['\u001b[A', { upArrow: true }]],
    ],
  ] as const)('%s', (_title, input, key, expected) => {
    expect(splitKeys(input, key)).toEqual(expected);
  });
});

describe('parseSort (--sort)', () => {
  it.each([
    [undefined, { key: 'name', desc: false }],
    ['cpu', { key: 'cpuPercent', desc: true }],
    ['-cpu', { key: 'cpuPercent', desc: false }],
    ['MEM', { key: 'memoryBytes', desc: true }],
    ['-name', { key: 'name', desc: true }],
    ['exit', { key: 'lastExit', desc: false }],
    ['it/min', { key: 'perMinute', desc: true }],
  ])('%j', (value, sort) => {
    expect(parseSort(value)).toEqual(sort);
  });

  it('an unknown column is a usage error naming it and the columns', () => {
    expect(() => parseSort('memory')).toThrow(CliError);
    expect(() => parseSort('memory')).toThrow(
      /--sort "memory" is not a column; use one of name, state, pid, att, uptime, iter, it\/min, cpu, mem, tokens, cost, perm, exit/,
    );
  });
});
