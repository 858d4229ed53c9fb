import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, RunnerSupervisor, serviceStatus, type StartRequest } from '../src/index.js';
import { fixtureLauncher, isAlive, tempDir, waitFor } from './helpers.js';

const SERVICE = new URL('./fixtures/http-service.mjs', import.meta.url).pathname;

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('services: health-gated supervision of a command', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let port: number;
  beforeEach(async () => {
    dir = tempDir('x-sv-');
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: fixtureLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
    });
    port = await freePort();
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 0, sigtermMs: 500 });
    store.close();
    dir.remove();
  });

  const start = (env: Record<string, string>, extra: Partial<StartRequest> = {}) =>
    supervisor.start({
      kind: 'service',
      name: 'web',
      command: [process.execPath, SERVICE],
      env: { PORT: String(port), ...env },
      probes: { readiness: { http: `http://127.0.0.1:${port}/health`, intervalMs: 50 } },
      ...extra,
    });

  it('is running only once its readiness probe passes', async () => {
    const began = Date.now();
    const run = await start({ READY_AFTER_MS: '400' });
    expect(run.state).toBe('running');
    expect(run.readyAt! - began).toBeGreaterThanOrEqual(380);
    expect(serviceStatus(run)).toEqual({ state: 'running', pid: run.pid, attempt: 1 });
  });

  it('is ready at once without a readiness probe, and TCP probes work', async () => {
    const run = await start(
      {},
      { probes: { liveness: { tcp: `127.0.0.1:${port}`, intervalMs: 50 } } },
    );
    expect(run.state).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(supervisor.get(run.runId)?.state).toBe('running');
  });

  it('fails its start when readiness does not pass in time (handshake_failed), and the process is killed', async () => {
    const run = await start(
      { READY_AFTER_MS: '60000' },
      {
        probes: {
          readiness: { http: `http://127.0.0.1:${port}/health`, intervalMs: 50 },
          readinessTimeoutMs: 300,
        },
      },
    );
    expect(run.state).toBe('failed');
    expect(run.exit?.reason).toBe('handshake_failed');
    expect(run.exit?.explanation).toMatch(/readiness probe GET .* did not pass within 300 ms/);
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('a failing liveness probe restarts it under its policy, then marks it failed', async () => {
    // Healthy for 1.5 s from its start: long enough for the readiness probe to pass on a loaded
    // machine (a Node start can take most of a second there), short enough to fail liveness.
    const run = await start(
      { HEALTHY_FOR_MS: '1500' },
      {
        probes: {
          readinessTimeoutMs: 10_000,
          readiness: { http: `http://127.0.0.1:${port}/health`, intervalMs: 50 },
          liveness: {
            http: `http://127.0.0.1:${port}/health`,
            intervalMs: 50,
            failureThreshold: 2,
          },
        },
        restart: {
          mode: 'on-failure',
          backoff: { initialMs: 100, jitter: 0 },
          intensity: { maxRestarts: 1 },
        },
      },
    );
    expect(run.state).toBe('running');
    expect(await waitFor(() => supervisor.get(run.runId)?.state === 'failed', 20_000)).toBe(true);
    const record = supervisor.get(run.runId)!;
    expect(record).toMatchObject({ attempt: 2, restarts: 1, exit: { reason: 'unhealthy' } });
    expect(record.lastReasons.map((r) => r.reason)).toEqual(['unhealthy', 'unhealthy']);
    expect(record.exit?.explanation).toMatch(
      /liveness probe GET .* failed 2 times in a row \(last: HTTP 500\)/,
    );
    expect(serviceStatus(record)).toMatchObject({ state: 'failed', attempts: 2 });
  });

  it('stops without an IPC phase: SIGTERM to the group, exit observed', async () => {
    const run = await start({});
    const began = Date.now();
    const stopped = await supervisor.stop(run.runId, { ipcMs: 2000, sigtermMs: 3000 });
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'sigterm' });
    expect(Date.now() - began).toBeLessThan(1500);
    expect(serviceStatus(stopped)).toMatchObject({ state: 'stopped' });
  });

  it('refuses a service without a command', async () => {
    await expect(supervisor.start({ kind: 'service', module: '/a.mjs' })).rejects.toMatchObject({
      code: -32602,
    });
  });
});
