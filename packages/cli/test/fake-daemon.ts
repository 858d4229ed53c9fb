import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createJsonlCodec, createRpcConnection } from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';

/** A method of the fake daemon: params in, result out (throw an RpcError to answer an error). */
export type FakeMethod = (params: Record<string, unknown>) => unknown;

/** What {@link startFakeDaemon} gives: the calls it answered, in order. */
export interface FakeDaemon {
  calls: { method: string; params: Record<string, unknown> }[];
  close(): Promise<void>;
}

/**
 * A JSON-RPC server on `<home>/x.sock` that answers `methods` as the daemon of a contract not
 * yet built would (pages of `agent.list`, `currentIteration`, …). It stands in only where the
 * real daemon cannot yet answer; every other behaviour is tested against the real one. The
 * CLI talks to it through the real socket and codec.
 */
export async function startFakeDaemon(
  home: string,
  methods: Record<string, FakeMethod>,
): Promise<FakeDaemon> {
  const socketPath = join(home, 'x.sock');
  rmSync(socketPath, { force: true });
  const calls: FakeDaemon['calls'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = createRpcConnection(
      createStreamChannel({ readable: socket, codec: createJsonlCodec() }),
    );
    for (const [method, answer] of Object.entries(methods)) {
      connection.onRequest(method, (params: unknown) => {
        const given = (params ?? {}) as Record<string, unknown>;
        calls.push({ method, params: given });
        return answer(given);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** A RunRecord as `agent.list` / `agent.status` send it, with `overrides`. */
export function fakeRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    runId: 'r-00000001',
    name: 'fake',
    module: '/agents/fake.mjs',
    params: {},
    options: {
      kind: 'agent',
      command: null,
      intervalMs: 1000,
      maxIterations: null,
      stopBudget: { ipcMs: 2000, sigtermMs: 3000 },
      codec: 'jsonl',
      cwd: '/',
      env: {},
      restart: { mode: 'no' },
      maxMemoryMb: null,
    },
    launcher: 'subprocess',
    state: 'exited',
    pid: 1234,
    pgid: 1234,
    createdAt: now - 60_000,
    readyAt: now - 59_000,
    endedAt: now - 1000,
    iterations: 3,
    lastSummary: null,
    attempt: 1,
    restarts: 0,
    nextRestartAt: null,
    lastReasons: [],
    exit: {
      reason: 'stopped',
      stopPhase: 'ipc',
      explanation: 'exited on IPC stop (exit code 0)',
      exitCode: 0,
      signal: null,
      stderrTail: '',
      evidence: {},
    },
    logPath: null,
    ...overrides,
  };
}
