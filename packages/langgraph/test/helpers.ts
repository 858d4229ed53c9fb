import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoreOp, StoreOpResult } from '@x/ipc';
import { createSubprocessLauncher, silentLogger, startDaemon, type DaemonHandle } from '@x/daemon';
import type { RecordBatcher } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A short temp dir under /tmp (Unix socket paths must stay under 104 bytes). */
export function tempDir(prefix = 'x-lg-'): { path: string; remove(): void } {
  const path = mkdtempSync(`/tmp/${prefix}`);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real daemon on `home`, running agent modules in the kernel's pipe runner (subprocess). */
export function daemonAt(
  home: string,
  options: { recordsMaxBytes?: number } = {},
): Promise<DaemonHandle> {
  return startDaemon({
    home,
    launcher: createSubprocessLauncher({
      command: process.execPath,
      args: [`${FIXTURES}kernel-pipe.mjs`],
    }),
    logger: silentLogger,
    ...options,
  });
}

/**
 * A {@link RecordBatcher} over a running store-bridge agent: each batch goes through the
 * agent's `ctx.store`, a `store` message, the daemon and its SQLite, and back.
 */
export interface Bridge extends RecordBatcher {
  close(): void;
}

export async function bridgeAt(socketPath: string): Promise<Bridge> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const attempt = (left: number) => {
      const s = connect(socketPath);
      s.once('connect', () => resolve(s));
      s.once('error', (error) =>
        left > 0 ? setTimeout(() => attempt(left - 1), 50) : reject(error),
      );
    };
    attempt(100);
  });
  const pending = new Map<number, { resolve(r: StoreOpResult[]): void; reject(e: Error): void }>();
  let next = 0;
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const answer = JSON.parse(buffered.slice(0, end)) as {
        id: number;
        results?: StoreOpResult[];
        error?: string;
      };
      buffered = buffered.slice(end + 1);
      const waiting = pending.get(answer.id);
      pending.delete(answer.id);
      if (answer.error !== undefined) {
        waiting?.reject(new Error(answer.error));
      } else {
        waiting?.resolve(answer.results ?? []);
      }
    }
  });
  return {
    batch(ops: StoreOp[]) {
      next += 1;
      const id = next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.write(`${JSON.stringify({ id, ops })}\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

/** Starts a store-bridge agent on `daemon` and connects to it. */
export async function startBridge(daemon: DaemonHandle, dir: string): Promise<Bridge> {
  const socket = `${dir}/bridge.sock`;
  await daemon.supervisor.start({
    module: `${FIXTURES}store-bridge.mjs`,
    name: 'bridge',
    params: { socket },
    intervalMs: 0,
  });
  return bridgeAt(socket);
}
