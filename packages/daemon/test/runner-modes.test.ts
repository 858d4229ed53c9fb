import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunStore,
  RunnerSupervisor,
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
  type StartRequest,
} from '../src/index.js';
import { AGENTS, KERNEL_PIPE, isAlive, kernelLauncher, tempDir, waitFor } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe.each(['subprocess', 'thread'] as const)('the same agents in %s mode', (mode) => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;

  beforeEach(() => {
    dir = tempDir('x-rm-');
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: kernelLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      heartbeatIntervalMs: 200,
      livenessTimeoutMs: 2000,
    });
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 300, sigtermMs: 300 });
    store.close();
    dir.remove();
  });

  const start = (agent: string, extra: Partial<StartRequest> = {}) =>
    supervisor.start({
      module: `${AGENTS}${agent}.mjs`,
      name: agent,
      intervalMs: 50,
      runnerMode: mode,
      ...extra,
    });
  const ended = async (runId: string, timeoutMs = 15_000): Promise<RunRecord | undefined> => {
    await waitFor(() => {
      const state = supervisor.get(runId)?.state;
      return state === 'exited' || state === 'failed';
    }, timeoutMs);
    return supervisor.get(runId);
  };

  it('starts, becomes ready, counts iterations, and stops in the IPC phase', async () => {
    const run = await start('counter');
    expect(run.state).toBe('running');
    expect(run.launcher).toBe(mode);
    expect(run.options.runnerMode).toBe(mode);
    if (mode === 'subprocess') {
      expect(isAlive(run.pid!)).toBe(true);
    } else {
      // A thread is not a process: no pid of its own (never the daemon's).
      expect(run.pid).toBeNull();
    }
    expect(await waitFor(() => (supervisor.get('counter')?.iterations ?? 0) >= 3, 10_000)).toBe(
      true,
    );
    const stopped = await supervisor.stop('counter');
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc', exitCode: 0 });
    expect(store.recentIterations(run.runId, 1000)).toHaveLength(stopped.iterations);
  });

  it('a process.exit(1) inside a step is crashed, with its stderr', async () => {
    const run = await start('crash-at', { params: { at: 2 } });
    const record = await ended(run.runId);
    expect(record?.exit).toMatchObject({ reason: 'crashed', exitCode: 1 });
    expect(record?.exit?.stderrTail).toContain('crash-at: crashing at iteration 2');
  });

  it('exit 78 during import is config_error', async () => {
    const run = await start('exit-78');
    expect(run.state).toBe('failed');
    expect(run.exit).toMatchObject({ reason: 'config_error', exitCode: 78 });
    expect(run.exit?.stderrTail).toContain('missing API key');
  });

  it('an agent that ignores stop ends in the last stop phase', async () => {
    const run = await start('ignore-stop');
    // From iteration 2 its step blocks the event loop forever.
    await waitFor(() => (supervisor.get(run.runId)?.iterations ?? 0) >= 1, 10_000);
    await sleep(200);
    const started = Date.now();
    const stopped = await supervisor.stop(run.runId, { ipcMs: 300, sigtermMs: 300 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stopped.exit).toMatchObject({
      reason: 'stopped',
      stopPhase: mode === 'thread' ? 'terminate' : 'sigkill',
    });
    if (mode === 'subprocess') {
      expect(isAlive(run.pid!)).toBe(false);
    }
  });

  it('a runner stuck in a sync loop misses its heartbeats and is hung', async () => {
    const run = await start('ignore-stop');
    const record = await ended(run.runId);
    expect(record?.exit?.reason).toBe('hung');
    expect(record?.exit?.explanation).toMatch(/no heartbeat for \d+ ms \(limit 2000 ms\)/);
  });

  it('an uncaught exception thrown from a timer is crashed', async () => {
    const run = await start('throw-later', { module: `${FIXTURES}throw-later.mjs` });
    const record = await ended(run.runId);
    expect(record?.exit?.reason).toBe('crashed');
    expect(record?.exit?.stderrTail).toContain('throw-later: uncaught at iteration 2');
    if (mode === 'thread') {
      expect(record?.exit?.explanation).toBe(
        'uncaught error: Error: throw-later: uncaught at iteration 2',
      );
      expect(readFileSync(record!.logPath!, 'utf8')).toContain('worker error: Error: throw-later');
    }
  });
});

describe('thread mode only', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(() => {
    dir = tempDir('x-rt-');
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('a heap hog hits its resourceLimits and is oom; the daemon keeps serving and running the others', async () => {
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
    const connection = await connectRpc(daemon.paths.socketPath);
    const start = (agent: string, extra: Record<string, unknown> = {}) =>
      connection.request<RunRecord>('agent.start', {
        module: `${AGENTS}${agent}.mjs`,
        name: agent,
        intervalMs: 20,
        runnerMode: 'thread',
        ...extra,
      });
    const counter = await start('counter');
    const hog = await start('allocate-forever', { maxMemoryMb: 64, intervalMs: 0 });
    expect(hog.launcher).toBe('thread');
    const status = async (ref: string) =>
      (await connection.request<{ run: RunRecord }>('agent.status', { ref })).run;
    let ended: RunRecord | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      ended = await status(hog.runId);
      if (ended.state === 'exited' || ended.state === 'failed') {
        break;
      }
      await sleep(100);
    }
    expect(ended?.exit).toMatchObject({ reason: 'oom' });
    expect(ended?.exit?.explanation).toContain('ERR_WORKER_OUT_OF_MEMORY');
    // The daemon survived: it answers over its real socket, and the other thread still runs.
    await expect(connection.request('system.ping')).resolves.toMatchObject({ pong: true });
    const before = (await status(counter.runId)).iterations;
    await sleep(500);
    expect((await status(counter.runId)).iterations).toBeGreaterThan(before);
    expect((await status(counter.runId)).state).toBe('running');
    connection.close();
  });

  it('refuses thread mode for a command run and for a service, naming the field (-32602)', async () => {
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
    const connection = await connectRpc(daemon.paths.socketPath);
    await expect(
      connection.request('agent.start', {
        command: [process.execPath, KERNEL_PIPE],
        name: 'cmd',
        runnerMode: 'thread',
      }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('a command run (--command) is always a subprocess'),
      data: { field: '/runnerMode' },
    });
    await expect(
      connection.request('agent.start', {
        kind: 'service',
        command: ['sleep', '5'],
        name: 'svc',
        runnerMode: 'thread',
      }),
    ).rejects.toMatchObject({ code: -32602, data: { field: '/runnerMode' } });
    await expect(
      connection.request('agent.start', { module: `${AGENTS}counter.mjs`, runnerMode: 'fiber' }),
    ).rejects.toMatchObject({ code: -32602 });
    expect(daemon.info().launcher).toBe('subprocess (default; also thread)');
    connection.close();
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
