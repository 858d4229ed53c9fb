import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLES,
  FIXTURES,
  FIXTURES_CLI,
  isAlive,
  tempHome,
  waitFor,
  x,
  xJson,
} from './helpers.js';

interface Run {
  runId: string;
  name: string;
  state: string;
  pid: number | null;
  iterations: number;
  exit: null | {
    reason: string;
    stopPhase: string | null;
    exitCode: number | null;
    signal: string | null;
    explanation: string;
  };
}

describe('x: the main job end to end (real daemon, runners, socket, SQLite)', () => {
  const home = tempHome();
  let daemonPid = 0;

  beforeAll(async () => {
    const started = await xJson<{ status: string; pid: number; socketPath: string }>(home.path, [
      'daemon',
      'start',
    ]);
    expect(started.$code).toBe(0);
    expect(started.status).toBe('started');
    daemonPid = started.pid;
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  const status = (ref: string) => xJson<{ run: Run }>(home.path, ['agent', 'status', ref]);

  it('daemon start on a running daemon says so and exits 0', async () => {
    const again = await x(home.path, ['daemon', 'start']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running (pid ${daemonPid})`);
  });

  it('starts an agent, counts its iterations and persists them in SQLite, then stops it in the IPC phase', async () => {
    const run = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'probe',
      '--interval',
      '50',
    ]);
    expect(run.$code).toBe(0);
    expect(run).toMatchObject({ name: 'probe', state: 'running' });
    expect(isAlive(run.pid!)).toBe(true);

    await waitFor(async () => (await status('probe')).run.iterations >= 3, 10_000);
    const list = await xJson<{ runs: Run[] }>(home.path, ['agent', 'list']);
    expect(list.runs.find((r) => r.name === 'probe')).toMatchObject({
      state: 'running',
      pid: run.pid,
    });
    const logs = await xJson<{ lines: string[] }>(home.path, ['agent', 'logs', 'probe']);
    expect(logs.lines.some((line) => /x\| attempt 1: ready \(pid \d+\)/.test(line))).toBe(true);

    const stopped = await xJson<Run>(home.path, ['agent', 'stop', 'probe']);
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc', exitCode: 0 });
    expect(isAlive(run.pid!)).toBe(false);

    const db = new Database(`${home.path}/x.db`, { readonly: true });
    const { n } = db
      .prepare('SELECT count(*) AS n FROM agent_iterations WHERE run_id = ?')
      .get(run.runId) as { n: number };
    db.close();
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBe(stopped.iterations);
  });

  it('human output: list is a table, status names the state and pid', async () => {
    await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'human',
      '--interval',
      '200',
    ]);
    const list = await x(home.path, ['agent', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+RUN\s+STATE\s+PID\s+ATTEMPT\s+ITERATIONS/);
    const shown = await x(home.path, ['agent', 'status', '--name', 'human']);
    expect(shown.stdout).toMatch(/state:\s+running/);
    expect(shown.stdout).toMatch(/pid:\s+\d+/);
    const stop = await x(home.path, ['agent', 'stop', 'human']);
    expect(stop.stdout).toMatch(/human \(run r-[0-9a-f]+\) stopped in the ipc phase/);
  });

  it('records a runner killed with kill -9 as signaled / SIGKILL', async () => {
    const run = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'k9',
      '--interval',
      '50',
    ]);
    process.kill(run.pid!, 'SIGKILL');
    await waitFor(async () => (await status('k9')).run.state === 'exited', 10_000);
    expect((await status('k9')).run.exit).toMatchObject({
      reason: 'signaled',
      signal: 'SIGKILL',
      stopPhase: null,
    });
  });

  it('SIGKILLs an agent that ignores stop within the 5 s budget', async () => {
    const run = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}ignore-stop.mjs`,
      '--name',
      'stubborn',
      '--interval',
      '10',
    ]);
    await waitFor(async () => (await status('stubborn')).run.iterations >= 1, 5000);
    const began = Date.now();
    const stopped = await xJson<Run>(home.path, ['agent', 'stop', 'stubborn']);
    const took = Date.now() - began;
    expect(stopped.exit).toMatchObject({
      reason: 'stopped',
      stopPhase: 'sigkill',
      signal: 'SIGKILL',
    });
    expect(took).toBeGreaterThanOrEqual(4500);
    expect(took).toBeLessThan(9000);
    expect(isAlive(run.pid!)).toBe(false);
  });

  it('records a module that exits 78 as config_error, and the CLI exits 78 with the runner stderr', async () => {
    const result = await xJson<{ error: { message: string; data: { run: Run } } }>(home.path, [
      'agent',
      'start',
      `${FIXTURES}no-default-export.mjs`,
      '--name',
      'bad',
    ]);
    expect(result.$code).toBe(78);
    expect(result.error.data.run.exit).toMatchObject({ reason: 'config_error', exitCode: 78 });
    expect(result.$stderr).toContain('has no default export; export default defineAgent');
    expect((await status('bad')).run.exit?.reason).toBe('config_error');
    const missing = await x(home.path, ['agent', 'start', '/nonexistent/agent.mjs']);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('/nonexistent/agent.mjs not found');
  });

  it('keeps the protocol intact when the agent floods stdout with fake frames', async () => {
    await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}chatty.mjs`,
      '--name',
      'chatty',
      '--interval',
      '20',
    ]);
    await waitFor(async () => (await status('chatty')).run.iterations >= 5, 10_000);
    const logs = await xJson<{ lines: string[] }>(home.path, [
      'agent',
      'logs',
      'chatty',
      '-n',
      '500',
    ]);
    expect(logs.lines.some((line) => line.includes('stdout| {"type":"exit"'))).toBe(true);
    expect(logs.lines.some((line) => line.includes('stderr| stderr line'))).toBe(true);
    const stopped = await xJson<Run>(home.path, ['agent', 'stop', 'chatty']);
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc' });
  });

  it('runs the example agents doing real work', async () => {
    const watch = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${EXAMPLES}dir-watch.mjs`,
      '--name',
      'watch',
      '--param',
      `dir=${EXAMPLES}`,
      '--interval',
      '100',
    ]);
    const sys = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${EXAMPLES}system-monitor.mjs`,
      '--name',
      'sysmon',
      '--interval',
      '100',
    ]);
    expect([watch.state, sys.state]).toEqual(['running', 'running']);
    await waitFor(
      async () =>
        (await status('sysmon')).run.iterations >= 2 && (await status('watch')).run.iterations >= 2,
      10_000,
    );
    const shown = await xJson<{ run: Run & { lastSummary: string } }>(home.path, [
      'agent',
      'status',
      'watch',
    ]);
    expect(shown.run.lastSummary).toMatch(/^\d+ files: \+\d+ -\d+ ~\d+$/);
    expect(
      (
        await xJson<{ run: Run & { lastSummary: string } }>(home.path, [
          'agent',
          'status',
          'sysmon',
        ])
      ).run.lastSummary,
    ).toMatch(/^load /);
  });

  it('supervises a runner written in another language with --command', async () => {
    const run = await xJson<Run & { module: string | null; options: { command: string[] } }>(
      home.path,
      ['agent', 'start', '--command', `bash ${FIXTURES_CLI}bash-runner.sh`, '--name', 'bash'],
    );
    expect(run).toMatchObject({
      state: 'running',
      module: null,
      options: { command: ['bash', `${FIXTURES_CLI}bash-runner.sh`] },
    });
    await waitFor(async () => (await status('bash')).run.iterations >= 3, 10_000);
    const shown = await xJson<{ run: Run & { lastSummary: string } }>(home.path, [
      'agent',
      'status',
      'bash',
    ]);
    expect(shown.run.lastSummary).toMatch(/^bash says \d+$/);
    const stopped = await xJson<Run>(home.path, ['agent', 'stop', 'bash']);
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc', exitCode: 0 });
  });

  it('restarts a crashing agent by policy until the restart intensity is spent, then marks it failed', async () => {
    await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}crash-at.mjs`,
      '--name',
      'crashy',
      '--param',
      'at=1',
      '--interval',
      '10',
      '--restart',
      'on-failure',
      '--restart-delay',
      '100',
      '--max-restarts',
      '2',
    ]);
    await waitFor(async () => (await status('crashy')).run.state === 'failed', 15_000);
    const shown = await xJson<{
      run: Run & { attempt: number; restarts: number; lastReasons: { reason: string }[] };
    }>(home.path, ['agent', 'status', 'crashy']);
    expect(shown.run).toMatchObject({
      state: 'failed',
      attempt: 3,
      restarts: 2,
      exit: { reason: 'crashed', exitCode: 1 },
    });
    expect(shown.run.lastReasons.map((r) => r.reason)).toEqual(['crashed', 'crashed', 'crashed']);
    const human = await x(home.path, ['agent', 'status', 'crashy']);
    expect(human.stdout).toMatch(/attempt:\s+3 \(2 restart\(s\), policy on-failure\)/);
    expect(human.stdout).toMatch(/restart intensity exceeded/);
  });

  it('supervises a service with an HTTP readiness probe, shows its tagged status, stops it without IPC', async () => {
    const port = await freePort();
    const server = `require('http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1')`;
    const run = await xJson<Run>(home.path, [
      '--json',
      'service',
      'start',
      '--name',
      'web',
      '--ready-http',
      `http://127.0.0.1:${port}/`,
      '--probe-interval',
      '50',
      '--',
      process.execPath,
      '-e',
      server,
    ]);
    expect(run).toMatchObject({ state: 'running', name: 'web' });
    const shown = await xJson<{ service: { state: string; pid: number } }>(home.path, [
      'service',
      'status',
      'web',
    ]);
    expect(shown.service).toEqual({ state: 'running', pid: run.pid, attempt: 1 });
    expect((await x(home.path, ['service', 'status', 'web'])).stdout).toMatch(/status:\s+running/);
    const stopped = await xJson<Run>(home.path, ['service', 'stop', 'web']);
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'sigterm' });
  });

  it('x up starts a fleet file, again is a no-op, x down stops it; a bad file names the field (exit 78)', async () => {
    const port = await freePort();
    const file = `${home.path}/x.config.json`;
    writeFileSync(
      file,
      JSON.stringify({
        agents: [
          {
            name: 'fleet-counter',
            module: `${FIXTURES}counter.mjs`,
            intervalMs: 100,
            restart: { mode: 'on-failure' },
          },
        ],
        services: [
          {
            name: 'fleet-web',
            command: [
              process.execPath,
              '-e',
              `require('http').createServer((q, r) => r.end()).listen(${port}, '127.0.0.1')`,
            ],
            probes: { readiness: { tcp: `127.0.0.1:${port}`, intervalMs: 50 } },
          },
        ],
      }),
    );
    type Results = { results: { name: string; status: string; run: Run | null }[] };
    const up = await xJson<Results>(home.path, ['up', '--file', file]);
    expect(up.$code).toBe(0);
    expect(up.results.map((r) => [r.name, r.status, r.run?.state])).toEqual([
      ['fleet-counter', 'started', 'running'],
      ['fleet-web', 'started', 'running'],
    ]);
    const again = await xJson<Results>(home.path, ['up', '--file', file]);
    expect(again.results.map((r) => r.status)).toEqual(['already_running', 'already_running']);
    const down = await xJson<Results>(home.path, ['down', '--file', file]);
    expect(down.results.map((r) => [r.status, r.run?.exit?.reason])).toEqual([
      ['stopped', 'stopped'],
      ['stopped', 'stopped'],
    ]);
    writeFileSync(
      file,
      JSON.stringify({ agents: [{ name: 'bad', module: 'a.mjs', intervalMs: 'soon' }] }),
    );
    const bad = await x(home.path, ['up', '--file', file]);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('agents[0]: field /intervalMs');
  });

  it('an agent that allocates forever under --max-memory is classified oom', async () => {
    await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}allocate-forever.mjs`,
      '--name',
      'hog',
      '--interval',
      '0',
      '--max-memory',
      '96',
    ]);
    await waitFor(async () => (await status('hog')).run.state === 'failed', 20_000);
    const shown = await status('hog');
    expect(shown.run.exit?.reason).toBe('oom');
    expect(shown.run.exit?.explanation).toMatch(/out of memory/);
  });

  // Needs the daemon side of issue 16 (agent.start fails with START_FAILED when setup throws);
  // until it lands the start is reported as a success and these two tests fail.
  it('an agent whose setup throws does not start: exit 1 with what it threw and where', async () => {
    const result = await xJson<{ error: { message: string; data: { run: Run } } }>(home.path, [
      'agent',
      'start',
      `${FIXTURES}setup-fails.mjs`,
      '--name',
      'brokensetup',
    ]);
    expect(result.$code, result.$stderr).toBe(1);
    expect(result.error.data.run.exit).toMatchObject({ reason: 'failed', exitCode: 1 });
    expect(result.$stderr).toContain('Error: cannot reach the model endpoint');
    expect(result.$stderr).toMatch(/^\s+at .*setup-fails\.mjs:\d+:\d+/m);
    const shown = await status('brokensetup');
    expect(shown.run).toMatchObject({ state: 'failed', exit: { reason: 'failed', exitCode: 1 } });
    expect(shown.run.exit?.explanation).toContain('cannot reach the model endpoint');
  });

  it('an agent whose setup throws a configuration error does not start: exit 78', async () => {
    const result = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES_CLI}setup-config-error.mjs`,
      '--name',
      'badconfig',
    ]);
    expect(result.code, result.stderr).toBe(78);
    expect(result.stderr).toContain('API_KEY is not set');
    expect((await status('badconfig')).run.exit).toMatchObject({
      reason: 'config_error',
      exitCode: 78,
    });
  });

  it('agent status shows the iteration in progress, when the daemon reports it', async () => {
    await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}slow-step.mjs`,
      '--name',
      'longstep',
      '--param',
      'stepMs=60000',
    ]);
    type Current = { currentIteration?: { iteration: number; startedAt: number } | null };
    const current = () => xJson<Current>(home.path, ['agent', 'status', 'longstep']);
    await waitFor(async () => (await current()).currentIteration != null, 3000);
    const reported = await current();
    const text = await x(home.path, ['agent', 'status', 'longstep']);
    if (!('currentIteration' in reported)) {
      // A daemon from before issue 16 does not report it: nothing is made up.
      expect(text.stdout).not.toContain('running for');
    } else {
      expect(reported.currentIteration).toMatchObject({ iteration: expect.any(Number) });
      expect(text.stdout).toMatch(/^current:\s+iteration \d+ running for \d/m);
    }
    await x(home.path, ['agent', 'stop', 'longstep']);
  });

  it('agent start needs a module or --command, not both', async () => {
    expect((await x(home.path, ['agent', 'start'])).code).toBe(2);
    expect((await x(home.path, ['agent', 'start', 'a.mjs', '--command', 'bash x.sh'])).code).toBe(
      2,
    );
  });

  it('answers garbage on the control socket with a JSON-RPC error and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(`${home.path}/x.sock`);
      let text = '';
      socket.on('data', (data) => (text += String(data)));
      socket.on('error', reject);
      socket.on('connect', () => socket.write('\u0000garbage{{{\n'));
      setTimeout(() => {
        socket.destroy();
        resolve(text);
      }, 300);
    });
    expect(JSON.parse(reply)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect((await x(home.path, ['daemon', 'status'])).code).toBe(0);
  });

  it('daemon stop stops every runner first and leaves no runner process behind', async () => {
    const runs = await xJson<{ runs: Run[] }>(home.path, ['agent', 'list']);
    const pids = runs.runs
      .filter((r) => !['exited', 'failed'].includes(r.state))
      .map((r) => r.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const stopped = await xJson<{
      status: string;
      how: string;
      activeRuns: number;
      runs: { exit: { reason: string } | null }[];
      cutShort: string[];
    }>(home.path, ['daemon', 'stop']);
    expect(stopped).toMatchObject({ status: 'stopped', how: 'rpc', activeRuns: pids.length });
    // Each run's outcome, as the daemon reports it or, from an older daemon, as it recorded it.
    expect(stopped.runs.map((run) => run.exit?.reason)).toEqual(pids.map(() => 'stopped'));
    expect(stopped.cutShort).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(isAlive(daemonPid)).toBe(false);
    const after = await x(home.path, ['daemon', 'status']);
    expect(after.code).toBe(3);
    const again = await x(home.path, ['daemon', 'stop']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('not running');
  });
});

describe('x daemon restart', () => {
  it('prints one JSON document with the stop and start reports', async () => {
    const home = tempHome();
    try {
      const first = await xJson<{
        stop: { status: string };
        start: { status: string; pid: number };
      }>(home.path, ['daemon', 'restart']);
      expect(first.stop).toEqual({ status: 'not_running', home: home.path });
      expect(first.start).toMatchObject({ status: 'started', home: home.path });
      const second = await xJson<{
        stop: { status: string; pid: number; how: string };
        start: { status: string; pid: number };
      }>(home.path, ['daemon', 'restart']);
      expect(second.stop).toMatchObject({ status: 'stopped', pid: first.start.pid, how: 'rpc' });
      expect(second.start.status).toBe('started');
      expect(second.start.pid).not.toBe(first.start.pid);
    } finally {
      await x(home.path, ['daemon', 'stop']);
      home.remove();
    }
  });
});

describe('x without a daemon', () => {
  it('says no daemon runs and how to start one, exit 69 (EX_UNAVAILABLE)', async () => {
    const home = tempHome();
    const result = await x(home.path, ['agent', 'list']);
    home.remove();
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/no daemon is running for .*; start it with `x daemon start`/);
  });

  it('rejects bad options with exit 2', async () => {
    const home = tempHome();
    const result = await x(home.path, ['agent', 'start', 'a.mjs', '--interval', 'soon']);
    home.remove();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--interval.*non-negative integer/);
  });

  it('x runner without --pipe is a usage error', async () => {
    const result = await x('/tmp', ['runner']);
    expect(result.code).toBe(2);
  });

  it('x runner --pipe started by hand (no IPC socket on fd 3) exits 64 (EX_USAGE) saying why', async () => {
    const result = await x('/tmp', ['runner', '--pipe']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('is started by the x daemon');
  });

  it('a bad command line with --json prints a JSON error, exit 2', async () => {
    const result = await x('/tmp', ['agent', 'bogus', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { exitCode: 2, data: { code: 'commander.unknownCommand' } },
    });
  });
});

describe('when the daemon dies', () => {
  it('its runners exit within 2 s, and the next daemon marks their runs daemon_lost', async () => {
    const home = tempHome();
    try {
      const daemon = await xJson<{ pid: number }>(home.path, ['daemon', 'start']);
      const run = await xJson<Run>(home.path, [
        'agent',
        'start',
        `${FIXTURES}slow-step.mjs`,
        '--name',
        'orphan',
        '--interval',
        '10',
      ]);
      process.kill(daemon.pid, 'SIGKILL');
      const began = Date.now();
      expect(await waitFor(() => !isAlive(run.pid!), 5000)).toBe(true);
      expect(Date.now() - began).toBeLessThan(2500);
      await xJson(home.path, ['daemon', 'start']);
      const shown = await xJson<{ run: Run }>(home.path, ['agent', 'status', 'orphan']);
      expect(shown.run.exit?.reason).toBe('daemon_lost');
    } finally {
      await x(home.path, ['daemon', 'stop']);
      home.remove();
    }
  });
});

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
