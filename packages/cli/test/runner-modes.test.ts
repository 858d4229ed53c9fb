import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, isAlive, tempHome, x as helperX, xJson as helperXJson } from './helpers.js';

interface Run {
  runId: string;
  name: string;
  state: string;
  pid: number | null;
  launcher: string;
  options: { runnerMode?: string };
  exit: null | { reason: string; stopPhase: string | null; explanation: string };
}

/** `x` and `xJson` of the helpers, in an environment without X_RUNNER_MODE, plus `env`. */
const x = (home: string, args: string[], env: Record<string, string> = {}) =>
  helperX(home, args, { X_RUNNER_MODE: undefined, ...env });
const xJson = <T>(home: string, args: string[], env: Record<string, string> = {}) =>
  helperXJson<T>(home, args, { X_RUNNER_MODE: undefined, ...env });

describe('runner modes from the command line (real daemon, threads and subprocesses)', () => {
  const home = tempHome();
  beforeAll(async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('agent start --runner-mode thread runs the agent in a thread, and status shows it', async () => {
    const run = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'threaded',
      '--interval',
      '50',
      '--runner-mode',
      'thread',
    ]);
    expect(run.$code).toBe(0);
    expect(run.state).toBe('running');
    expect(run.launcher).toBe('thread');
    expect(run.options.runnerMode).toBe('thread');
    expect(run.pid).toBeNull();
    const status = await x(home.path, ['agent', 'status', 'threaded']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^launcher:\s+thread$/m);
    expect(status.stdout).toMatch(/^state:\s+running$/m);
    const stopped = await xJson<Run>(home.path, ['agent', 'stop', 'threaded']);
    expect(stopped.exit).toMatchObject({ reason: 'stopped', stopPhase: 'ipc' });
  });

  it('X_RUNNER_MODE of the CLI picks the mode when no flag is given; the flag wins over it', async () => {
    const fromEnv = await xJson<Run>(
      home.path,
      ['agent', 'start', `${FIXTURES}counter.mjs`, '--name', 'env-thread'],
      { X_RUNNER_MODE: 'thread' },
    );
    expect(fromEnv.launcher).toBe('thread');
    const fromFlag = await xJson<Run>(
      home.path,
      [
        'agent',
        'start',
        `${FIXTURES}counter.mjs`,
        '--name',
        'flag-sub',
        '--runner-mode',
        'subprocess',
      ],
      { X_RUNNER_MODE: 'thread' },
    );
    expect(fromFlag.launcher).toBe('subprocess');
    expect(isAlive(fromFlag.pid!)).toBe(true);
    const none = await xJson<Run>(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'default-mode',
    ]);
    expect(none.launcher).toBe('subprocess');
    for (const name of ['env-thread', 'flag-sub', 'default-mode']) {
      expect((await x(home.path, ['agent', 'stop', name])).code).toBe(0);
    }
  });

  it('refuses thread mode for --command (exit 1, naming why) and a bad X_RUNNER_MODE (exit 78)', async () => {
    const command = await x(home.path, [
      'agent',
      'start',
      '--command',
      `${process.execPath} -e 0`,
      '--runner-mode',
      'thread',
    ]);
    expect(command.code).toBe(1);
    expect(command.stderr).toContain('a command run (--command) is always a subprocess');
    const bad = await x(home.path, ['agent', 'start', `${FIXTURES}counter.mjs`], {
      X_RUNNER_MODE: 'fibre',
    });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('X_RUNNER_MODE="fibre" is not a runner mode');
    const usage = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--runner-mode',
      'fork',
    ]);
    expect(usage.code).toBe(2);
  });

  it('x up takes runner.mode from the fleet file: top level, overridden per agent', async () => {
    const file = `${home.path}/x.config.json`;
    writeFileSync(
      file,
      JSON.stringify({
        runner: { mode: 'thread' },
        agents: [
          { name: 'fleet-default', module: `${FIXTURES}counter.mjs`, intervalMs: 100 },
          {
            name: 'fleet-sub',
            module: `${FIXTURES}counter.mjs`,
            intervalMs: 100,
            runner: { mode: 'subprocess' },
          },
        ],
      }),
    );
    type Results = { results: { name: string; status: string; run: Run | null }[] };
    const up = await xJson<Results>(home.path, ['up', '--file', file]);
    expect(up.$code).toBe(0);
    expect(up.results.map((r) => [r.name, r.status, r.run?.launcher])).toEqual([
      ['fleet-default', 'started', 'thread'],
      ['fleet-sub', 'started', 'subprocess'],
    ]);
    expect((await x(home.path, ['down', '--file', file])).code).toBe(0);
    writeFileSync(
      file,
      JSON.stringify({
        agents: [{ name: 'bad', module: `${FIXTURES}counter.mjs`, runner: { mode: 'fiber' } }],
      }),
    );
    const bad = await x(home.path, ['up', '--file', file]);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('agents[0]: field /runner');
  });
});

describe('a daemon started with X_RUNNER_MODE=thread', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('runs agent modules as threads by default and says so in daemon status', async () => {
    expect((await x(home.path, ['daemon', 'start'], { X_RUNNER_MODE: 'thread' })).code).toBe(0);
    const status = await x(home.path, ['daemon', 'status']);
    expect(status.stdout).toMatch(/^launcher:\s+thread \(default; also subprocess\)$/m);
    const run = await xJson<Run>(home.path, ['agent', 'start', `${FIXTURES}counter.mjs`]);
    expect(run.launcher).toBe('thread');
    expect((await x(home.path, ['agent', 'stop', 'counter'])).code).toBe(0);
  });
});
