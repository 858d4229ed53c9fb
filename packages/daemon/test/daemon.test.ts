import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  RunStore,
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
} from '../src/index.js';
import { readProcessStartTime } from '../src/process/proc-stat.js';
import { fixtureLauncher, isAlive, runRecord, tempDir, waitFor } from './helpers.js';

/** Writes raw bytes to the control socket and collects what comes back for `waitMs`. */
function rawExchange(socketPath: string, payload: string, waitMs = 400): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = '';
    socket.on('data', (data) => (received += String(data)));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(payload));
    setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, waitMs);
  });
}

describe('startDaemon', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });
  const start = () =>
    startDaemon({ home: `${dir.path}/home`, launcher: fixtureLauncher(), logger: silentLogger });

  it('makes a 0700 state dir, a 0600 socket and an atomic descriptor naming itself', async () => {
    daemon = await start();
    const { paths } = daemon;
    expect(statSync(paths.home).mode & 0o777).toBe(0o700);
    expect(statSync(paths.socketPath).mode & 0o777).toBe(0o600);
    const descriptor = JSON.parse(readFileSync(paths.descriptorPath, 'utf8'));
    expect(descriptor).toMatchObject({
      pid: process.pid,
      socketPath: paths.socketPath,
      protocolVersion: 1,
      home: paths.home,
    });
    expect(typeof descriptor.startedAt).toBe('number');
  });

  it('refuses a second daemon for the same state directory', async () => {
    daemon = await start();
    await expect(start()).rejects.toMatchObject({ code: 'X_DAEMON_ALREADY_RUNNING' });
    // The first one still serves.
    const connection = await connectRpc(daemon.paths.socketPath);
    await expect(connection.request('system.ping')).resolves.toMatchObject({ pong: true });
    connection.close();
  });

  it('cleans a stale descriptor and socket left by a dead daemon', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    // A dead pid and a leftover socket file, as after kill -9.
    writeFileSync(
      paths.descriptorPath,
      JSON.stringify({ pid: 999_999_999, socketPath: paths.socketPath }),
    );
    writeFileSync(paths.socketPath, '');
    daemon = await start();
    expect(JSON.parse(readFileSync(paths.descriptorPath, 'utf8')).pid).toBe(process.pid);
  });

  it('refuses a state directory whose socket path is too long, saying how to fix it', async () => {
    await expect(
      startDaemon({
        home: `${dir.path}/${'d'.repeat(100)}`,
        launcher: fixtureLauncher(),
        logger: silentLogger,
      }),
    ).rejects.toThrow(/104-byte limit.*X_HOME/);
  });

  it('answers garbage with JSON-RPC errors and keeps serving on the same connection', async () => {
    daemon = await start();
    const reply = await rawExchange(
      daemon.paths.socketPath,
      'hello\n{"jsonrpc":"2.0"}\n[]\n{"jsonrpc":"2.0","id":7,"method":"agent.start","params":{"module":5}}\n{"jsonrpc":"2.0","id":8,"method":"system.ping"}\n',
    );
    const answers = reply
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.map((a) => a.error?.code ?? 'ok')).toEqual([
      -32700,
      -32600,
      -32600,
      -32602,
      'ok',
    ]);
    expect(answers[3].error.message).toContain('/module');
    expect(answers[4]).toMatchObject({ id: 8, result: { pong: true } });
  });

  it('survives a client sending binary noise and a line over 1 MiB', async () => {
    daemon = await start();
    await rawExchange(daemon.paths.socketPath, `\u0000\u00ff\u0001${'a'.repeat(1_100_000)}\n`, 300);
    const connection = await connectRpc(daemon.paths.socketPath);
    await expect(connection.request('system.info')).resolves.toMatchObject({
      pid: process.pid,
      activeRuns: 0,
    });
    connection.close();
  });

  it('serves the agent methods and shuts down stopping every runner', async () => {
    daemon = await start();
    const connection = await connectRpc(daemon.paths.socketPath);
    const run = await connection.request<RunRecord>('agent.start', {
      module: '/fixture.mjs',
      name: 'a',
      env: { FIXTURE_MODE: 'ok' },
    });
    expect(run.state).toBe('running');
    const { runs } = await connection.request<{ runs: RunRecord[] }>('agent.list', {});
    expect(runs.map((r) => r.name)).toEqual(['a']);
    await expect(connection.request('agent.status', { ref: 'nope' })).rejects.toMatchObject({
      code: -32001,
    });
    const failed = await connection
      .request('agent.start', {
        module: '/fixture.mjs',
        name: 'b',
        env: { FIXTURE_MODE: 'exit78' },
      })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: -32003,
      data: { run: { exit: { reason: 'config_error' } } },
    });
    connection.close();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    expect(isAlive(run.pid!)).toBe(false);
    expect(existsSync(paths.descriptorPath)).toBe(false);
    expect(existsSync(paths.socketPath)).toBe(false);
  });

  it('prunes finished runs past their retention at start, never an active one', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    const store = new RunStore(paths.dbPath);
    store.insertRun({ ...runRecord('r-old', 'old', 1), state: 'exited', endedAt: 1 });
    store.insertRun({ ...runRecord('r-fresh', 'fresh', 1), state: 'exited', endedAt: Date.now() });
    store.close();
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: fixtureLauncher(),
      logger: silentLogger,
      retention: { runsMs: 60_000 },
    });
    const connection = await connectRpc(daemon.paths.socketPath);
    const { runs } = await connection.request<{ runs: RunRecord[] }>('agent.list', { all: true });
    connection.close();
    expect(runs.map((r) => r.runId)).toEqual(['r-fresh']);
  });

  it('recovers a lost run by its policy: reaps its pid-verified survivor, restarts it as attempt 2', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    // Two live processes: one really is the lost attempt (pid and start time match), the
    // other only has the pid stored for another run (start time differs: pid reuse).
    const survivor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const store = new RunStore(paths.dbPath);
    const restart = {
      ...DEFAULT_RESTART_POLICY,
      mode: 'on-failure' as const,
      backoff: { ...DEFAULT_RESTART_POLICY.backoff, initialMs: 50, jitter: 0 },
    };
    store.insertRun({
      ...runRecord('r-resume', 'resume', 1),
      state: 'running',
      options: { ...runRecord('x', 'x', 1).options, restart },
    });
    store.upsertAttempt({
      runId: 'r-resume',
      attempt: 1,
      pid: survivor.pid!,
      pgid: survivor.pid!,
      procStart: readProcessStartTime(survivor.pid!),
      startedAt: 1,
      readyAt: 2,
      endedAt: null,
      exit: null,
    });
    store.insertRun({ ...runRecord('r-reused', 'reused', 1), state: 'running' });
    store.upsertAttempt({
      runId: 'r-reused',
      attempt: 1,
      pid: bystander.pid!,
      pgid: bystander.pid!,
      procStart: 1,
      startedAt: 1,
      readyAt: 2,
      endedAt: null,
      exit: null,
    });
    store.close();
    try {
      daemon = await start();
      expect(await waitFor(() => !isAlive(survivor.pid!), 2000)).toBe(true);
      expect(isAlive(bystander.pid!)).toBe(true);
      const connection = await connectRpc(daemon.paths.socketPath);
      const status = async (ref: string) =>
        (await connection.request<{ run: RunRecord }>('agent.status', { ref })).run;
      const deadline = Date.now() + 5000;
      while ((await status('r-resume')).state !== 'running' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await status('r-resume')).toMatchObject({
        state: 'running',
        attempt: 2,
        restarts: 1,
        lastReasons: [{ attempt: 1, reason: 'daemon_lost' }],
      });
      expect((await status('r-reused')).state).toBe('failed');
      connection.close();
      // A second restart of the daemon must not trip over the stored backoff either.
      await daemon.shutdown();
      daemon = await start();
    } finally {
      bystander.kill('SIGKILL');
      survivor.kill('SIGKILL');
    }
  });

  it('a recovered run keeps its restart intensity: past the limit it fails instead of restarting', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    const store = new RunStore(paths.dbPath);
    const restart = {
      ...DEFAULT_RESTART_POLICY,
      mode: 'always' as const,
      intensity: { maxRestarts: 2, periodMs: 60_000 },
    };
    store.insertRun({
      ...runRecord('r-loop', 'loop', 1),
      state: 'running',
      attempt: 3,
      restarts: 2,
      options: { ...runRecord('x', 'x', 1).options, restart },
    });
    const now = Date.now();
    const crashed = (attempt: number, startedAt: number) =>
      store.upsertAttempt({
        runId: 'r-loop',
        attempt,
        pid: null,
        pgid: null,
        procStart: null,
        startedAt,
        readyAt: startedAt + 10,
        endedAt: startedAt + 50,
        exit: {
          reason: 'crashed',
          stopPhase: null,
          explanation: 'crashed',
          exitCode: 3,
          signal: null,
          evidence: {},
        },
      });
    crashed(1, now - 3000);
    crashed(2, now - 2000);
    // Attempt 3 (a restart too) was running when the daemon died.
    store.upsertAttempt({
      runId: 'r-loop',
      attempt: 3,
      pid: null,
      pgid: null,
      procStart: null,
      startedAt: now - 1000,
      readyAt: now - 990,
      endedAt: null,
      exit: null,
    });
    store.close();
    daemon = await start();
    const connection = await connectRpc(daemon.paths.socketPath);
    const status = await connection.request<{ run: RunRecord }>('agent.status', { ref: 'r-loop' });
    connection.close();
    // 2 restarts within 60 s already: a third would exceed the intensity the dead daemon applied.
    expect(status.run.state).toBe('failed');
    expect(status.run.exit?.reason).toBe('daemon_lost');
  });

  it('marks runs a dead daemon left active as daemon_lost on the next start', async () => {
    daemon = await start();
    const { paths } = daemon;
    await daemon.shutdown();
    daemon = undefined;
    const store = new RunStore(paths.dbPath);
    store.insertRun({ ...runRecord('r-lost', 'lost', 1), state: 'running' });
    store.close();
    daemon = await start();
    const connection = await connectRpc(daemon.paths.socketPath);
    const status = await connection.request<{ run: RunRecord }>('agent.status', { ref: 'r-lost' });
    connection.close();
    expect(status.run.state).toBe('failed');
    expect(status.run.exit?.reason).toBe('daemon_lost');
  });
});
