import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { probeDaemon, statePaths, type DaemonProbe } from '@x/daemon';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * How long the CLI waits for an answer to a call that does not wait on a run (status, lists,
 * logs, backlog pages, answers to permission requests): 30 000 ms. A daemon that does not
 * answer by then is reported (exit 1) rather than waited on forever.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Connects to the daemon serving `home`.
 * @throws CliError (exit 69, EX_UNAVAILABLE) naming the directory and how to start one.
 */
export async function connectDaemon(home: string): Promise<RpcConnection> {
  const paths = statePaths(home);
  try {
    return await connectRpc(paths.socketPath, { timeoutMs: 3000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ECONNREFUSED'
        ? 'no daemon is running'
        : `cannot reach the daemon (${(error as Error).message})`;
    throw new CliError(
      `x: ${why} for ${home}; start it with \`x daemon start\``,
      EXIT_CODES.UNAVAILABLE,
    );
  }
}

/** Runs `fn` with a daemon connection, closing it afterwards. */
export async function withDaemon<T>(
  home: string,
  fn: (connection: RpcConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectDaemon(home);
  try {
    return await fn(connection);
  } finally {
    connection.close();
  }
}

export function probe(home: string): Promise<DaemonProbe> {
  return probeDaemon(statePaths(home));
}
