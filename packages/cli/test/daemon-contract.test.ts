import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcError } from '@x/ipc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeRun, startFakeDaemon, type FakeDaemon } from './fake-daemon.js';
import { tempHome, x, xJson } from './helpers.js';

// The CLI's side of daemon contracts that the daemon is still being given (issue 16): a fake
// daemon answers as the contract says, over the real socket and codec. The same behaviours
// are tested against the real daemon in cli.test.ts, list-paging.test.ts and daemon-stop.test.ts.
describe('the CLI against a daemon that pages agent.list and reports the current iteration', () => {
  let home: ReturnType<typeof tempHome>;
  let daemon: FakeDaemon | undefined;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await daemon?.close();
    daemon = undefined;
    home.remove();
  });

  /** `total` runs, newest first, in pages of `limit`; the cursor is the next offset. */
  const pagedList = (total: number, limit: number, active: Set<number> = new Set()) => {
    const runs = Array.from({ length: total }, (_, i) =>
      fakeRun({
        runId: `r-${String(i).padStart(8, '0')}`,
        name: `run-${i}`,
        ...(active.has(i) ? { state: 'running', exit: null, endedAt: null } : {}),
      }),
    );
    return (params: Record<string, unknown>) => {
      const from = params.cursor === undefined ? 0 : Number(params.cursor);
      const next = from + limit;
      return {
        runs: runs.slice(from, next),
        ...(next < total ? { nextCursor: String(next) } : {}),
      };
    };
  };

  it('agent list --all follows nextCursor until it is absent: every run, once; --json is one document', async () => {
    daemon = await startFakeDaemon(home.path, { 'agent.list': pagedList(250, 100) });
    const listed = await xJson<{ runs: { runId: string }[] }>(home.path, [
      'agent',
      'list',
      '--all',
    ]);
    expect(listed.$code).toBe(0);
    expect(listed.runs).toHaveLength(250);
    expect(new Set(listed.runs.map((run) => run.runId)).size).toBe(250);
    expect(daemon.calls.map((call) => call.params)).toEqual([
      { all: true },
      { all: true, cursor: '100' },
      { all: true, cursor: '200' },
    ]);
    const text = await x(home.path, ['agent', 'list', '--all']);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(251); // header + every run
    expect(text.stdout).toContain('run-249');
  });

  it('x down finds an active run listed on a later page and stops it', async () => {
    daemon = await startFakeDaemon(home.path, {
      'agent.list': pagedList(30, 10, new Set([25])),
      'agent.stop': (params) => fakeRun({ name: params.ref, runId: 'r-00000025' }),
    });
    const file = join(home.path, 'x.config.json');
    writeFileSync(file, JSON.stringify({ agents: [{ name: 'run-25', module: 'a.mjs' }] }));
    const down = await xJson<{ results: { name: string; status: string }[] }>(home.path, [
      'down',
      '--file',
      file,
    ]);
    expect(down.results).toEqual([expect.objectContaining({ name: 'run-25', status: 'stopped' })]);
    expect(daemon.calls.filter((call) => call.method === 'agent.stop')).toHaveLength(1);
  });

  it('agent status shows the iteration in progress and how long it has run; nothing when null', async () => {
    let current: unknown = { iteration: 12, startedAt: Date.now() - 184_000 };
    daemon = await startFakeDaemon(home.path, {
      'agent.status': () => ({
        run: fakeRun({ state: 'running', exit: null, endedAt: null }),
        recentIterations: [],
        lastHeartbeatAt: null,
        persistence: { ok: true, lastError: null, failures: 0 },
        pendingPermissions: [],
        recentTurns: [],
        currentIteration: current,
      }),
    });
    const shown = await x(home.path, ['agent', 'status', 'fake']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^current:\s+iteration 12 running for 3m0[4-9]s$/m);
    current = null;
    const idle = await x(home.path, ['agent', 'status', 'fake']);
    expect(idle.stdout).not.toContain('running for');
  });

  it('a setup failure (START_FAILED) exits 1 with what was thrown and its first frame; a config error exits 78', async () => {
    const stack =
      'Error: cannot reach the model endpoint\n    at setup (file:///agents/setup-fails.mjs:6:11)\n    at AgentLoop.run (file:///kernel/agent-loop.js:1:1)';
    const failed = (reason: string, exitCode: number, error: unknown) =>
      new RpcError(
        -32003,
        `x: agent broken did not start: the agent failed: setup failed (exit code ${exitCode})`,
        {
          run: fakeRun({
            name: 'broken',
            state: 'failed',
            exit: {
              reason,
              stopPhase: null,
              explanation: 'the agent failed: setup failed',
              exitCode,
              signal: null,
              stderrTail: '',
              evidence: {},
              error,
            },
          }),
        },
      );
    let answer = failed('failed', 1, {
      name: 'Error',
      message: 'cannot reach the model endpoint',
      stack,
    });
    daemon = await startFakeDaemon(home.path, {
      'agent.start': () => {
        throw answer;
      },
    });
    const setup = await x(home.path, ['agent', 'start', 'a.mjs', '--name', 'broken']);
    expect(setup.code).toBe(1);
    expect(setup.stderr.split('\n').slice(0, 3)).toEqual([
      'x: agent broken did not start: the agent failed: setup failed (exit code 1)',
      '  Error: cannot reach the model endpoint',
      '    at setup (file:///agents/setup-fails.mjs:6:11)',
    ]);
    answer = failed('config_error', 78, { name: 'ConfigError', message: 'API_KEY is not set' });
    const config = await x(home.path, ['agent', 'start', 'a.mjs', '--name', 'broken']);
    expect(config.code).toBe(78);
    expect(config.stderr).toContain('  ConfigError: API_KEY is not set');
  });

  it('--auto-approve=a,b, `--auto-approve a b -- module` and `--auto-approve -- module` send the module and the tools apart', async () => {
    daemon = await startFakeDaemon(home.path, {
      'agent.start': () => fakeRun({ state: 'running', exit: null, endedAt: null }),
    });
    for (const args of [
      ['--auto-approve=fs.delete,fs.write', 'mod.mjs'],
      ['--auto-approve', 'fs.delete', 'fs.write', '--', 'mod.mjs'],
      ['--auto-approve', '--', 'mod.mjs'],
    ]) {
      const started = await x(home.path, ['agent', 'start', ...args]);
      expect(started.code, started.stderr).toBe(0);
    }
    expect(daemon.calls.map((call) => [call.params.module, call.params.autoApprove])).toEqual([
      [expect.stringMatching(/\/mod\.mjs$/), ['fs.delete', 'fs.write']],
      [expect.stringMatching(/\/mod\.mjs$/), ['fs.delete', 'fs.write']],
      [expect.stringMatching(/\/mod\.mjs$/), true],
    ]);
  });
});
