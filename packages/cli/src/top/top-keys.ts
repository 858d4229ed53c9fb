import { nextSort, type TopRow, type TopSort } from './top-rows.js';

/** What the keys of `x top` change: the order, the filter, the selection, a pending y/n. */
export interface TopUi {
  sort: TopSort;
  filter: string;
  /** True while `/` is typing the filter. */
  editing: boolean;
  selectedId: string | null;
  /** An action waiting for `y` (any other key cancels it). */
  confirm: { question: string; action: TopAction } | null;
}

/** An action on a run, carried out once confirmed. */
export type TopAction =
  | { type: 'stop'; runId: string }
  | { type: 'restart'; runId: string }
  | { type: 'answer'; runId: string; requestId: string; decision: 'granted' | 'denied' };

/** What a key does besides changing {@link TopUi}. */
export type TopEffect = TopAction | { type: 'quit' } | { type: 'say'; message: string };

/** The keys Ink reports besides the text typed (a subset of its `Key`). */
export interface TopKey {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** What the keys need to know of the screen. */
export interface TopKeyContext {
  /** The rows as shown (filtered and sorted). */
  rows: readonly TopRow[];
  /** The oldest pending permission request of a run, if any. */
  pendingOf(runId: string): { requestId: string; tool: string } | undefined;
}

/** Rows moved by PageUp/PageDown: 10. */
const PAGE = 10;

/**
 * The effect of one key (`input`: the text typed, one character, or `''` for a special key):
 * ↑↓ (k j) PageUp PageDown move the selection, `s` sorts by the next column, `i` inverts the
 * order, `/` types a filter (Enter keeps it, Esc clears it), `x` stop, `R` restart, `a`
 * approve and `d` deny the selected run's oldest pending request, each after a `y`; `q` or
 * Esc quits. Pure: the caller carries out the effect.
 */
export function reduceKey(
  ui: TopUi,
  input: string,
  key: TopKey,
  context: TopKeyContext,
): { ui: TopUi; effect?: TopEffect } {
  if (ui.confirm !== null) {
    const confirmed = input === 'y' || input === 'Y';
    return { ui: { ...ui, confirm: null }, ...(confirmed ? { effect: ui.confirm.action } : {}) };
  }
  if (ui.editing) {
    if (key.return) {
      return { ui: { ...ui, editing: false } };
    }
    if (key.escape) {
      return { ui: { ...ui, editing: false, filter: '' } };
    }
    if (key.backspace || key.delete) {
      return { ui: { ...ui, filter: ui.filter.slice(0, -1) } };
    }
    return key.ctrl || key.meta || input === ''
      ? { ui }
      : { ui: { ...ui, filter: ui.filter + input } };
  }
  const { rows } = context;
  const index = Math.max(
    0,
    rows.findIndex((row) => row.runId === ui.selectedId),
  );
  const move = (to: number) => ({
    ui: { ...ui, selectedId: rows[Math.max(0, Math.min(rows.length - 1, to))]?.runId ?? null },
  });
  if (input === 'q' || key.escape) {
    return { ui, effect: { type: 'quit' } };
  }
  if (key.upArrow || input === 'k') {
    return move(index - 1);
  }
  if (key.downArrow || input === 'j') {
    return move(index + 1);
  }
  if (key.pageUp) {
    return move(index - PAGE);
  }
  if (key.pageDown) {
    return move(index + PAGE);
  }
  if (input === 's') {
    return { ui: { ...ui, sort: nextSort(ui.sort) } };
  }
  if (input === 'i') {
    return { ui: { ...ui, sort: { ...ui.sort, desc: !ui.sort.desc } } };
  }
  if (input === '/') {
    return { ui: { ...ui, editing: true } };
  }
  const selected = rows[index];
  if (selected === undefined) {
    return { ui };
  }
  const ask = (question: string, action: TopAction) => ({
    ui: { ...ui, selectedId: selected.runId, confirm: { question, action } },
  });
  const run = `${selected.name} (${selected.runId})`;
  if (input === 'x') {
    return selected.active
      ? ask(`stop ${run}? y/n`, { type: 'stop', runId: selected.runId })
      : { ui, effect: { type: 'say', message: `${selected.name} is ${selected.state} already` } };
  }
  if (input === 'R') {
    return ask(`restart ${run} (a new attempt)? y/n`, {
      type: 'restart',
      runId: selected.runId,
    });
  }
  if (input === 'a' || input === 'd') {
    const request = context.pendingOf(selected.runId);
    if (request === undefined) {
      return {
        ui,
        effect: { type: 'say', message: `${selected.name} has no pending permission request` },
      };
    }
    const decision = input === 'a' ? 'granted' : 'denied';
    return ask(
      `${input === 'a' ? 'approve' : 'deny'} ${request.tool} (${request.requestId}) for ${run}? y/n`,
      { type: 'answer', runId: selected.runId, requestId: request.requestId, decision },
    );
  }
  return { ui };
}

/**
 * The keys of one chunk of input: Ink reports a chunk as one key, but keys typed fast (or
 * sent by a script) arrive together (`/ask\r`); text is split into characters, with CR as
 * Enter and DEL as Backspace. A chunk with an escape sequence is one key, as Ink parsed it.
 */
export function splitKeys(input: string, key: TopKey): [string, TopKey][] {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) {
    return [[input, key]];
  }
  return [...input].map((char): [string, TopKey] =>
    char === '\r' || char === '\n'
      ? ['', { return: true }]
      : char === '\u007f' || char === '\b'
        ? ['', { backspace: true }]
        : [char, {}],
  );
}
