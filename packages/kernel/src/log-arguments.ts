import type { LogLevel } from '@x/ipc';
import { describeValue } from './describe-value.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';

/** The levels of `ctx.log`, as the protocol's `log.level` has them. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const LEVEL_LIST = LOG_LEVELS.map((level) => `'${level}'`).join(', ');

/**
 * Reads the arguments of `ctx.log(level, message)` or `ctx.log(message)` (level `info`).
 * A message longer than 65 536 characters is cut, with a marker saying so.
 * @throws TypeError naming the value received and the fix: no argument, more than two,
 *   a level that is not one of `debug`, `info`, `warn`, `error`, or a message that is not a
 *   string.
 */
export function readLogArguments(args: readonly unknown[]): {
  level: LogLevel;
  message: string;
} {
  if (args.length === 0) {
    throw new TypeError(
      "@x/kernel: ctx.log expects (level, message) or (message), got no arguments; e.g. ctx.log('info', 'started')",
    );
  }
  if (args.length > 2) {
    throw new TypeError(
      `@x/kernel: ctx.log takes (level, message), got ${args.length} arguments; join the parts into one message string`,
    );
  }
  const [first, second] = args;
  if (args.length === 1) {
    return { level: 'info', message: checkMessage(first, 'ctx.log(message)') };
  }
  if (!LOG_LEVELS.includes(first as LogLevel)) {
    throw new TypeError(
      `@x/kernel: ctx.log: level must be one of ${LEVEL_LIST}, got ${describeValue(first)}; call ctx.log(level, message), or ctx.log(message) for level 'info'`,
    );
  }
  return { level: first as LogLevel, message: checkMessage(second, 'ctx.log(level, message)') };
}

function checkMessage(message: unknown, call: string): string {
  if (typeof message !== 'string') {
    throw new TypeError(
      `@x/kernel: ${call}: message must be a string, got ${describeValue(message)}; pass String(value) or JSON.stringify(value)`,
    );
  }
  return boundText(message, MAX_TEXT_LENGTH);
}
