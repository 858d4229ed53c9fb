import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RpcConnection } from '@x/ipc';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunStore,
  RunnerSupervisor,
  SPARE_MAX_QUICK_DEATHS,
  createSubprocessLauncher,
  statePaths,
  type RunRecord,
  type SubprocessLauncher,
} from '../src/index.js';
import { AGENTS, PROTOCOL_RUNNER, isAlive, tempDir, waitFor } from './helpers.js';

/** The CLI's `x` (built): its daemon composes the launcher with one spare by default. */
const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const COUNTER = `${AGENTS}counter.mjs`;

/** Pids of the `runner --pipe` children of a process (from /proc). */
function runnerChildren(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes after the parenthesised command name, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === parentPid && cmdline.includes('runner\0--pipe')) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

/** Runs the built `x` with X_HOME set, in `cwd`; resolves with exit code and stdout. */
function x(
  home: string,
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env, X_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('spare runners of the CLI daemon (real `x daemon start`, real runners)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemonPid: number;
  let rpc: RpcConnection;
  let seen: Set<number>;

  const spares = () => runnerChildren(daemonPid);
  /** Waits until the daemon has exactly one idle spare, not yet used by any run, and returns it. */
  const idleSpare = async (runs: RunRecord[] = []): Promise<number> => {
    const used = new Set(runs.map((run) => run.pid));
    let found: number | undefined;
    const ok = await waitFor(() => {
      const idle = spares().filter((pid) => !used.has(pid) && !seen.has(pid));
      found = idle.length === 1 ? idle[0] : undefined;
      return found !== undefined;
    }, 10_000);
    expect(ok, 'one idle spare runner within 10 s').toBe(true);
    return found!;
  };
  const start = async (params: Record<string, unknown>): Promise<RunRecord> => {
    const run = await rpc.request<RunRecord>(
      'agent.start',
      { module: COUNTER, intervalMs: 60_000, cwd: dir.path, ...params },
      { timeoutMs: 20_000 },
    );
    seen.add(run.pid!);
    return run;
  };

  beforeEach(async () => {
    dir = tempDir('x-sp-');
    seen = new Set();
    const started = await x(dir.path, dir.path, ['daemon', 'start', '--json']);
    expect(started.code, started.stderr).toBe(0);
    daemonPid = (JSON.parse(started.stdout) as { pid: number }).pid;
    rpc = await connectRpc(statePaths(dir.path).socketPath, { timeoutMs: 5000 });
  });
  afterEach(async () => {
    rpc.close();
    if (isAlive(daemonPid)) {
      await x(dir.path, dir.path, ['daemon', 'stop']);
    }
    dir.remove();
  });

  it('a start takes the spare that was alive before it, and a new spare is started after', async () => {
    const spare = await idleSpare();
    const run = await start({ name: 'first' });
    expect(run.state).toBe('running');
    expect(run.pid).toBe(spare);
    const next = await idleSpare([run]);
    expect(next).not.toBe(spare);
    // The spare's runner is an ordinary run: it counts iterations and stops in the IPC phase.
    const stopped = await rpc.request<RunRecord>('agent.stop', { ref: 'first' });
    expect(stopped.exit).toMatchObject({ stopPhase: 'ipc' });
  });

  it('a restart after kill -9 takes the spare', async () => {
    const run = await start({
      name: 'restarts',
      restart: { mode: 'always', backoff: { initialMs: 0, jitter: 0 } },
    });
    const spare = await idleSpare([run]);
    process.kill(run.pid!, 'SIGKILL');
    let restarted: RunRecord | undefined;
    const deadline = Date.now() + 15_000;
    while (restarted === undefined && Date.now() < deadline) {
      const { run: current } = await rpc.request<{ run: RunRecord }>('agent.status', {
        ref: 'restarts',
        iterations: 0,
      });
      if (current.state === 'running' && current.pid !== run.pid) {
        restarted = current;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(restarted?.pid).toBe(spare);
  });

  it.each([
    ['an extra environment variable', { env: { SPARE_TEST: '1' } }, true],
    ['a maxMemoryMb limit (NODE_OPTIONS)', { maxMemoryMb: 256 }, true],
    ['a command', { module: undefined, command: [process.execPath, PROTOCOL_RUNNER] }, true],
    // The spares follow the codec of the last run that could use one: this one is replaced.
    ['another codec', { codec: 'msgpack' }, false],
  ])('a run with %s does not get the spare', async (_what, params, spareKept) => {
    const spare = await idleSpare();
    const run = await start({ name: 'different', ...params });
    expect(run.state).toBe('running');
    expect(run.pid).not.toBe(spare);
    if (spareKept) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(spares().filter((pid) => pid !== run.pid)).toEqual([spare]);
    }
    await rpc.request('agent.stop', { ref: 'different' });
  });

  it('a run in another cwd does not get the spare; the next spare is for that cwd', async () => {
    const other = tempDir('x-sp-cwd-');
    try {
      const spare = await idleSpare();
      const first = await start({ name: 'elsewhere-1', cwd: other.path });
      expect(first.pid).not.toBe(spare);
      // The spare for the daemon's cwd is replaced by one for the new cwd.
      await waitFor(() => !isAlive(spare), 5000);
      expect(isAlive(spare)).toBe(false);
      const next = await idleSpare([first]);
      expect(readlinkSync(`/proc/${next}/cwd`)).toBe(other.path);
      const second = await start({ name: 'elsewhere-2', cwd: other.path });
      expect(second.pid).toBe(next);
    } finally {
      other.remove();
    }
  });

  it('`x daemon stop` leaves no spare behind', async () => {
    const spare = await idleSpare();
    const stopped = await x(dir.path, dir.path, ['daemon', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(isAlive(daemonPid)).toBe(false);
    await waitFor(() => !isAlive(spare), 2500);
    expect(isAlive(spare)).toBe(false);
  });

  it('kill -9 of the daemon leaves no spare alive after 2.5 s (EOF on fd 3)', async () => {
    const spare = await idleSpare();
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => !isAlive(daemonPid), 2000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(isAlive(spare)).toBe(false);
  });

  it('X_RUNNER_SPARES=0 starts no spare', async () => {
    const stopped = await x(dir.path, dir.path, ['daemon', 'stop']);
    expect(stopped.code).toBe(0);
    const started = await x(dir.path, dir.path, ['daemon', 'start', '--json'], {
      X_RUNNER_SPARES: '0',
    });
    expect(started.code, started.stderr).toBe(0);
    daemonPid = (JSON.parse(started.stdout) as { pid: number }).pid;
    rpc.close();
    rpc = await connectRpc(statePaths(dir.path).socketPath, { timeoutMs: 5000 });
    const run = await start({ name: 'cold' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(spares()).toEqual([run.pid]);
  });
});

describe('the spare pool of a subprocess launcher (library, real processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let launcher: SubprocessLauncher;
  let supervisor: RunnerSupervisor;

  const open = (args: string[]) => {
    launcher = createSubprocessLauncher({ command: process.execPath, args, spares: 1 });
    supervisor = new RunnerSupervisor({ launcher, store, logsDir: `${dir.path}/logs` });
  };

  beforeEach(() => {
    dir = tempDir('x-spl-');
    store = new RunStore(`${dir.path}/x.db`);
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 300, sigtermMs: 300 });
    await launcher.close();
    store.close();
    dir.remove();
  });

  it('a spare killed while idle is replaced by another', async () => {
    open([`${FIXTURES}kernel-pipe.mjs`]);
    await waitFor(() => launcher.spares!.idlePids.length === 1, 10_000);
    const [first] = launcher.spares!.idlePids;
    process.kill(first, 'SIGKILL');
    await waitFor(() => {
      const idle = launcher.spares!.idlePids;
      return idle.length === 1 && idle[0] !== first;
    }, 10_000);
    expect(launcher.spares).toMatchObject({ state: 'active', died: 1, started: 2 });
    expect(launcher.spares!.idlePids[0]).not.toBe(first);
  });

  it(`a spare that keeps dying is started ${SPARE_MAX_QUICK_DEATHS} times, then no more`, async () => {
    open(['-e', 'process.exit(3)']);
    await waitFor(() => launcher.spares!.state === 'disabled', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(launcher.spares).toMatchObject({
      state: 'disabled',
      started: SPARE_MAX_QUICK_DEATHS,
      died: SPARE_MAX_QUICK_DEATHS,
      idlePids: [],
    });
    expect(launcher.spares!.disabledWhy).toContain('exit code 3');
  });

  it("a spare's output from before the handover reaches the run log", async () => {
    open([`${FIXTURES}early-output-pipe.mjs`]);
    await waitFor(() => launcher.spares!.idlePids.length === 1, 10_000);
    const [spare] = launcher.spares!.idlePids;
    // Let the spare write its lines long before a run takes it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const run = await supervisor.start({
      module: COUNTER,
      name: 'early',
      intervalMs: 60_000,
      cwd: process.cwd(),
    });
    expect(run.pid).toBe(spare);
    await supervisor.stop(run.runId);
    const log = readFileSync(supervisor.get(run.runId)!.logPath!, 'utf8');
    expect(log).toContain(`early stdout from pid ${spare}`);
    expect(log).toContain(`early stderr from pid ${spare}`);
  });

  it("a spare outlives the runner's 10 s init timeout, and its agent does not see X_RUNNER_SPARE", async () => {
    open([`${FIXTURES}kernel-pipe.mjs`]);
    await waitFor(() => launcher.spares!.idlePids.length === 1, 10_000);
    const [spare] = launcher.spares!.idlePids;
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    expect(launcher.spares).toMatchObject({ idlePids: [spare], started: 1, died: 0 });
    const run = await supervisor.start({
      module: `${FIXTURES}spare-env-agent.mjs`,
      name: 'env',
      intervalMs: 60_000,
      cwd: process.cwd(),
    });
    expect(run.pid).toBe(spare);
    await waitFor(() => supervisor.get(run.runId)?.lastSummary !== null, 10_000);
    expect(supervisor.get(run.runId)?.lastSummary).toBe(`spare=unset cwd=${process.cwd()}`);
  }, 30_000);

  it('close() kills the idle spare and starts no other', async () => {
    open([`${FIXTURES}kernel-pipe.mjs`]);
    await waitFor(() => launcher.spares!.idlePids.length === 1, 10_000);
    const [spare] = launcher.spares!.idlePids;
    await launcher.close();
    expect(isAlive(spare)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(launcher.spares).toMatchObject({ state: 'closed', idlePids: [], started: 1, died: 0 });
  });
});
