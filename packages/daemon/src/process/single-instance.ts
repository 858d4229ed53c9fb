import { rmSync } from 'node:fs';
import { connectRpc } from '@x/ipc/node';
import lockfile from 'proper-lockfile';
import {
  isProcessAlive,
  readDescriptor,
  removeDescriptor,
  type DaemonDescriptor,
} from './descriptor.js';
import type { StatePaths } from './state-dir.js';

/** What is found in a state directory. */
export type DaemonProbe =
  | { status: 'running'; descriptor: DaemonDescriptor }
  | { status: 'stale'; descriptor: DaemonDescriptor | undefined; why: string }
  | { status: 'none' };

/**
 * Finds out whether a daemon serves this state directory: its descriptor names a live pid
 * and its socket answers `system.ping` within `timeoutMs`.
 */
export async function probeDaemon(paths: StatePaths, timeoutMs = 2000): Promise<DaemonProbe> {
  const descriptor = readDescriptor(paths.descriptorPath);
  if (descriptor === undefined) {
    return { status: 'none' };
  }
  if (!isProcessAlive(descriptor.pid)) {
    return { status: 'stale', descriptor, why: `pid ${descriptor.pid} is not running` };
  }
  try {
    const connection = await connectRpc(descriptor.socketPath, { timeoutMs });
    try {
      await connection.request('system.ping', undefined, { timeoutMs });
    } finally {
      connection.close();
    }
    return { status: 'running', descriptor };
  } catch (error) {
    return {
      status: 'stale',
      descriptor,
      why: `socket ${descriptor.socketPath} does not answer: ${(error as Error).message}`,
    };
  }
}

/** Removes the descriptor and socket a dead daemon left behind. */
export function cleanStale(paths: StatePaths): void {
  removeDescriptor(paths.descriptorPath);
  rmSync(paths.socketPath, { force: true });
}

/**
 * Takes the state directory's startup lock (`daemon.lock`, via proper-lockfile), so that
 * two daemons starting at once cannot both bind. Returns the release function.
 * The lock is held only while starting; afterwards the live descriptor + socket are the
 * proof that a daemon runs.
 */
export async function acquireStartupLock(paths: StatePaths): Promise<() => Promise<void>> {
  return lockfile.lock(paths.home, {
    lockfilePath: `${paths.home}/daemon.lock`,
    stale: 10_000,
    retries: { retries: 40, minTimeout: 50, maxTimeout: 250 },
    realpath: false,
  });
}
