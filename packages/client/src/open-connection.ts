import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { DaemonUnavailableError } from './errors.js';

/**
 * connectRpc to `socketPath`, giving up after `timeoutMs`.
 * @throws DaemonUnavailableError (as a rejection) naming the socket and the errno code.
 */
export async function openConnection(
  socketPath: string,
  timeoutMs: number,
): Promise<RpcConnection> {
  try {
    return await connectRpc(socketPath, { timeoutMs });
  } catch (error) {
    throw new DaemonUnavailableError(
      socketPath,
      (error as NodeJS.ErrnoException | undefined)?.code,
      error,
    );
  }
}
