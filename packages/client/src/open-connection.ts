import type { RpcConnection } from '@x/ipc';
import { CONTROL_MAX_FRAME_BYTES, connectRpc } from '@x/ipc/node';
import { DaemonUnavailableError } from './errors.js';

/**
 * connectRpc to `socketPath`, giving up after `timeoutMs`. A request over the control socket's
 * 1 MiB line (CONTROL_MAX_FRAME_BYTES) is refused at once, as a -32602 rejection naming its
 * size: the daemon would skip it and could not say which call it was.
 * @throws DaemonUnavailableError (as a rejection) naming the socket and the errno code.
 */
export async function openConnection(
  socketPath: string,
  timeoutMs: number,
): Promise<RpcConnection> {
  try {
    return await connectRpc(socketPath, { timeoutMs, maxFrameBytes: CONTROL_MAX_FRAME_BYTES });
  } catch (error) {
    throw new DaemonUnavailableError(
      socketPath,
      (error as NodeJS.ErrnoException | undefined)?.code,
      error,
    );
  }
}
