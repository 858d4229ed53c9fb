// The live view: TopFrame fed by a TopSession, with the keys.
import { useApp, useInput, useStdout } from 'ink';
import {
  createElement as h,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactElement,
} from 'react';
import { TopFrame } from './top-frame.js';
import { reduceKey, splitKeys, type TopEffect, type TopUi } from './top-keys.js';
import { filterRows, sortRows, toRows, type TopRow, type TopSort } from './top-rows.js';
import type { TopSession } from './top-session.js';

export const KEY_HELP =
  '↑↓ select   s sort   i invert   / filter   x stop   R restart   a approve   d deny   q quit';

export interface TopAppProps {
  session: TopSession;
  home: string;
  /** The order at start (`s`, `i` change it). */
  sort: TopSort;
  /** The name filter at start (`/` changes it). */
  filter: string;
}

/** Rows as shown: filtered by name, then sorted. */
export function visibleRows(
  rows: readonly TopRow[],
  filter: string,
  sort: TopSort,
): readonly TopRow[] {
  return sortRows(filterRows(rows, filter), sort);
}

export function TopApp({ session, home, sort, filter }: TopAppProps): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const size = useTerminalSize(stdout);
  useSyncExternalStore(
    (listener) => session.onChange(listener),
    () => session.version,
  );
  const [ui, setUi] = useState<TopUi>({
    sort,
    filter,
    editing: false,
    selectedId: null,
    confirm: null,
  });
  // Keys arriving in one chunk are handled one by one, each on the state the last one left.
  const latest = useRef(ui);
  latest.current = ui;

  const rows = visibleRows(toRows(session.state, Date.now()), ui.filter, ui.sort);
  const selected = rows.find((row) => row.runId === ui.selectedId) ?? rows[0] ?? null;
  useEffect(() => session.select(selected?.runId ?? null), [session, selected?.runId]);

  useInput((input, key) => {
    const context = {
      rows,
      pendingOf: (runId: string) => {
        const pending = session.state.runs.get(runId)?.pending;
        return pending === undefined ? undefined : [...pending.values()][0];
      },
    };
    let next = latest.current;
    for (const [typed, special] of splitKeys(input, key)) {
      const { ui: after, effect } = reduceKey(next, typed, special, context);
      next = after;
      if (effect?.type === 'quit') {
        exit();
        return;
      }
      if (effect !== undefined) {
        void perform(session, effect);
      }
    }
    latest.current = next;
    setUi(next);
  });

  const active = rows.filter((row) => row.active).length;
  const link = session.link === 'live' ? `event #${session.state.lastEventId}` : session.link;
  const known = selected === null ? undefined : session.state.runs.get(selected.runId);
  const logs = session.logs?.runId === selected?.runId ? (session.logs?.lines ?? null) : null;
  return h(TopFrame, {
    width: size.columns,
    height: size.rows - 1, // the last line stays free: Ink redraws in place only below a full screen
    title: `x top · ${home} · ${rows.length} runs (${active} active) · ${link}`,
    rows,
    sort: ui.sort,
    filter: ui.editing ? `${ui.filter}_` : ui.filter,
    selectedRunId: selected?.runId ?? null,
    detail: known === undefined ? null : { known, logs },
    footer: ui.editing
      ? `/${ui.filter}_   (Enter keeps it, Esc clears it)`
      : ui.confirm !== null
        ? ui.confirm.question
        : session.message === null
          ? KEY_HELP
          : `${session.message}   ·   ${KEY_HELP}`,
  });
}

/** Carries out a confirmed action (or shows a message). */
function perform(session: TopSession, effect: Exclude<TopEffect, { type: 'quit' }>): Promise<void> {
  switch (effect.type) {
    case 'say':
      session.say(effect.message);
      return Promise.resolve();
    case 'stop':
      return session.stop(effect.runId);
    case 'restart':
      return session.restart(effect.runId);
    case 'answer':
      return session.answer(effect.runId, effect.requestId, effect.decision);
  }
}

/** The terminal's size, updated on resize. */
function useTerminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
