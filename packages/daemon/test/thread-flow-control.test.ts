import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createThreadLauncher,
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
} from '../src/index.js';
import { WORKER_ENTRY, tempDir } from './helpers.js';

// A thread-mode agent that logs in a tight loop, against a real daemon: the MessagePort's
// acknowledged flow control keeps what waits for the daemon bounded, so the daemon's RSS
// (which includes the worker's port queue) stays bounded too.

const FLOOD_AGENT = fileURLToPath(
  new URL('../../kernel/test/fixtures/log-flood-agent.mjs', import.meta.url),
);
const MiB = 1024 * 1024;

describe('thread mode: an agent logging in a tight loop', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle;
  beforeEach(async () => {
    dir = tempDir('x-fc-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: createThreadLauncher({ workerUrl: WORKER_ENTRY, execArgv: [] }),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await daemon.shutdown();
    dir.remove();
  });

  it('keeps the daemon’s RSS bounded for 6 s of flooding, its timers running, and the run stops cleanly', async () => {
    const before = process.memoryUsage().rss;
    const run = await daemon.supervisor.start({
      module: FLOOD_AGENT,
      name: 'flood',
      runnerMode: 'thread',
      intervalMs: 0,
      maxIterations: 1,
      params: { lineBytes: 200, burst: 1000 },
    });
    const samples: number[] = [];
    let longestGapMs = 0;
    let last = Date.now();
    const started = last;
    while (Date.now() - started < 6000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      longestGapMs = Math.max(longestGapMs, Date.now() - last);
      last = Date.now();
      samples.push(Math.round((process.memoryUsage().rss - before) / MiB));
    }
    const stopped: RunRecord = await daemon.supervisor.stop(run.runId, {
      ipcMs: 10_000,
      sigtermMs: 1000,
    });
    // The kernel's peak resident set since this process started (an upper bound of the peak
    // during the flood).
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const logged = Number(/logged (\d+) lines/.exec(stopped.lastSummary ?? '')?.[1] ?? 0);
    const received = readFileSync(stopped.logPath!, 'utf8').split('\n').length;
    const peakGrowth = peakKb * 1024 - before;
    console.log(
      `thread flood: agent logged ${logged} lines, run log has ${received} lines; daemon RSS growth (MiB) every 250 ms: ${samples.join(' ')}; peak (VmHWM) +${Math.round(peakGrowth / MiB)} MiB; longest timer gap ${longestGapMs} ms`,
    );
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc' });
    expect(logged).toBeGreaterThan(10_000);
    // Bounded: at most 16 MiB (maxQueuedBytes) waits for the daemon; the rest is the
    // worker's heap and the daemon's own work. Without flow control the port queue alone
    // grew by hundreds of MiB in these 6 s.
    expect(peakGrowth).toBeLessThan(250 * MiB);
    // The daemon's event loop kept running (generous bound for a loaded 2-core machine).
    expect(longestGapMs).toBeLessThan(2000);
  });

  it('two back-to-back agents (intervalMs 0) do not outrun the daemon: it answers, and a stop is prompt', async () => {
    const COUNTER = fileURLToPath(
      new URL('../../../examples/agents/fixtures/counter.mjs', import.meta.url),
    );
    const runs = await Promise.all(
      ['spin-a', 'spin-b'].map((name) =>
        daemon.supervisor.start({ module: COUNTER, name, runnerMode: 'thread', intervalMs: 0 }),
      ),
    );
    let longestGapMs = 0;
    let last = Date.now();
    const started = last;
    while (Date.now() - started < 4000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      longestGapMs = Math.max(longestGapMs, Date.now() - last);
      last = Date.now();
    }
    const stopStarted = Date.now();
    const stopped = await Promise.all(
      runs.map((run) => daemon.supervisor.stop(run.runId, { ipcMs: 10_000, sigtermMs: 1000 })),
    );
    const stopMs = Date.now() - stopStarted;
    const stored = stopped.map((run) => run.iterations);
    console.log(
      `back-to-back thread agents: ${stored.join(' + ')} iterations stored in 4 s; longest timer gap ${longestGapMs} ms; stop took ${stopMs} ms`,
    );
    for (const run of stopped) {
      expect(run.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc' });
    }
    // Without flow control: ~150 iterations/s stored, and the stop waited 30 s behind the
    // frames queued in the workers. Generous bounds for a loaded 2-core machine.
    expect(Math.min(...stored)).toBeGreaterThan(1000);
    expect(stopMs).toBeLessThan(5000);
    expect(longestGapMs).toBeLessThan(2000);
  });
});
