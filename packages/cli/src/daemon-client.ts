import { accessSync, constants, statSync } from 'node:fs';
import { connect, DaemonUnavailableError, socketPathOf, type XClient } from '@x/client';
import { probeDaemon, statePaths, type DaemonProbe } from '@x/daemon/light';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * How long the CLI waits for an answer to a call that does not wait on a run (status, lists,
 * logs, backlog pages, answers to permission requests): 30 000 ms. A daemon that does not
 * answer by then is reported (exit 1) rather than waited on forever.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A client (@x/client) of the daemon serving `home`: what every client command uses.
 * @throws CliError (exit 69, EX_UNAVAILABLE) naming the directory and how to start one; for a
 *   socket this user may not connect to (EACCES, EPERM), naming its owner instead (`data.code`
 *   is then that errno code).
 */
export async function connectClient(home: string): Promise<XClient> {
  const socketPath = socketPathOf(home);
  try {
    return await connect({ socketPath, timeoutMs: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw unreachable(
      home,
      socketPath,
      error instanceof DaemonUnavailableError ? error.cause : error,
    );
  }
}

/**
 * A bare JSON-RPC connection to the daemon serving `home`, for a caller that handles
 * notifications itself (`x top`); everything else uses {@link connectClient}.
 * @throws CliError as {@link connectClient} does.
 */
export async function connectDaemon(home: string): Promise<RpcConnection> {
  const socketPath = socketPathOf(home);
  try {
    return await connectRpc(socketPath, { timeoutMs: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw unreachable(home, socketPath, error);
  }
}

/** How long connecting to the daemon may take: 3000 ms. */
const CONNECT_TIMEOUT_MS = 3000;

/** The CliError (exit 69) of a connect to `socketPath` that failed with `error`. */
function unreachable(home: string, socketPath: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new CliError(permissionDenied(socketPath, code), EXIT_CODES.UNAVAILABLE, { code });
  }
  const why =
    code === 'ENOENT' || code === 'ECONNREFUSED'
      ? 'no daemon is running'
      : `cannot reach the daemon (${(error as Error).message})`;
  return new CliError(
    `x: ${why} for ${home}; start it with \`x daemon start\``,
    EXIT_CODES.UNAVAILABLE,
  );
}

/**
 * Why a connect was refused with EACCES/EPERM: the socket (mode 0600) is another user's, whose
 * daemon this user may not talk to; starting a second daemon there is no fix. Names the
 * socket's owner uid when the file can be stat()ed.
 */
function permissionDenied(socketPath: string, code: string): string {
  const uid = process.getuid?.();
  let owner: number | undefined;
  let mode = '';
  try {
    const stat = statSync(socketPath);
    owner = stat.uid;
    mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    // Its directory is closed to this user too: the owner stays unnamed.
  }
  const you = uid === undefined ? '' : ` (you are uid ${uid})`;
  if (owner !== undefined && owner === uid) {
    return `x: permission denied (connect ${code}) on the daemon socket ${socketPath}: it is yours but its mode ${mode} lets nobody connect (a daemon makes it 0600); see who changed it, then \`chmod 600 ${socketPath}\``;
  }
  const whose =
    owner === undefined
      ? `it, or its directory, belongs to another user${you}`
      : `it belongs to uid ${owner}${you}, and only its owner may talk to that daemon`;
  return `x: permission denied (connect ${code}) on the daemon socket ${socketPath}: ${whose}; run x as that user, or, for runs of your own, use a state directory of yours (--home <dir> or X_HOME)`;
}

/** True for the error of {@link connectClient} when the socket is not this user's to use. */
export function isPermissionDenied(error: unknown): boolean {
  const code =
    error instanceof CliError ? (error.data as { code?: unknown } | undefined)?.code : undefined;
  return code === 'EACCES' || code === 'EPERM';
}

/** Runs `fn` with a client of the daemon (@x/client), closing it afterwards. */
export async function withDaemon<T>(home: string, fn: (client: XClient) => Promise<T>): Promise<T> {
  const client = await connectClient(home);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/**
 * What serves `home` (see probeDaemon), for `daemon start`, `stop` and `status`.
 * @throws CliError (exit 69) as {@link connectDaemon} does when the socket is another user's:
 *   such a daemon is neither "not running" nor "unresponsive", and no second one may start.
 */
export function probe(home: string): Promise<DaemonProbe> {
  const paths = statePaths(home);
  refuseForeignSocket(paths.socketPath);
  return probeDaemon(paths);
}

/**
 * Throws the EACCES/EPERM error of {@link connectDaemon} when this user may not connect to
 * `socketPath` (connecting to a Unix socket needs write permission on it, and search
 * permission on its directories). A missing socket is no error here.
 */
function refuseForeignSocket(socketPath: string): void {
  try {
    accessSync(socketPath, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CliError(permissionDenied(socketPath, code), EXIT_CODES.UNAVAILABLE, { code });
    }
  }
}
