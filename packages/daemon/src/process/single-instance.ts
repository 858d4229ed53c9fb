import lockfile from 'proper-lockfile';
import { isProcessAlive, readDescriptor, removeDescriptor } from './descriptor.js';
import { fileIdentity, probeSocket, releaseSocketPath } from './socket-claim.js';
import type { StatePaths } from './state-dir.js';

// probeDaemon lives apart (no proper-lockfile): `x daemon status` loads it without the rest.
export { probeDaemon, type DaemonProbe } from './probe-daemon.js';

/**
 * Removes what a dead daemon left (its socket and descriptor), and nothing else: the socket
 * only if nobody listens on it and it is still the file found dead (a daemon starting meanwhile
 * claims a new one), the descriptor only if it names a process that is not running.
 * Returns what was removed.
 */
export async function removeStale(
  paths: StatePaths,
): Promise<{ socket: boolean; descriptor: boolean }> {
  const before = fileIdentity(paths.socketPath);
  const found = await probeSocket(paths.socketPath);
  let socket = false;
  if (found.state === 'refused' && before !== undefined) {
    socket = releaseSocketPath({ path: paths.socketPath, ...before });
  }
  const descriptor = readDescriptor(paths.descriptorPath);
  const dead = descriptor !== undefined && !isProcessAlive(descriptor.pid);
  if (dead && found.state !== 'listening') {
    removeDescriptor(paths.descriptorPath);
  }
  return { socket, descriptor: dead && found.state !== 'listening' };
}

/**
 * Takes the state directory's startup lock (`daemon.lock`, via proper-lockfile), so that two
 * daemons starting at once take turns at claiming the socket. Returns the release function.
 * The lock only orders start-ups: what keeps a second daemon out for the first one's whole
 * life is the socket it holds (see `claimSocketPath`).
 */
export async function acquireStartupLock(paths: StatePaths): Promise<() => Promise<void>> {
  return lockfile.lock(paths.home, {
    lockfilePath: `${paths.home}/daemon.lock`,
    stale: 10_000,
    retries: { retries: 40, minTimeout: 50, maxTimeout: 250 },
    realpath: false,
  });
}
