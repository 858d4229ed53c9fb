import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
if (!hasTmux) {
  console.warn('top.test.ts: tmux is not installed: the live view is not tested in a terminal');
}

interface Row {
  runId: string;
  name: string;
  state: string;
  pending: number;
  iterations: number;
}

describe('x top (real daemon, real runners)', () => {
  const home = tempHome();
  // A tmux server of this test's own, its socket in the temp home (removed with it): other
  // tmux sessions on the machine are not touched.
  const socket = join(home.path, 'tmux.sock');
  const session = 'top';
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  /** Waits until the screen matches `pattern` (10 s at most); returns how long it took, ms. */
  const until = async (pattern: RegExp, what: string): Promise<number> => {
    const started = Date.now();
    const seen = await waitFor(() => pattern.test(screen()), 10_000, 25);
    expect(seen, `${what}: the screen was\n${screen()}`).toBe(true);
    return Date.now() - started;
  };
  const row = (name: string) =>
    screen()
      .split('\n')
      .find((line) => line.startsWith(`${name} `));

  beforeAll(async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const starts = await Promise.all(
      [
        ['counter.mjs', 'counter'],
        ['ask-permission-step.mjs', 'asker'],
      ].map(([fixture, name]) =>
        x(home.path, [
          'agent',
          'start',
          `${FIXTURES}${fixture}`,
          '--name',
          name,
          '--interval',
          '100',
        ]),
      ),
    );
    for (const started of starts) {
      expect(started.code, started.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    if (hasTmux) {
      spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    }
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('--once prints one frame: a row per run, the pending request counted', async () => {
    const once = await x(home.path, ['top', '--once', '--width', '120']);
    expect(once.code, once.stderr).toBe(0);
    const lines = once.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^x top · .* · 2 runs \(2 active\) · event #\d+ · sort NAME ↑$/);
    expect(lines[1].split(/\s+/)).toEqual([
      ...['NAME', 'STATE', 'PID', 'ATT', 'UPTIME', 'ITER', 'IT/MIN', 'CPU%', 'MEM', 'TOKENS'],
      ...['COST', 'PERM', 'LAST', 'EXIT'],
    ]);
    // asker waits for its answer: PERM 1.
    expect(lines[2]).toMatch(/^asker +running +\d+ +1 .* 1 -$/);
    expect(lines[3]).toMatch(/^counter +running +\d+ +1 /);
    expect(once.stdout).not.toContain('\u001b'); // no colours or cursor moves in a pipe

    const rows = await xJson<Row[]>(home.path, ['top', '--once', '--json', '--sort', '-name']);
    expect(rows.map((r) => [r.name, r.state, r.pending])).toEqual([
      ['counter', 'running', 0],
      ['asker', 'running', 1],
    ]);
  });

  it('--once on 60 columns drops the columns of lowest priority instead of wrapping', async () => {
    const once = await x(home.path, ['top', '--once'], { COLUMNS: '60' });
    expect(once.code, once.stderr).toBe(0);
    const lines = once.stdout.trimEnd().split('\n');
    expect(lines[1].split(/\s+/)).toEqual([
      'NAME',
      'STATE',
      'UPTIME',
      'ITER',
      'CPU%',
      'MEM',
      'PERM',
    ]);
    expect(lines).toHaveLength(4); // title, header, two runs: nothing wrapped
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(60);
    }
  });

  it('an unknown --sort is a usage error naming the columns', async () => {
    const result = await x(home.path, ['top', '--once', '--sort', 'memory']);
    expect(result.code).toBe(2); // EXIT_CODES.USAGE
    expect(result.stderr).toContain('--sort "memory" is not a column; use one of name, state');
  });

  it.skipIf(!hasTmux)(
    'in a terminal: runs appear, state changes show within a second or so, a request is approved with a then y, q quits',
    async () => {
      const exitFile = join(home.path, 'top.exit');
      // CI=true would make Ink draw only the last frame (is-in-ci): a user's terminal has no CI.
      tmux(
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '120',
        '-y',
        '30',
        '-e',
        `X_HOME=${home.path}`,
        `env -u CI ${process.execPath} ${BIN} top; echo $? > ${exitFile}`,
      );
      await until(/^counter +running/m, 'counter is listed');
      expect(row('asker')).toMatch(/ 1 -$/); // PERM 1, no exit yet
      // The selected run (asker, the first by name) has its detail pane: the request.
      await until(/⚠ permission p-1: shell \(list files\) — a approve, d deny/, 'the request');

      // A state change made elsewhere: the run stops; its row says so soon after.
      const stopped = await x(home.path, ['agent', 'stop', 'counter']);
      expect(stopped.code, stopped.stderr).toBe(0);
      const shown = await until(/^counter +exited .* stopped$/m, 'counter exited');
      expect(shown).toBeLessThan(3000); // within a second or so; generous on a loaded machine

      // A new run appears without a keypress.
      const late = await x(home.path, [
        'agent',
        'start',
        `${FIXTURES}counter.mjs`,
        '--name',
        'late',
      ]);
      expect(late.code, late.stderr).toBe(0);
      await until(/^late +running/m, 'the new run');

      // Approve asker's request: a asks, y answers.
      tmux('send-keys', '-t', session, 'a');
      await until(/approve shell \(p-1\) for asker \(r-[0-9a-f]+\)\? y\/n/, 'the confirmation');
      tmux('send-keys', '-t', session, 'y');
      await until(/permission_answer p-1 shell granted by client/, 'the answer in the detail pane');
      await until(/^asker +exited .* completed$/m, 'asker completed once granted');
      const status = await xJson<{ run: { lastSummary: string } }>(home.path, [
        'agent',
        'status',
        'asker',
      ]);
      expect(status.run.lastSummary).toBe('decision=granted');

      // A narrower terminal: columns are dropped, rows stay one line each.
      tmux('resize-window', '-t', session, '-x', '60', '-y', '30');
      await until(/^NAME +STATE +UPTIME +ITER +CPU% +MEM +PERM$/m, 'the 60-column header');
      // UPTIME ITER CPU% MEM PERM (CPU and MEM are `-` until sampled), on one line.
      expect(row('late')).toMatch(/^late +running +\S+ +\d+ +\S+ +(\S+ MiB|-) +-$/);

      tmux('send-keys', '-t', session, 'q');
      expect(await waitFor(() => existsSync(exitFile), 5000)).toBe(true);
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    },
  );
});
