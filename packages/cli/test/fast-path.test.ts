import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempHome, waitFor, x, xJson, type Result } from './helpers.js';

// The client commands' fast path (bin.cjs → dist/client.cjs, no commander) against the whole
// CLI (main in dist/cli.mjs), on one real daemon: same stdout, stderr and exit code (issue 12).
const FULL_CLI = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
const RECORD_LOADS = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

/** `x args` through main (commander), as before the fast path existed. */
function full(home: string, args: string[]): Promise<Result> {
  const script = `const { main } = await import(${JSON.stringify(FULL_CLI)}); await main(process.argv);`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, 'x', ...args],
      { env: { ...process.env, X_HOME: home }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Durations and clock readings that differ between two runs a moment apart. */
function steady(result: Result): Result {
  const mask = (text: string) =>
    text
      .replace(/\b\d+(\.\d+)?(ms|s)\b|\b\d+[mhd]\d+[smh]\b/g, '<duration>')
      .replace(/"(uptimeMs|sampledAt|cpuPercent|rssBytes)": [\d.]+/g, '"$1": <n>')
      .replace(/cpu [\d.]+%, rss [\d.]+ MiB/g, 'cpu <n>, rss <n>');
  return { code: result.code, stdout: mask(result.stdout), stderr: mask(result.stderr) };
}

describe('x client commands: the fast path prints what the whole CLI prints', () => {
  const home = tempHome();
  const empty = tempHome();

  // 7 iterations: more than `agent status` shows by default (5).
  beforeAll(async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const run = await xJson<{ runId: string }>(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'counted',
      '--interval',
      '10',
      '--params',
      '{"doneAt": 7}',
    ]);
    expect(run.$code).toBe(0);
    const ended = await waitFor(
      async () =>
        (await xJson<{ run: { state: string } }>(home.path, ['agent', 'status', 'counted'])).run
          .state === 'exited',
      15_000,
    );
    expect(ended).toBe(true);
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
    empty.remove();
  });

  it.each([
    [['--version']],
    [['agent', 'list']],
    [['agent', 'list', '--json']],
    [['--json', 'agent', 'ls', '-a']],
    [['agent', 'status', 'counted']],
    [['agent', 'status', '--name', 'counted', '--iterations', '1', '--json']],
    [['agent', 'status', 'no-such-run']],
    [['agent', 'status', 'no-such-run', '--json']],
    [['daemon', 'status']],
    [['daemon', 'status', '--json']],
  ])('x %j', async (args) => {
    const [fast, whole] = await Promise.all([x(home.path, args), full(home.path, args)]);
    expect(steady(fast)).toEqual(steady(whole));
  });

  it.each([[['agent', 'status', 'counted', '--json']], [['daemon', 'status']]])(
    'x %j with no daemon',
    async (args) => {
      const [fast, whole] = await Promise.all([x(empty.path, args), full(empty.path, args)]);
      expect(fast.code).not.toBe(0);
      expect(fast).toEqual(whole);
    },
  );

  it('loads no ES module but bin.js, so neither commander nor the command chunks', async () => {
    const loads = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        ['--import', RECORD_LOADS, BIN, 'agent', 'status', 'counted'],
        { env: { ...process.env, X_HOME: home.path } },
        (_error, _stdout, stderr) => resolve(stderr),
      );
    });
    const loaded = loads.split('\n').filter((line) => line.startsWith('loaded file:'));
    expect(loaded).toEqual([`loaded file://${BIN}`]);
  });

  it('a usage error still gets commander’s message and hint', async () => {
    const result = await x(home.path, ['agent', 'status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('run `x agent status --help` for usage');
  });
});
