import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunResources,
  type RunnerMode,
} from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// Issue 11: per-run CPU % and memory, sampled every second: a CPU-busy agent and an idle one
// are told apart by their CPU figure (bounds generous: the machine is shared and loaded).

describe.each<RunnerMode>(['subprocess', 'thread'])('run resources (%s runner)', (mode) => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(async () => {
    dir = tempDir('x-rs-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('a busy agent shows high CPU, an idle one low; memory is sampled; a finished run has none', async () => {
    const d = daemon!;
    const busy = await d.supervisor.start({
      module: `${AGENTS}cpu-spin.mjs`,
      name: 'busy',
      intervalMs: 0,
      runnerMode: mode,
    });
    const idle = await d.supervisor.start({
      module: `${AGENTS}counter.mjs`,
      name: 'idle',
      intervalMs: 1000,
      runnerMode: mode,
    });
    const sampled = (runId: string) => d.supervisor.resources(runId)?.cpuPercent != null;
    expect(await waitFor(() => sampled(busy.runId) && sampled(idle.runId), 10_000)).toBe(true);
    // One more interval, so both figures cover a whole second of steady work.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const hot = d.supervisor.resources(busy.runId) as RunResources;
    const cold = d.supervisor.resources(idle.runId) as RunResources;
    expect(hot.source).toBe(mode === 'thread' ? 'thread' : 'process-group');
    expect(hot.cpuPercent).toBeGreaterThan(40);
    expect(cold.cpuPercent).toBeLessThan(20);
    expect(hot.cpuPercent! - cold.cpuPercent!).toBeGreaterThan(30);
    if (mode === 'subprocess') {
      // An empty runner's RSS is about 44 MiB.
      expect(cold.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(cold.heapUsedBytes).toBeNull();
    } else {
      expect(cold.rssBytes).toBeNull();
      expect(cold.heapUsedBytes).toBeGreaterThan(100 * 1024);
    }
    expect(Date.now() - hot.sampledAt).toBeLessThan(5000);
    await d.supervisor.stop(idle.runId);
    expect(d.supervisor.resources(idle.runId)).toBeNull();
  }, 30_000);
});
