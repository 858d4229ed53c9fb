// @x/ipc/node, not @x/ipc: this module loads with every command, and the main entry of @x/ipc
// loads the protocol schemas (TypeBox, ~220 modules).
import { isRpcError, RPC_ERROR_CODES } from '@x/ipc/node';
import { EXIT_CODES } from './exit-codes.js';
import { describeStartFailure, isConfigFailure, type FailedRun } from './start-failure.js';

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
 * command (even `--help`), and importing @x/daemon here would load SQLite and TypeBox with it.
 */
const START_FAILED = -32003;

/** The one place where errors become exit codes and messages. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) {
    return error;
  }
  if (isRpcError(error)) {
    if (error.code === START_FAILED) {
      // A start that failed, in setup included: 78 for a configuration error, else 1.
      const run = (error.data as { run?: FailedRun } | undefined)?.run;
      return new CliError(
        describeStartFailure(error.message, run),
        isConfigFailure(run) ? EXIT_CODES.CONFIG : EXIT_CODES.FAILURE,
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
