// The frame of `x top` as Ink elements, from plain props: the live view and `--once` both
// render it. React.createElement stands in for JSX so that the package needs no JSX build.
import { Box, Text } from 'ink';
import { createElement as h, type ReactElement } from 'react';
import { formatTime, oneLine } from '../output.js';
import { COLUMN_GAP, TOP_COLUMNS, fitColumns, type FittedColumn } from './top-columns.js';
import type { TopRow, TopSort } from './top-rows.js';
import type { TopRun } from './top-state.js';

/** What one frame shows. */
export interface TopFrameProps {
  /** Terminal columns. */
  width: number;
  /** Terminal rows, or null for `--once` (every row, no detail pane, no key help). */
  height: number | null;
  /** The first header line (the daemon, the number of runs, the link). */
  title: string;
  rows: readonly TopRow[];
  sort: TopSort;
  filter: string;
  selectedRunId: string | null;
  /** The selected run in full, with its log lines, for the detail pane. */
  detail: { known: TopRun; logs: readonly string[] | null } | null;
  /** The last line: key help, a prompt, or a message. */
  footer: string | null;
}

/** Rows of the detail pane (its title, requests, events and log lines) at most: 14. */
const DETAIL_MAX_ROWS = 14;

export function TopFrame(props: TopFrameProps): ReactElement {
  const columns = fitColumns(props.width, props.rows);
  const detailRows =
    props.height === null || props.detail === null
      ? 0
      : Math.min(DETAIL_MAX_ROWS, Math.max(0, Math.floor((props.height - 4) / 2)));
  const bodyRows =
    props.height === null
      ? props.rows.length
      : Math.max(1, props.height - 2 - detailRows - (props.footer === null ? 0 : 1));
  const selected = props.rows.findIndex((row) => row.runId === props.selectedRunId);
  // Scroll so that the selected row stays on screen.
  const first = Math.max(0, selected - bodyRows + 1);
  const shown = props.rows.slice(first, first + bodyRows);
  // Named even when its column was dropped for lack of room.
  const sortName =
    TOP_COLUMNS.find((column) => column.key === props.sort.key)?.header ?? props.sort.key;
  const status = [
    `sort ${sortName} ${props.sort.desc ? '↓' : '↑'}`,
    props.filter === '' ? '' : `filter "${props.filter}"`,
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    Box,
    { flexDirection: 'column', width: props.width },
    line(`${props.title}${status === '' ? '' : ` · ${status}`}`, { bold: true }),
    headerRow(columns, props.sort),
    ...shown.map((row) => tableRow(columns, row, row.runId === props.selectedRunId)),
    ...(props.height === null ? [] : fill(bodyRows - shown.length, 'body')),
    ...(detailRows > 0 && props.detail !== null
      ? detailPane(props.detail, detailRows, props.width)
      : []),
    ...(props.footer === null ? [] : [line(props.footer, { dimColor: true }, 'footer')]),
  );
}

function line(text: string, style: Record<string, boolean> = {}, key?: string): ReactElement {
  // Tabs and line breaks would break the grid: one line each.
  return h(Text, { key, wrap: 'truncate-end', ...style }, text.replace(/[\t\r\n]+/g, ' '));
}

function fill(count: number, prefix: string): ReactElement[] {
  return Array.from({ length: Math.max(0, count) }, (_, index) =>
    h(Text, { key: `${prefix}-${index}` }, ' '),
  );
}

function cell(
  column: FittedColumn,
  text: string,
  last: boolean,
  style: Record<string, unknown>,
): ReactElement {
  return h(
    Box,
    {
      key: column.key,
      width: column.width,
      marginRight: last ? 0 : COLUMN_GAP,
      flexShrink: 0,
      justifyContent: column.align === 'right' ? 'flex-end' : 'flex-start',
    },
    h(
      Text,
      { wrap: column.truncate === 'middle' ? 'truncate-middle' : 'truncate-end', ...style },
      text,
    ),
  );
}

function headerRow(columns: FittedColumn[], sort: TopSort): ReactElement {
  return h(
    Box,
    { key: 'header' },
    ...columns.map((column, index) =>
      cell(column, column.header, index === columns.length - 1, {
        bold: true,
        underline: column.key === sort.key,
      }),
    ),
  );
}

function tableRow(columns: FittedColumn[], row: TopRow, selected: boolean): ReactElement {
  const style = { inverse: selected, color: stateColor(row) };
  return h(
    Box,
    { key: row.runId },
    ...columns.map((column, index) =>
      cell(column, oneLine(column.cell(row), 200), index === columns.length - 1, style),
    ),
  );
}

function stateColor(row: TopRow): string | undefined {
  if (row.pending > 0) {
    return 'yellow';
  }
  switch (row.state) {
    case 'running':
      return 'green';
    case 'backoff':
    case 'failed':
      return 'red';
    case 'exited':
      return 'gray';
    default:
      return undefined;
  }
}

/** The selected run: what it is, its pending requests, its newest events and log lines. */
function detailPane(
  detail: NonNullable<TopFrameProps['detail']>,
  rows: number,
  width: number,
): ReactElement[] {
  const { run } = detail.known;
  const lines: string[] = [];
  const exit = run.exit === null ? '' : ` · last exit ${run.exit.reason}: ${run.exit.explanation}`;
  const title = `── ${run.name} (${run.runId}) ${run.state} · attempt ${run.attempt}${exit} `;
  for (const request of detail.known.pending.values()) {
    lines.push(
      `⚠ permission ${request.requestId}: ${request.tool}${request.rationale === null ? '' : ` (${request.rationale})`} — a approve, d deny`,
    );
  }
  const room = Math.max(0, rows - 1 - lines.length);
  const events = detail.known.recent.map(
    (event) => `#${event.id} ${formatTime(event.at).slice(11, 19)} ${event.type} ${event.text}`,
  );
  const logs = (detail.logs ?? []).map((text) => `│ ${text}`);
  // Half the room for events, the rest for log lines (either takes what the other leaves).
  const logRoom = Math.min(logs.length, Math.max(room - events.length, Math.ceil(room / 2)));
  const eventRoom = Math.min(events.length, room - logRoom);
  lines.push(...events.slice(events.length - eventRoom));
  lines.push(...(logRoom === 0 ? [] : logs.slice(logs.length - logRoom)));
  return [
    line(title.padEnd(width, '─'), { bold: true }, 'detail-title'),
    ...lines.slice(0, rows - 1).map((text, index) => line(text, {}, `detail-${index}`)),
    ...fill(rows - 1 - lines.length, 'detail-fill'),
  ];
}
