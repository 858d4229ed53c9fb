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
  /** Where to bind (the daemon binds a private name, then links it to `x.sock`). */
  socketPath: string;
  logger: Logger;
}

/**
 * The daemon's JSON-RPC 2.0 server on a Unix socket (mode 0600), one JSON value per line.
 * Garbage gets `-32700`/`-32600` answers and the connection keeps serving; a line over
 * 1 MiB is skipped with `-32600`. At most 128 connections at once. Connections accepted
 * before {@link ControlServer.serve} wait (unread) until it is called, so the socket can be
 * bound first, as the daemon's claim on its state directory, and served once start-up ends.
 */
export class ControlServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #register: ((connection: RpcConnection, socket: Socket) => void) | undefined;
  readonly #waiting: Socket[] = [];

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

  /**
   * Starts answering: `register` puts the methods on each connection (`socket` is its socket,
   * for its write buffer); connections that arrived meanwhile are served in order.
   */
  serve(register: (connection: RpcConnection, socket: Socket) => void): void {
    this.#register = register;
    for (const socket of this.#waiting.splice(0)) {
      if (!socket.destroyed) {
        this.#connect(socket, register);
        socket.resume();
      }
    }
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (this.#register === undefined) {
      socket.pause();
      this.#waiting.push(socket);
      return;
    }
    this.#connect(socket, this.#register);
  }

  #connect(socket: Socket, register: (connection: RpcConnection, socket: Socket) => void): void {
    const channel = createStreamChannel<unknown, unknown>({
      readable: socket,
      codec: createJsonlCodec({ maxFrameBytes: CONTROL_MAX_FRAME_BYTES }),
    });
    const connection = createRpcConnection(channel);
    register(connection, socket);
  }
}
