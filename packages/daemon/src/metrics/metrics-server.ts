import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { MetricsAddress } from './metrics-address.js';

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** The address it listens on (the port chosen when 0 was asked for). */
  readonly address: MetricsAddress;
  close(): Promise<void>;
}

/**
 * Serves, over plain HTTP on `address` (GET and HEAD only, no body read):
 * - `/metrics`: `registry` in the Prometheus text format;
 * - `/healthz`: 200 `ok` while the daemon's event loop answers;
 * - `/readyz`: 200 `ok` while SQLite takes writes, else 503 with why (the persistence
 *   guard's last error, and since when);
 * anything else 404, another method 405. No authentication: listen on loopback (the default)
 * unless the network is trusted.
 * @throws the listen error (EADDRINUSE, EACCES, EADDRNOTAVAIL) with the address in its message.
 */
export async function startMetricsServer(
  address: MetricsAddress,
  registry: Registry,
  persistence: PersistenceGuard,
): Promise<MetricsServer> {
  // Loaded here: a daemon without --metrics never loads node:http (about 2.4 MiB of RSS in a
  // bare Node 20 process).
  const { createServer } = await import('node:http');
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(405, 'method not allowed: GET or HEAD\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        (error: Error) => send(500, `x: metrics failed: ${error.message}\n`),
      );
    } else if (path === '/healthz') {
      send(200, 'ok\n');
    } else if (path === '/readyz') {
      const health = persistence.health;
      if (health.ok) {
        send(200, 'ok\n');
      } else {
        const since = health.since === null ? '' : ` since ${new Date(health.since).toISOString()}`;
        send(
          503,
          `not ready: SQLite writes are failing${since} (${health.droppedWrites} write(s) lost): ${health.lastError ?? 'unknown error'}\n`,
        );
      }
    } else {
      send(404, 'not found: /metrics, /healthz or /readyz\n');
    }
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      error.message = `x: cannot serve metrics on ${address.host}:${address.port}: ${error.message}; pick another --metrics address`;
      reject(error);
    });
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: address.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
