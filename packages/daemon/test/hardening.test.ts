import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  RunStore,
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
  type RunnerLauncher,
} from '../src/index.js';
import { readProcessStartTime } from '../src/process/proc-stat.js';
import {
  AGENTS,
  PROTOCOL_RUNNER,
  fixtureLauncher,
  isAlive,
  kernelLauncher,
  runRecord,
  tempDir,
  waitFor,
} from './helpers.js';

// Issue 16: a bad start, a launcher that throws, or a daemon that died mid-stop must end one
// run with a clear reason, never the daemon.

describe('the daemon survives what one run does to it', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(() => {
    dir = tempDir('x-h-');
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });
  const start = (launcher: RunnerLauncher = fixtureLauncher()) =>
    startDaemon({ home: `${dir.path}/home`, launcher, logger: silentLogger });
  const ping = async (socketPath: string) => {
    const connection = await connectRpc(socketPath);
    try {
      return await connection.request('system.ping', undefined, { timeoutMs: 2000 });
    } finally {
      connection.close();
    }
  };

  it('refuses a cwd that was deleted before anything is launched, naming it', async () => {
    daemon = await start();
    const gone = `${dir.path}/gone`;
    mkdirSync(gone);
    rmSync(gone, { recursive: true });
    await expect(
      daemon.supervisor.start({ command: [process.execPath, PROTOCOL_RUNNER], cwd: gone }),
    ).rejects.toMatchObject({ code: -32602, data: { field: '/cwd' }, message: /gone.*ENOENT/ });
    expect(daemon.supervisor.activeCount).toBe(0);
  });

  it('refuses a FIFO as a thread agent’s module at once; the daemon keeps answering', async () => {
    daemon = await start(kernelLauncher());
    const fifo = `${dir.path}/agent.mjs`;
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(
      daemon.supervisor.start({ module: fifo, runnerMode: 'thread' }),
    ).rejects.toMatchObject({ code: -32602, message: /FIFO/ });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(ping(daemon.paths.socketPath)).resolves.toMatchObject({ pong: true });
  });

  it('a launch that throws (as spawn does for a NUL byte) ends the run spawn_failed, even on a restart', async () => {
    const real = fixtureLauncher();
    let launches = 0;
    const launcher: RunnerLauncher = {
      kind: 'subprocess',
      launch(spec) {
        launches += 1;
        if (launches > 1) {
          throw new TypeError(
            'The argument \'args[0]\' must be a string without null bytes. Received "a\\u0000b"',
          );
        }
        return real.launch(spec);
      },
    };
    daemon = await start(launcher);
    const run = await daemon.supervisor.start({
      command: [process.execPath, PROTOCOL_RUNNER],
      env: { FIXTURE_MODE: 'crash-loop' },
      restart: {
        mode: 'always',
        backoff: { ...DEFAULT_RESTART_POLICY.backoff, initialMs: 10, jitter: 0 },
      },
    });
    const ended = await waitFor(
      () => daemon!.supervisor.get(run.runId)?.state === 'failed',
      10_000,
    );
    expect(ended).toBe(true);
    expect(daemon.supervisor.get(run.runId)?.exit).toMatchObject({
      reason: 'spawn_failed',
      explanation: /null bytes/,
    });
    await expect(ping(daemon.paths.socketPath)).resolves.toMatchObject({ pong: true });
  });

  it('a launcher whose exit promise rejects ends the run supervisor_error, never the daemon', async () => {
    const real = fixtureLauncher();
    const launcher: RunnerLauncher = {
      kind: 'subprocess',
      launch(spec) {
        const runner = real.launch(spec);
        return { ...runner, exited: runner.exited.then(() => Promise.reject(new Error('boom'))) };
      },
    };
    daemon = await start(launcher);
    const run = await daemon.supervisor.start({
      command: [process.execPath, PROTOCOL_RUNNER],
      env: { FIXTURE_MODE: 'crash-loop' },
      restart: { mode: 'always' },
    });
    expect(await waitFor(() => daemon!.supervisor.get(run.runId)?.state === 'failed', 10_000)).toBe(
      true,
    );
    expect(daemon.supervisor.get(run.runId)?.exit?.reason).toBe('supervisor_error');
    await expect(ping(daemon.paths.socketPath)).resolves.toMatchObject({ pong: true });
  });

  it('a run its dead daemon was stopping is ended as stopped by the next one, never restarted', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    const survivor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const store = new RunStore(paths.dbPath);
    store.insertRun({
      ...runRecord('r-stopping', 'stopping', 1),
      state: 'stopping',
      options: {
        ...runRecord('x', 'x', 1).options,
        restart: { ...DEFAULT_RESTART_POLICY, mode: 'always' },
      },
    });
    store.upsertAttempt({
      runId: 'r-stopping',
      attempt: 1,
      pid: survivor.pid!,
      pgid: survivor.pid!,
      procStart: readProcessStartTime(survivor.pid!),
      startedAt: 1,
      readyAt: 2,
      endedAt: null,
      exit: null,
    });
    store.close();
    try {
      daemon = await start();
      expect(await waitFor(() => !isAlive(survivor.pid!), 2000)).toBe(true);
      const run = daemon.supervisor.get('r-stopping') as RunRecord;
      expect(run).toMatchObject({ state: 'exited', attempt: 1, exit: { reason: 'stopped' } });
      expect(run.exit?.explanation).toMatch(/died while stopping/);
      expect(daemon.supervisor.activeCount).toBe(0);
    } finally {
      survivor.kill('SIGKILL');
    }
  });

  it('turns a dead daemon left pending: the oldest ends error, the rest run in the next attempt', async () => {
    daemon = await start(kernelLauncher());
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    const store = new RunStore(paths.dbPath);
    store.insertRun({
      ...runRecord('r-turns', 'turns', 1),
      module: `${AGENTS}turn-echo.mjs`,
      state: 'running',
      options: {
        ...runRecord('x', 'x', 1).options,
        restart: {
          ...DEFAULT_RESTART_POLICY,
          mode: 'always',
          backoff: { ...DEFAULT_RESTART_POLICY.backoff, initialMs: 10, jitter: 0 },
        },
      },
    });
    for (const n of [1, 2, 3, 10]) {
      store.upsertTurn({
        runId: 'r-turns',
        turnId: `t-${n}`,
        attempt: 1,
        input: { n },
        status: 'pending',
        output: null,
        error: null,
        durationMs: null,
        usage: null,
        submittedAt: 100, // the same ms: the turn number orders them
        finishedAt: null,
      });
    }
    store.close();
    daemon = await start(kernelLauncher());
    const d = daemon;
    expect(
      await waitFor(
        () =>
          ['t-2', 't-3', 't-10'].every((id) => d.supervisor.turn('r-turns', id)?.status === 'ok'),
        10_000,
      ),
    ).toBe(true);
    expect(d.supervisor.turn('r-turns', 't-1')).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/may have been running \(daemon_lost\)/),
    });
    expect(d.supervisor.turn('r-turns', 't-10')).toMatchObject({ attempt: 2 });
    expect(d.supervisor.persistence.ok).toBe(true);
  });
});
