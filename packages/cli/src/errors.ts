import { isRpcError, RPC_ERROR_CODES } from '@x/ipc';
import { EXIT_CODES } from './exit-codes.js';

/** An error the CLI reports as is: message to stderr, then exit with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_CODES.FAILURE,
    readonly data?: unknown,
  ) {
    super(message);
  }
}
CliError.prototype.name = 'CliError';

/**
 * DAEMON_RPC_CODES.START_FAILED of @x/daemon, copied: this module loads with every `x`
 * command (even `--help`), and importing @x/daemon here would load SQLite and execa with it.
 */
const START_FAILED = -32003;

/** The one place where errors become exit codes and messages. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) {
    return error;
  }
  if (isRpcError(error)) {
    if (error.code === START_FAILED) {
      const run = (
        error.data as { run?: { exit?: { reason?: string; stderrTail?: string } } } | undefined
      )?.run;
      const tail = run?.exit?.stderrTail?.trim();
      const message = tail
        ? `${error.message}\n--- runner stderr (tail) ---\n${tail}`
        : error.message;
      return new CliError(
        message,
        run?.exit?.reason === 'config_error' ? EXIT_CODES.CONFIG : EXIT_CODES.FAILURE,
        error.data,
      );
    }
    if (
      error.code === RPC_ERROR_CODES.CONNECTION_CLOSED ||
      error.code === RPC_ERROR_CODES.REQUEST_TIMEOUT
    ) {
      return new CliError(
        `x: lost the connection to the daemon: ${error.message}`,
        EXIT_CODES.UNAVAILABLE,
      );
    }
    return new CliError(error.message, EXIT_CODES.FAILURE, { code: error.code, data: error.data });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('X_')) {
    return new CliError((error as Error).message, EXIT_CODES.FAILURE);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return new CliError(
    `x: internal error; please report it with this output:\n${detail}`,
    EXIT_CODES.SOFTWARE,
  );
}
