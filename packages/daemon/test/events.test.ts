import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type MonitorEvent,
  type MonitorSubscription,
  type RunRecord,
  type StartDaemonOptions,
} from '../src/index.js';
import { fixtureLauncher, tempDir, waitFor } from './helpers.js';

const LOG_FLOOD = fileURLToPath(new URL('./fixtures/log-flood.mjs', import.meta.url));

interface Subscriber {
  connection: RpcConnection;
  events: MonitorEvent[];
  lagged: unknown[];
  result: MonitorSubscription;
}

/** A well-behaved client: subscribes and collects every notification. */
async function subscribe(socketPath: string, params: Record<string, unknown>): Promise<Subscriber> {
  const connection = await connectRpc(socketPath);
  const events: MonitorEvent[] = [];
  const lagged: unknown[] = [];
  connection.onNotification<MonitorEvent>('monitor.event', (event) => events.push(event));
  connection.onNotification('monitor.lagged', (params) => lagged.push(params));
  const result = await connection.request<MonitorSubscription>('monitor.subscribe', params);
  return { connection, events, lagged, result };
}

const states = (events: MonitorEvent[]) =>
  events.flatMap((event) => (event.type === 'run_state' ? [event.run.state] : []));

const strictlyIncreasing = (ids: number[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]);

const rssMiB = () => process.memoryUsage().rss / 1024 / 1024;

describe('monitor.subscribe (real daemon, socket and SQLite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  const connections: RpcConnection[] = [];
  beforeEach(() => {
    dir = tempDir('x-ev-');
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) {
      connection.close();
    }
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });
  const start = (options: Partial<StartDaemonOptions> = {}) =>
    startDaemon({
      home: `${dir.path}/home`,
      launcher: fixtureLauncher(),
      logger: silentLogger,
      ...options,
    });
  const control = async (d: DaemonHandle) => {
    const connection = await connectRpc(d.paths.socketPath);
    connections.push(connection);
    return connection;
  };

  it("streams a run's whole life in order, and a resubscription from an id repeats and misses nothing", async () => {
    daemon = await start();
    const socketPath = daemon.paths.socketPath;
    const all = await subscribe(socketPath, {});
    connections.push(all.connection);
    expect(all.result).toMatchObject({ subscriptionId: expect.any(String), lastEventId: 0 });
    const rpc = await control(daemon);
    await rpc.request<RunRecord>('agent.start', {
      module: '/fixture.mjs',
      name: 'life',
      env: { FIXTURE_MODE: 'ok' },
    });
    expect(
      await waitFor(
        () => all.events.filter((e) => e.type === 'iteration_done').length >= 3,
        15_000,
      ),
    ).toBe(true);
    await rpc.request('agent.stop', { ref: 'life' });
    expect(await waitFor(() => states(all.events).includes('exited'), 15_000)).toBe(true);

    expect(states(all.events)).toEqual(['starting', 'running', 'stopping', 'exited']);
    const types = all.events.map((e) => e.type);
    const firstIteration = types.indexOf('iteration_done');
    expect(firstIteration).toBeGreaterThan(types.indexOf('run_state'));
    const exited = all.events.at(-1)!;
    expect(exited).toMatchObject({ type: 'run_state', runId: expect.any(String), name: 'life' });
    expect(exited.type === 'run_state' && exited.run.exit?.reason).toBe('stopped');
    const ids = all.events.map((e) => e.id);
    expect(strictlyIncreasing(ids)).toBe(true);

    // Resume from the third event: exactly the rest, from the backlog.
    const resumed = await subscribe(socketPath, { since: ids[2] });
    connections.push(resumed.connection);
    expect(await waitFor(() => resumed.events.length >= ids.length - 3, 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(resumed.events.map((e) => e.id)).toEqual(ids.slice(3));

    // Filters: by name and type.
    const filtered = await subscribe(socketPath, { since: 0, ref: 'life', types: ['run_state'] });
    connections.push(filtered.connection);
    expect(await waitFor(() => filtered.events.length >= 4, 10_000)).toBe(true);
    expect(states(filtered.events)).toEqual(['starting', 'running', 'stopping', 'exited']);
  });

  it('rejects bad params naming the field, and a second subscription on one connection', async () => {
    daemon = await start();
    const rpc = await control(daemon);
    await expect(rpc.request('monitor.subscribe', { since: -1 })).rejects.toMatchObject({
      code: -32602,
      data: { field: '/since' },
    });
    await expect(rpc.request('monitor.subscribe', { types: [] })).rejects.toMatchObject({
      code: -32602,
      data: { field: '/types' },
    });
    const { subscriptionId } = await rpc.request<MonitorSubscription>('monitor.subscribe', {});
    await expect(rpc.request('monitor.subscribe', {})).rejects.toMatchObject({ code: -32030 });
    await expect(rpc.request('monitor.unsubscribe', { subscriptionId })).resolves.toEqual({
      unsubscribed: true,
    });
    await expect(rpc.request('monitor.unsubscribe', { subscriptionId })).resolves.toEqual({
      unsubscribed: false,
    });
    await expect(rpc.request('monitor.subscribe', {})).resolves.toMatchObject({
      subscriptionId: expect.any(String),
    });
  });

  it('ids strictly increase across a daemon restart, and the backlog survives it', async () => {
    daemon = await start();
    let rpc = await control(daemon);
    await rpc.request('agent.start', {
      module: '/fixture.mjs',
      name: 'one',
      env: { FIXTURE_MODE: 'done' },
    });
    expect(await waitFor(() => daemon!.supervisor.get('one')?.state === 'exited', 15_000)).toBe(
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last events stored
    const before = daemon.events.lastEventId;
    expect(before).toBeGreaterThan(3);
    await daemon.shutdown();

    daemon = await start();
    expect(daemon.events.lastEventId).toBe(before);
    const sub = await subscribe(daemon.paths.socketPath, { since: 0 });
    connections.push(sub.connection);
    rpc = await control(daemon);
    await rpc.request('agent.start', {
      module: '/fixture.mjs',
      name: 'two',
      env: { FIXTURE_MODE: 'done' },
    });
    expect(
      await waitFor(
        () => sub.events.some((e) => e.name === 'two' && states([e])[0] === 'exited'),
        15_000,
      ),
    ).toBe(true);
    const ids = sub.events.map((e) => e.id);
    expect(strictlyIncreasing(ids)).toBe(true);
    expect(ids.filter((id) => id <= before)).toHaveLength(before); // the whole old backlog
    expect(sub.events.filter((e) => e.name === 'two').every((e) => e.id > before)).toBe(true);
  });

  it('a subscriber that never reads, during a log flood, is dropped as lagged; memory stays bounded and others are served', async () => {
    daemon = await start();
    const socketPath = daemon.paths.socketPath;
    const baseline = rssMiB();
    // A raw client: subscribes, then never reads its socket.
    const raw = connect(socketPath);
    let rawClosed = false;
    raw.on('close', () => (rawClosed = true));
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write('{"jsonrpc":"2.0","id":1,"method":"monitor.subscribe","params":{}}\n');
    raw.pause();
    const states$ = await subscribe(socketPath, { types: ['run_state'] });
    connections.push(states$.connection);
    const rpc = await control(daemon);
    await rpc.request('agent.start', { command: [process.execPath, LOG_FLOOD], name: 'flood' });

    expect(await waitFor(() => daemon!.events.stats.lagged >= 1, 30_000)).toBe(true);
    let peakRss = rssMiB();
    const pingsStarted = Date.now();
    for (let i = 0; i < 10; i += 1) {
      await expect(
        rpc.request('system.ping', undefined, { timeoutMs: 10_000 }),
      ).resolves.toMatchObject({ pong: true });
      peakRss = Math.max(peakRss, rssMiB());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pingsMs = Date.now() - pingsStarted;
    await rpc.request('agent.stop', { ref: 'flood' });
    const stats = daemon.events.stats;
    console.log(
      `log flood: ${stats.events} events in ${stats.flushes} transactions (${(stats.events / stats.flushes).toFixed(0)} per transaction); ` +
        `RSS ${baseline.toFixed(0)} → peak ${peakRss.toFixed(0)} MiB; 10 pings in ${pingsMs} ms`,
    );
    expect(stats.events).toBeGreaterThan(5_000);
    expect(stats.flushes).toBeLessThan(stats.events / 20);
    expect(peakRss - baseline).toBeLessThan(300);
    // The filtered subscriber kept up and saw the run end.
    expect(await waitFor(() => states(states$.events).includes('exited'), 15_000)).toBe(true);
    expect(states$.lagged).toEqual([]);
    // The raw client's connection was ended by the daemon: reading it now reaches its end.
    let received = '';
    raw.on('data', (chunk) => (received += String(chunk)));
    raw.resume();
    expect(await waitFor(() => rawClosed, 10_000)).toBe(true);
    expect(received).toContain('"result":{"subscriptionId"');
    expect(received.length).toBeLessThan(4 * 1024 * 1024);
  }, 90_000);

  it('keeps the backlog to its row bound while events are stored, and prunes by age at start', async () => {
    daemon = await start({ eventBacklog: { maxRows: 300 } });
    const rpc = await control(daemon);
    await rpc.request('agent.start', { command: [process.execPath, LOG_FLOOD], name: 'flood' });
    expect(await waitFor(() => daemon!.events.stats.events > 3_000, 30_000)).toBe(true);
    await rpc.request('agent.stop', { ref: 'flood' });
    daemon.events.flush();
    const last = daemon.events.lastEventId;
    const { events } = await rpc.request<{ events: MonitorEvent[] }>('monitor.backlog', {
      since: 0,
      limit: 1000,
    });
    // Pruned every maxRows / 10 stored events: at most 300 + 30 rows, the newest ones.
    expect(events.length).toBeGreaterThan(250);
    expect(events.length).toBeLessThanOrEqual(330);
    expect(events.at(-1)!.id).toBe(last);
    await daemon.shutdown();

    daemon = await start({ eventBacklog: { maxAgeMs: 0 } });
    const again = await control(daemon);
    const backlog = await again.request<{ events: MonitorEvent[]; lastEventId: number }>(
      'monitor.backlog',
      { since: 0 },
    );
    expect(backlog.events).toEqual([]);
    expect(backlog.lastEventId).toBe(last);
  }, 60_000);
});
