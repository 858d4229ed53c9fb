import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PersistenceGuard,
  silentLogger,
  startDaemon,
  startMetricsServer,
  type DaemonHandle,
} from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// Issue 11: /metrics, /healthz and /readyz of a real daemon over real HTTP.

/** The value of one sample line (`name{labels} value`) of a scrape, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics endpoint', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(async () => {
    dir = tempDir('x-mx-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
      metrics: '127.0.0.1:0',
    });
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('during a crash loop restarts and crashed exits rise; runs by state, iterations, health', async () => {
    const d = daemon!;
    const { host, port } = d.metrics!;
    expect(host).toBe('127.0.0.1');
    const url = `http://${host}:${port}`;
    const scrape = async () => {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    await d.supervisor.start({
      module: `${AGENTS}crash-at.mjs`,
      name: 'crashy',
      intervalMs: 10,
      params: { at: 2 },
      restart: {
        mode: 'always',
        backoff: { initialMs: 50, multiplier: 1, maxMs: 50, jitter: 0 },
        intensity: { maxRestarts: 100, periodMs: 60_000 },
      },
    });
    expect(await waitFor(() => (d.supervisor.get('crashy')?.restarts ?? 0) >= 2, 15_000, 50)).toBe(
      true,
    );
    const first = await scrape();
    const restarts1 = sample(first, 'x_restarts_total')!;
    const crashed1 = sample(first, 'x_exits_total{reason="crashed"}')!;
    expect(restarts1).toBeGreaterThanOrEqual(2);
    expect(crashed1).toBeGreaterThanOrEqual(2);
    expect(sample(first, 'x_iterations_total{status="ok"}')).toBeGreaterThanOrEqual(2);
    expect(sample(first, 'x_runs_active')).toBe(1);
    expect(sample(first, 'x_persistence_ok')).toBe(1);
    expect(sample(first, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(first).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(first).toMatch(/^x_event_backlog_events \d+$/m);
    expect(first).toMatch(/^x_runs\{state="(backoff|starting|running)"\} 1$/m);
    expect(
      await waitFor(() => (d.supervisor.get('crashy')?.restarts ?? 0) >= restarts1 + 2, 15_000, 50),
    ).toBe(true);
    const second = await scrape();
    expect(sample(second, 'x_restarts_total')).toBeGreaterThan(restarts1);
    expect(sample(second, 'x_exits_total{reason="crashed"}')).toBeGreaterThan(crashed1);

    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  }, 40_000);

  it('a bad --metrics address fails the start with a clear error', async () => {
    await expect(
      startDaemon({
        home: `${dir.path}/other`,
        launcher: kernelLauncher(),
        logger: silentLogger,
        metrics: '127.0.0.1:99999',
      }),
    ).rejects.toThrow(/--metrics "127.0.0.1:99999": port 99999 is over 65535/);
  });

  it('an event hook that hangs shows its queue and its drops', async () => {
    await daemon!.shutdown();
    daemon = await startDaemon({
      home: `${dir.path}/home2`,
      launcher: kernelLauncher(),
      logger: silentLogger,
      metrics: '127.0.0.1:0',
      // Never returns: its queue of 2 fills and the rest is dropped.
      hooks: [
        { name: 'stuck', on: ['*'], command: ['sleep', '600'], timeoutMs: 600_000, queue: 2 },
      ],
    });
    const { host, port } = daemon.metrics!;
    await daemon.supervisor.start({
      module: `${AGENTS}counter.mjs`,
      name: 'busy',
      intervalMs: 10,
      maxIterations: 20,
    });
    const scrape = async () => (await fetch(`http://${host}:${port}/metrics`)).text();
    let text = '';
    const deadline = Date.now() + 10_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await scrape();
    } while (
      (sample(text, 'x_hook_events_total{hook="stuck",outcome="dropped"}') ?? 0) <= 5 &&
      Date.now() < deadline
    );
    expect(sample(text, 'x_hook_events_total{hook="stuck",outcome="dropped"}')).toBeGreaterThan(5);
    expect(sample(text, 'x_hook_queued{hook="stuck"}')).toBe(2);
    expect(sample(text, 'x_hook_events_total{hook="stuck",outcome="delivered"}')).toBe(0);
  }, 30_000);
});

describe('/readyz', () => {
  it('answers 503 with the reason while SQLite writes fail, 200 once one succeeds', async () => {
    const guard = new PersistenceGuard(silentLogger);
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, new Registry(), guard);
    try {
      const url = `http://127.0.0.1:${server.address.port}/readyz`;
      expect((await fetch(url)).status).toBe(200);
      guard.write(
        'store events',
        () => {
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        },
        undefined,
      );
      const failing = await fetch(url);
      expect(failing.status).toBe(503);
      expect(await failing.text()).toMatch(
        /^not ready: SQLite writes are failing since .* \(1 write\(s\) lost\): store events: SQLITE_FULL/,
      );
      guard.write('store events', () => 1, 0);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
