import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { TOP_COLUMNS } from './top-columns.js';
import type { SortKey, TopSort } from './top-rows.js';

/** The order of `x top` without `--sort`: by name, A to Z. */
export const DEFAULT_SORT: TopSort = { key: 'name', desc: false };

/** Column names for `--sort`: the headers, lower case (`cpu`, `it/min`; LAST EXIT as `exit`). */
const SORT_NAMES: ReadonlyMap<string, SortKey> = new Map(
  TOP_COLUMNS.map((column) => [
    column.key === 'lastExit' ? 'exit' : column.header.toLowerCase().replace('%', ''),
    column.key,
  ]),
);

/**
 * `--sort cpu` (text columns ascending, numbers largest first), `--sort -name` reversed.
 * @throws CliError (exit 2, usage) naming the value and the column names.
 */
export function parseSort(value: string | undefined): TopSort {
  if (value === undefined) {
    return DEFAULT_SORT;
  }
  const reverse = value.startsWith('-');
  const name = (reverse ? value.slice(1) : value).toLowerCase();
  const key = SORT_NAMES.get(name);
  if (key === undefined) {
    throw new CliError(
      `x top: --sort ${JSON.stringify(value)} is not a column; use one of ${[...SORT_NAMES.keys()].join(', ')} (a leading - reverses it)`,
      EXIT_CODES.USAGE,
    );
  }
  const desc = !['name', 'state', 'lastExit'].includes(key);
  return { key, desc: reverse ? !desc : desc };
}
