import { connect, type Socket } from 'node:net';
import { createJsonlCodec } from '../core/jsonl-codec.js';
import { createRpcConnection, type RpcConnection } from '../rpc/connection.js';
import { createStreamChannel } from './stream-channel.js';

/** Options of {@link connectRpc}. */
export interface ConnectRpcOptions {
  /** Give up connecting after this many ms. @default 5000 */
  timeoutMs?: number;
  /** Largest JSON line accepted from the server, in bytes. @default 8 MiB */
  maxFrameBytes?: number;
}

/**
 * Connects to a JSON-RPC 2.0 server on a Unix socket, framed as JSON lines.
 * @throws Error with `code` `ENOENT` (no socket) or `ECONNREFUSED` (nobody listening), or a
 *   timeout error, as a rejection.
 */
export async function connectRpc(
  socketPath: string,
  options: ConnectRpcOptions = {},
): Promise<RpcConnection> {
  const socket = await openSocket(socketPath, options.timeoutMs ?? 5000);
  const channel = createStreamChannel<unknown, unknown>({
    readable: socket,
    codec: createJsonlCodec(
      options.maxFrameBytes === undefined ? undefined : { maxFrameBytes: options.maxFrameBytes },
    ),
  });
  return createRpcConnection(channel);
}

function openSocket(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        Object.assign(new Error(`@x/ipc: connecting to ${path} timed out after ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}
