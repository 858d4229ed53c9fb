import { join } from 'node:path';
import { RunStore } from '@x/daemon';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

// Needs the daemon side of issue 16 (agent.list answers in pages under its 1 MiB frame):
// until it lands the daemon cannot send this list and the test fails.
describe('x agent list --all over a history larger than one answer (real daemon, SQLite)', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('lists all 401 runs whose records (4 KB stderr tails) come to ~2 MB, text and --json', async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const seed = await xJson<{ runId: string }>(home.path, [
      'agent',
      'start',
      join(FIXTURES, 'counter.mjs'),
      '--name',
      'seed',
      '--interval',
      '0',
      '--max-iterations',
      '1',
    ]);
    expect(seed.$code, seed.$stderr).toBe(0);
    await waitFor(async () => {
      const shown = await xJson<{ run: { state: string } }>(home.path, ['agent', 'status', 'seed']);
      return shown.run.state === 'exited';
    }, 10_000);
    expect((await x(home.path, ['daemon', 'stop'])).code).toBe(0);

    // 400 more finished runs, as a busy history would hold them.
    const store = new RunStore(join(home.path, 'x.db'));
    const run = store.getRun(seed.runId)!;
    for (let i = 0; i < 400; i += 1) {
      const runId = `r-${i.toString(16).padStart(8, '0')}`;
      store.insertRun({ ...run, runId, name: `old-${i}` });
      store.updateRun(runId, { exit: { ...run.exit!, stderrTail: 'e'.repeat(4000) } });
    }
    store.close();
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);

    const text = await x(home.path, ['agent', 'list', '--all']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(402); // header + 401 runs
    const listed = await xJson<{ runs: { runId: string }[] }>(
      home.path,
      ['agent', 'list', '--all'],
      {},
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(listed.$code, listed.$stderr).toBe(0);
    expect(new Set(listed.runs.map((r) => r.runId)).size).toBe(401);
  });
});
