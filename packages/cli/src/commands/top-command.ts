import ansiEscapes from 'ansi-escapes';
import { render, renderToString } from 'ink';
import { createElement as h } from 'react';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printJson } from '../output.js';
import { TopApp, visibleRows } from '../top/top-app.js';
import { TopFrame } from '../top/top-frame.js';
import { toRows } from '../top/top-rows.js';
import { parseSort } from '../top/sort-option.js';
import { TopSession } from '../top/top-session.js';

/** Options of `x top`. */
export interface TopOptions {
  home: string;
  json: boolean;
  /** Print one frame (or with `json`, the rows) and exit. */
  once: boolean;
  /** Columns of the `--once` frame; default: the terminal's, else $COLUMNS, else 120. */
  width?: number | undefined;
  /** A column name (`cpu`, `mem`, `name`…), `-` before it for descending. */
  sort?: string | undefined;
  /** Only runs whose name contains this (ignoring case). */
  filter?: string | undefined;
}

/** Width of a `--once` frame on a pipe without $COLUMNS: 120 (every column fits). */
const PIPE_WIDTH = 120;

/**
 * `x top`: the live view of the daemon's runs until `q` (returns 0); `--once`: one frame on
 * stdout (with `--json`, the rows as JSON).
 * @throws CliError (exit 2, usage) for an unknown `--sort`, or without `--once` when stdin or
 *   stdout is not a terminal; 69 when no daemon answers.
 */
export async function topCommand(options: TopOptions): Promise<number> {
  const sort = parseSort(options.sort);
  const filter = options.filter ?? '';
  if (!options.once && !(process.stdout.isTTY && process.stdin.isTTY)) {
    throw new CliError(
      `x top: the live view needs a terminal (${process.stdout.isTTY ? 'stdin' : 'stdout'} is not one); for a pipe or a script use \`x top --once\``,
      EXIT_CODES.USAGE,
    );
  }
  const session = new TopSession(options.home);
  try {
    await session.start();
  } catch (error) {
    session.close();
    throw error;
  }
  if (options.once) {
    try {
      const rows = visibleRows(toRows(session.state, Date.now()), filter, sort);
      if (options.json) {
        printJson(rows);
      } else {
        const width = options.width ?? terminalWidth();
        const frame = renderToString(
          h(TopFrame, {
            width,
            height: null,
            title: `x top · ${options.home} · ${rows.length} runs (${rows.filter((row) => row.active).length} active) · event #${session.state.lastEventId}`,
            rows,
            sort,
            filter,
            selectedRunId: null,
            detail: null,
            footer: null,
          }),
          { columns: width },
        );
        process.stdout.write(`${frame}\n`);
      }
    } finally {
      session.close();
    }
    return EXIT_CODES.OK;
  }
  process.stdout.write(ansiEscapes.enterAlternativeScreen);
  // Killed or hung up: leave as `q` does, so the terminal gets its screen and mode back.
  let unmount: (() => void) | undefined;
  const onSignal = () => unmount?.();
  // `on`, not `once`: Ink's signal-exit re-kills the process when it is the last listener.
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const app = render(h(TopApp, { session, home: options.home, sort, filter }), {
      exitOnCtrlC: true,
    });
    unmount = () => app.unmount();
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    session.close();
    process.stdout.write(ansiEscapes.exitAlternativeScreen);
  }
  return EXIT_CODES.OK;
}

function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns > 0) {
    return process.stdout.columns;
  }
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : PIPE_WIDTH;
}
