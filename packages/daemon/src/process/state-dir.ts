import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_SOCKET_PATH_BYTES } from '../constants.js';
import { DAEMON_ERROR_CODES, DaemonError } from '../errors.js';

/** Every path the daemon uses inside its state directory. */
export interface StatePaths {
  home: string;
  /** JSON-RPC control socket (mode 0600). */
  socketPath: string;
  /** `daemon.json`: pid, socket, version, start time; written after the socket is bound. */
  descriptorPath: string;
  /** SQLite database with `agent_runs` and `agent_iterations`. */
  dbPath: string;
  /** Per-run log files. */
  logsDir: string;
  /** The detached daemon's own stdout/stderr. */
  daemonLogPath: string;
}

/** The paths of the state directory `home` (nothing is created). */
export function statePaths(home: string): StatePaths {
  const root = resolve(home);
  return {
    home: root,
    socketPath: join(root, 'x.sock'),
    descriptorPath: join(root, 'daemon.json'),
    dbPath: join(root, 'x.db'),
    logsDir: join(root, 'logs'),
    daemonLogPath: join(root, 'daemon.log'),
  };
}

/**
 * Creates the state directory with mode 0700 (and tightens an existing one we own).
 * @throws DaemonError X_DAEMON_SOCKET_PATH_TOO_LONG when the socket path would not fit a
 *   Unix socket address (104 bytes); X_DAEMON_STATE_DIR when the directory cannot be made.
 */
export function ensureStateDir(paths: StatePaths): void {
  const socketBytes = Buffer.byteLength(paths.socketPath);
  if (socketBytes > MAX_SOCKET_PATH_BYTES) {
    throw new DaemonError(
      DAEMON_ERROR_CODES.SOCKET_PATH_TOO_LONG,
      `x: the control socket path ${paths.socketPath} is ${socketBytes} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte limit of Unix socket addresses; set X_HOME (or --home) to a shorter directory`,
    );
  }
  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    if (statSync(paths.home).uid === process.getuid?.()) {
      chmodSync(paths.home, 0o700);
    }
    mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new DaemonError(
      DAEMON_ERROR_CODES.STATE_DIR,
      `x: cannot create the state directory ${paths.home}: ${(cause as Error).message}; set X_HOME (or --home) to a writable directory`,
      { cause },
    );
  }
}
