import { connectRpc } from '@x/ipc/node';
import { readDescriptor, isProcessAlive, type DaemonDescriptor } from './descriptor.js';
import { probeSocket } from './socket-claim.js';
import type { StatePaths } from './state-dir.js';

/**
 * What is found in a state directory:
 * - `running`: a daemon holds the socket and answers `system.ping`.
 * - `unresponsive`: a process holds the socket (the kernel accepts connections for it) but
 *   does not answer within the timeout: stopped (SIGSTOP), swapping, blocked, or still
 *   starting. It is alive: no second daemon may start, and nothing of it may be removed.
 * - `stale`: a descriptor is left but nobody listens on the socket: the daemon died.
 * - `none`: no descriptor and no listener.
 */
export type DaemonProbe =
  | { status: 'running'; descriptor: DaemonDescriptor }
  | { status: 'unresponsive'; descriptor: DaemonDescriptor | undefined; why: string }
  | { status: 'stale'; descriptor: DaemonDescriptor | undefined; why: string }
  | { status: 'none' };

/**
 * Finds out whether a daemon serves this state directory. Whether one is there is decided by
 * the kernel (does a process listen on the socket?), never by a timeout; the timeout only
 * tells `running` from `unresponsive`.
 * @param timeoutMs how long `system.ping` may take, ms. @default 2000
 */
export async function probeDaemon(paths: StatePaths, timeoutMs = 2000): Promise<DaemonProbe> {
  const descriptor = readDescriptor(paths.descriptorPath);
  const socket = await probeSocket(paths.socketPath, timeoutMs);
  if (socket.state !== 'listening') {
    if (descriptor === undefined) {
      return { status: 'none' };
    }
    const pid = isProcessAlive(descriptor.pid)
      ? `pid ${descriptor.pid} is running but is not the daemon`
      : `pid ${descriptor.pid} is not running`;
    return {
      status: 'stale',
      descriptor,
      why: `nobody listens on ${paths.socketPath} (${socket.state === 'absent' ? 'no socket file' : 'connection refused'}); ${pid}`,
    };
  }
  try {
    const connection = await connectRpc(paths.socketPath, { timeoutMs });
    try {
      await connection.request('system.ping', undefined, { timeoutMs });
    } finally {
      connection.close();
    }
    // Read again: a daemon that was starting when the first read was made has written its own
    // descriptor by the time it answers (it serves only after writing it).
    const current = readDescriptor(paths.descriptorPath);
    if (current !== undefined) {
      return { status: 'running', descriptor: current };
    }
    return { status: 'unresponsive', descriptor, why: 'it has not written daemon.json yet' };
  } catch (error) {
    const who = descriptor === undefined ? 'a process' : `the daemon (pid ${descriptor.pid})`;
    return {
      status: 'unresponsive',
      descriptor,
      why: `${who} holds ${paths.socketPath} but did not answer system.ping within ${timeoutMs} ms (${(error as Error).message}): it may be stopped (SIGSTOP), swapping, or busy${socket.detail === undefined ? '' : `; ${socket.detail}`}`,
    };
  }
}
