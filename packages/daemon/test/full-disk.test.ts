import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  startDaemon,
  type DaemonHandle,
  type MonitorEvent,
  type SystemInfo,
} from '../src/index.js';
import { fixtureLauncher, tempDir, waitFor } from './helpers.js';
import { mountSmallFs, type SmallFs } from './small-fs.js';

const FILLER = fileURLToPath(new URL('./fixtures/disk-filler.mjs', import.meta.url));
/** How long the disk is held full while the daemon is watched: 5 s. */
const FULL_FOR_MS = 5_000;

describe('a full disk under the daemon (3 MiB tmpfs, two agents flooding logs and iterations)', () => {
  let fs: SmallFs;
  let flags: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  const connections: RpcConnection[] = [];
  beforeEach(() => {
    fs = mountSmallFs(3);
    flags = tempDir('x-fdf-');
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) {
      connection.close();
    }
    await daemon?.shutdown();
    daemon = undefined;
    if (fs.ok) {
      fs.unmount();
    }
    flags.remove();
  });

  it('keeps answering and running, reports degraded with counts, logs a bounded number of lines, and recovers once a write succeeds', async (ctx) => {
    if (!fs.ok) {
      console.warn(`skipped: ${fs.reason}`);
      ctx.skip();
      return;
    }
    const lines: string[] = [];
    daemon = await startDaemon({
      home: `${fs.path}/h`,
      launcher: fixtureLauncher(),
      logger: createLogger({ sink: (line) => lines.push(line) }),
    });
    const rpc = await connectRpc(daemon.paths.socketPath);
    connections.push(rpc);
    const watcher = await connectRpc(daemon.paths.socketPath);
    connections.push(watcher);
    const persistenceEvents: MonitorEvent[] = [];
    watcher.onNotification<MonitorEvent>('monitor.event', (event) => {
      persistenceEvents.push(event);
    });
    await watcher.request('monitor.subscribe', { types: ['persistence'] });

    // Most of the disk goes to a file the test can delete; the agents fill the rest.
    const filler = `${fs.path}/filler`;
    fs.fill(filler, fs.free() - 768 * 1024);
    const flag = `${flags.path}/flood`;
    writeFileSync(flag, '');
    for (const name of ['fill-a', 'fill-b']) {
      await rpc.request('agent.start', {
        command: [process.execPath, FILLER],
        name,
        env: { FLOOD_FLAG: flag },
      });
    }
    const info = () => rpc.request<SystemInfo>('system.info', undefined, { timeoutMs: 5_000 });
    let current = await info();
    const fullDeadline = Date.now() + 15_000;
    while (current.persistence.ok && Date.now() < fullDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await info();
    }
    expect(current.persistence).toMatchObject({ ok: false, state: 'degraded' });

    // Held full: the daemon answers, the runs run, and the log stays quiet.
    const linesBefore = lines.length;
    const failuresBefore = current.persistence.failures;
    const iterationsBefore = daemon.supervisor.get('fill-a')?.iterations ?? 0;
    const heldUntil = Date.now() + FULL_FOR_MS;
    let pings = 0;
    let slowestPingMs = 0;
    while (Date.now() < heldUntil) {
      const started = Date.now();
      await expect(
        rpc.request('system.ping', undefined, { timeoutMs: 5_000 }),
      ).resolves.toMatchObject({ pong: true });
      slowestPingMs = Math.max(slowestPingMs, Date.now() - started);
      pings += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A small write may still fit now and then (SQLite reuses freed pages): health follows.
    let held = await info();
    for (let i = 0; i < 20 && held.persistence.ok; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      held = await info();
    }
    const linesWhileFull = lines.slice(linesBefore);
    const failuresWhileFull = held.persistence.failures - failuresBefore;
    expect(fs.free()).toBeLessThan(64 * 1024);
    expect(held.persistence).toMatchObject({ ok: false, state: 'degraded' });
    expect(held.persistence.since).toBeGreaterThan(0);
    expect(held.persistence.lastError).toMatch(/SQLITE_FULL|disk is full/);
    // The writes SQLite refuses wait in memory, in order, within their bounds.
    expect(held.persistence.deferredWrites).toBeGreaterThan(10);
    expect(held.persistence.deferredWrites).toBeLessThanOrEqual(
      held.persistence.deferLimits.maxWrites,
    );
    expect(held.persistence.deferredBytes).toBeLessThanOrEqual(
      held.persistence.deferLimits.maxBytes,
    );
    expect(held.activeRuns).toBe(2);
    for (const name of ['fill-a', 'fill-b']) {
      expect(daemon.supervisor.get(name)?.state).toBe('running');
    }
    // The supervisor counts iterations in memory while SQLite refuses them.
    expect(daemon.supervisor.get('fill-a')?.iterations ?? 0).toBeGreaterThan(iterationsBefore);
    // While writes wait, new ones queue behind them untried; the queue is retried every 2 s.
    // The log gets a handful of lines: new causes and summaries.
    expect(failuresWhileFull).toBeGreaterThan(0);
    expect(linesWhileFull.length).toBeLessThanOrEqual(10);
    // Each run log said once that its writes fail.
    expect(lines.filter((line) => / warn run log: could not write /.test(line)).length).toBe(2);

    // Space comes back: the agents quiet down, the filler goes, and the next write recovers.
    rmSync(flag);
    rmSync(filler);
    const recovered = await waitFor(() => daemon!.info().persistence.ok, 10_000);
    expect(recovered).toBe(true);
    const after = await info();
    expect(after.persistence).toMatchObject({ ok: true, state: 'ok', since: null });
    // What waited is in SQLite now; nothing waits any more.
    expect(after.persistence.deferredWrites).toBe(0);
    expect(after.persistence.lastRecovery?.writtenLate).toBeGreaterThanOrEqual(
      held.persistence.deferredWrites,
    );
    expect(after.persistence.writtenLate).toBe(after.persistence.lastRecovery?.writtenLate);
    for (const name of ['fill-a', 'fill-b']) {
      expect(daemon.supervisor.get(name)?.state).toBe('running');
    }
    // The runs stop here: on 3 MiB, SQLite's WAL (checkpointed only at 1000 pages, 4 MiB)
    // takes the freed space back within seconds of quiet iterations (about 13 KiB of frames
    // per transaction), and the store would be full again before the log is read.
    for (const name of ['fill-a', 'fill-b']) {
      await rpc.request('agent.stop', { ref: name }, { timeoutMs: 10_000 });
    }
    // The log's last word on persistence is the truth (within 5 s, should it have flapped).
    const lastSaid = () =>
      lines.filter((line) => / persistence (degraded|recovered)/.test(line)).at(-1) ?? '';
    expect(
      await waitFor(
        () =>
          / info persistence (recovered after \d+ ms|degraded or recovered .*; ok now)/.test(
            lastSaid(),
          ),
        10_000,
      ),
      lastSaid(),
    ).toBe(true);
    expect(
      await waitFor(
        () =>
          persistenceEvents.some(
            (e) => e.type === 'persistence' && (e as { state?: string }).state === 'recovered',
          ),
        5_000,
      ),
    ).toBe(true);
    const liveStates = persistenceEvents.map((event) => (event as { state?: string }).state);
    expect(liveStates[0]).toBe('degraded');
    console.log(
      `full disk for ${FULL_FOR_MS} ms: ${failuresWhileFull} store failures (the old guard: as many error lines), ${linesWhileFull.length} daemon log line(s) written; ${pings} pings, slowest ${slowestPingMs} ms; ${held.persistence.deferredWrites} write(s) (${held.persistence.deferredBytes} bytes) waiting in memory, ${held.persistence.droppedWrites} lost; recovered after ${after.persistence.lastRecovery?.afterMs} ms, ${after.persistence.lastRecovery?.writtenLate} written late; the whole log:\n${lines.join('')}`,
    );
  }, 60_000);
});
