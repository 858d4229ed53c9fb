import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunStore,
  RunnerSupervisor,
  createSubprocessLauncher,
  type SupervisorEvent,
} from '../src/index.js';
import { PROTOCOL_RUNNER, fixtureLauncher, isAlive, tempDir, waitFor } from './helpers.js';

describe('RunnerSupervisor with real runner processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let events: SupervisorEvent[];

  beforeEach(() => {
    dir = tempDir();
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: fixtureLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      handshakeTimeoutMs: 6000,
    });
    events = [];
    supervisor.onEvent((event) => events.push(event));
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 200, sigtermMs: 200 });
    store.close();
    dir.remove();
  });

  const start = (mode: string, extra: Partial<Parameters<RunnerSupervisor['start']>[0]> = {}) =>
    supervisor.start({ module: '/fixture.mjs', name: mode, env: { FIXTURE_MODE: mode }, ...extra });

  it('handshakes, counts iterations in SQLite, and stops in the IPC phase', async () => {
    const run = await start('ok');
    expect(run.state).toBe('running');
    expect(run.pid).toBeGreaterThan(0);
    expect(isAlive(run.pid!)).toBe(true);
    await waitFor(() => (supervisor.get('ok')?.iterations ?? 0) >= 3, 5000);
    const stopped = await supervisor.stop('ok');
    expect(stopped.state).toBe('exited');
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc', exitCode: 0 });
    expect(isAlive(run.pid!)).toBe(false);
    // What the supervisor counted is what SQLite holds.
    const db = new Database(`${dir.path}/x.db`, { readonly: true });
    const { n } = db
      .prepare('SELECT count(*) AS n FROM agent_iterations WHERE run_id = ?')
      .get(run.runId) as { n: number };
    const row = db
      .prepare('SELECT state, exit_reason, stop_phase, iterations FROM agent_runs WHERE run_id = ?')
      .get(run.runId);
    db.close();
    expect(n).toBe(stopped.iterations);
    expect(row).toEqual({
      state: 'exited',
      exit_reason: 'stopped',
      stop_phase: 'ipc',
      iterations: n,
    });
  });

  it('publishes iteration_done only after it is persisted', async () => {
    const run = await start('ok');
    await waitFor(() => events.some((e) => e.type === 'iteration_done'), 5000);
    const first = events.find((e) => e.type === 'iteration_done');
    expect(
      first?.type === 'iteration_done' &&
        store
          .recentIterations(run.runId, 100)
          .some((i) => i.iteration === first.iteration.iteration),
    ).toBe(true);
  });

  it('works the same with the msgpack codec', async () => {
    await start('ok', { codec: 'msgpack' });
    await waitFor(() => (supervisor.get('ok')?.iterations ?? 0) >= 2, 5000);
    expect((await supervisor.stop('ok')).exit?.reason).toBe('stopped');
  });

  it('records a run that ends on its own as completed', async () => {
    const run = await start('done');
    const record = await waitFor(() => supervisor.get(run.runId)?.state === 'exited', 5000).then(
      () => supervisor.get(run.runId),
    );
    expect(record?.exit).toMatchObject({ reason: 'completed', exitCode: 0 });
    expect(record?.iterations).toBe(3);
  });

  it('classifies a crash with its exit code and stderr tail', async () => {
    const run = await start('crash');
    await waitFor(() => supervisor.get(run.runId)?.state === 'exited', 5000);
    const record = supervisor.get(run.runId);
    expect(record?.exit).toMatchObject({ reason: 'crashed', exitCode: 3 });
    expect(record?.exit?.stderrTail).toContain('crashing now');
  });

  it('classifies SIGKILL from outside as signaled', async () => {
    const run = await start('ok');
    process.kill(run.pid!, 'SIGKILL');
    await waitFor(() => supervisor.get(run.runId)?.state === 'exited', 5000);
    expect(supervisor.get(run.runId)?.exit).toMatchObject({
      reason: 'signaled',
      signal: 'SIGKILL',
      exitCode: null,
    });
  });

  it('records exit 78 before ready as config_error, with stderr', async () => {
    const run = await start('exit78');
    expect(run.state).toBe('failed');
    expect(run.exit).toMatchObject({ reason: 'config_error', exitCode: 78 });
    expect(run.exit?.stderrTail).toContain('bad configuration');
  });

  it('kills a runner that never sends ready, and reports handshake_failed', async () => {
    const started = Date.now();
    const run = await start('no-ready');
    expect(Date.now() - started).toBeGreaterThanOrEqual(5900);
    expect(run.exit).toMatchObject({ reason: 'handshake_failed' });
    expect(run.exit?.explanation).toMatch(/no ready within 6000 ms/);
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('names the signal when a runner is killed from outside during its handshake', async () => {
    const starting = start('no-ready');
    // The runner never sends ready: SIGKILL it (as an operator would) while x waits for it.
    expect(await waitFor(() => (supervisor.get('no-ready')?.pid ?? null) !== null, 5000)).toBe(
      true,
    );
    const pid = supervisor.get('no-ready')!.pid!;
    process.kill(pid, 'SIGKILL');
    const run = await starting;
    expect(run.exit).toMatchObject({ reason: 'handshake_failed', signal: 'SIGKILL' });
    expect(run.exit?.explanation).toMatch(
      /^killed by SIGKILL during the handshake, before it sent ready; not sent by x/,
    );
  });

  it('refuses a runner of another protocol version', async () => {
    const run = await start('wrong-version');
    expect(run.exit?.reason).toBe('handshake_failed');
    expect(run.exit?.explanation).toMatch(/version 99.*version 1/);
  });

  it('refuses a runner that sends a frame before ready', async () => {
    const run = await start('early-frame');
    expect(run.exit?.reason).toBe('handshake_failed');
    expect(run.exit?.explanation).toMatch(/iteration_done before ready/);
  });

  it('reports spawn_failed for a missing program', async () => {
    const broken = new RunnerSupervisor({
      launcher: createSubprocessLauncher({ command: '/nonexistent/x-runner', args: [] }),
      store,
      logsDir: `${dir.path}/logs`,
    });
    const run = await broken.start({ module: '/fixture.mjs', name: 'nope' });
    expect(run.exit).toMatchObject({ reason: 'spawn_failed' });
    expect(run.exit?.explanation).toMatch(/ENOENT/);
  });

  it('SIGTERMs a runner that ignores IPC stop, within the budget', async () => {
    await start('term-on-stop');
    const began = Date.now();
    const record = await supervisor.stop('term-on-stop', { ipcMs: 300, sigtermMs: 3000 });
    expect(record.exit).toMatchObject({
      reason: 'stopped',
      stopPhase: 'sigterm',
      signal: 'SIGTERM',
    });
    expect(Date.now() - began).toBeLessThan(3000);
  });

  it('SIGKILLs a runner that ignores stop and SIGTERM, and its grandchildren', async () => {
    const run = await start('spawn-child');
    await waitFor(() => /grandchild \d+/.test(readLog(run.logPath!)), 3000);
    const grandchild = Number(/grandchild (\d+)/.exec(readLog(run.logPath!))?.[1]);
    expect(isAlive(grandchild)).toBe(true);
    const began = Date.now();
    const record = await supervisor.stop('spawn-child', { ipcMs: 300, sigtermMs: 300 });
    expect(record.exit).toMatchObject({
      reason: 'stopped',
      stopPhase: 'sigkill',
      signal: 'SIGKILL',
    });
    expect(Date.now() - began).toBeLessThan(3000);
    expect(await waitFor(() => !isAlive(grandchild), 2000)).toBe(true);
  });

  it('reports and skips invalid frames, and keeps reading valid ones', async () => {
    const run = await start('garbage');
    await waitFor(() => (supervisor.get(run.runId)?.iterations ?? 0) >= 1, 5000);
    expect(supervisor.get(run.runId)?.lastSummary).toBe('after garbage');
    const log = readLog(run.logPath!);
    expect(log).toMatch(/protocol: .*not valid UTF-8 JSON/);
    expect(log).toMatch(/protocol: .*field \/iteration/);
  });

  it('kills a runner that keeps sending invalid frames, as protocol_error', async () => {
    const run = await start('spam');
    await waitFor(() => supervisor.get(run.runId)?.state === 'exited', 5000);
    const record = supervisor.get(run.runId);
    expect(record?.exit).toMatchObject({ reason: 'protocol_error', signal: 'SIGKILL' });
    expect(record?.exit?.explanation).toMatch(/more than 20 invalid frames within 60 s/);
  });

  it('skips messages of unknown types without counting them as protocol errors', async () => {
    const run = await start('future');
    await waitFor(() => (supervisor.get(run.runId)?.iterations ?? 0) >= 3, 5000);
    expect(supervisor.get(run.runId)?.state).toBe('running');
    expect(readLog(run.logPath!)).toMatch(/protocol: .*unknown message type "from_the_future"/);
  });

  it('runs a command instead of the launcher default, with no module in init', async () => {
    const commandOnly = new RunnerSupervisor({
      launcher: createSubprocessLauncher({ command: '/nonexistent/default-runner', args: [] }),
      store,
      logsDir: `${dir.path}/logs`,
    });
    const notes: unknown[] = [];
    commandOnly.onEvent((event) => {
      if (event.type === 'notify') {
        notes.push(event.payload);
      }
    });
    const run = await commandOnly.start({
      command: [process.execPath, PROTOCOL_RUNNER],
      env: { FIXTURE_MODE: 'echo-init' },
    });
    expect(run).toMatchObject({ state: 'running', name: 'node', module: null });
    expect(run.options.command).toEqual([process.execPath, PROTOCOL_RUNNER]);
    await waitFor(() => notes.length > 0, 3000);
    const init = (notes[0] as { init: Record<string, unknown> }).init;
    expect(init).toMatchObject({ type: 'init', name: 'node', protocolVersion: 1 });
    expect('module' in init).toBe(false);
    expect((await commandOnly.stop(run.runId)).exit?.reason).toBe('stopped');
  });

  it('refuses a start with both or neither of module and command', async () => {
    await expect(supervisor.start({ name: 'none' })).rejects.toMatchObject({ code: -32602 });
    await expect(supervisor.start({ module: '/a.mjs', command: ['node'] })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it('refuses a second active run with the same name', async () => {
    await start('ok');
    await expect(start('ok')).rejects.toMatchObject({ code: -32002 });
  });

  it('never reports stopped before the exit is observed', async () => {
    const run = await start('ignore-stop');
    const stopping = supervisor.stop(run.runId, { ipcMs: 200, sigtermMs: 200 });
    expect(supervisor.get(run.runId)?.state).toBe('stopping');
    const record = await stopping;
    expect(isAlive(run.pid!)).toBe(false);
    expect(record.state).toBe('exited');
  });

  it('stopAll stops every run and refuses new ones', async () => {
    const a = await start('ok', { name: 'a' });
    const b = await start('ok', { name: 'b' });
    const records = await supervisor.stopAll();
    expect(records.map((r) => r.exit?.reason)).toEqual(['stopped', 'stopped']);
    expect(isAlive(a.pid!) || isAlive(b.pid!)).toBe(false);
    await expect(start('ok', { name: 'c' })).rejects.toMatchObject({ code: -32004 });
  });
});

function readLog(path: string): string {
  return readFileSync(path, 'utf8');
}
