import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createJsonlCodec, createRpcConnection, type RpcConnection } from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';
import {
  CONTROL_CLOSE_GRACE_MS,
  CONTROL_MAX_CONNECTIONS,
  CONTROL_MAX_FRAME_BYTES,
} from '../constants.js';
import type { Logger } from '../process/logger.js';

/** Options of {@link ControlServer}. */
export interface ControlServerOptions {
  socketPath: string;
  /** Registers the methods on each new connection (`socket` is its socket, for its write buffer). */
  register(connection: RpcConnection, socket: Socket): void;
  logger: Logger;
}

/**
 * The daemon's JSON-RPC 2.0 server on a Unix socket (mode 0600), one JSON value per line.
 * Garbage gets `-32700`/`-32600` answers and the connection keeps serving; a line over
 * 1 MiB is skipped with `-32600`. At most 128 connections at once.
 */
export class ControlServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly options: ControlServerOptions) {
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.maxConnections = CONTROL_MAX_CONNECTIONS;
  }

  /** Binds the socket. Rejects with the listen error (EADDRINUSE, EACCES…). */
  listen(): Promise<void> {
    const { socketPath } = this.options;
    return new Promise((resolve, reject) => {
      // The socket is created with mode 0600: only this user may connect.
      const previous = process.umask(0o177);
      this.#server.once('error', (error) => {
        process.umask(previous);
        reject(error);
      });
      this.#server.listen(socketPath, () => {
        process.umask(previous);
        chmodSync(socketPath, 0o600);
        resolve();
      });
    });
  }

  /**
   * Stops accepting and ends every connection after what is written to it (the last events of
   * a subscriber); a peer that has not read it within 1000 ms (CONTROL_CLOSE_GRACE_MS) has
   * its socket destroyed. Resolves when every connection is closed.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.#sockets) {
        socket.end();
        setTimeout(() => socket.destroy(), CONTROL_CLOSE_GRACE_MS).unref();
      }
      this.#server.close(() => resolve());
    });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const channel = createStreamChannel<unknown, unknown>({
      readable: socket,
      codec: createJsonlCodec({ maxFrameBytes: CONTROL_MAX_FRAME_BYTES }),
    });
    const connection = createRpcConnection(channel);
    this.options.register(connection, socket);
  }
}
