import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

// Issue 10 through the built CLI and a real daemon: budgets pause a run, resume raises them,
// checkpoints are listed and read, a run forks from one, and spend and checkpoints outlive the
// daemon (a graceful stop, and a kill -9).

const COUNTER = `${FIXTURES}checkpoint-counter.mjs`;

interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  calls: number;
  callsWithoutCost: number;
}
interface Run {
  runId: string;
  name: string;
  state: string;
  attempt: number;
  lastSummary: string | null;
  pause?: {
    by: 'budget' | 'client';
    reason: string;
    at: number;
    limit?: string;
    limitValue?: number;
  } | null;
  options: { budget?: { maxCostUsd?: number } | null };
}
interface Status {
  run: Run;
  usage: Usage;
  recentIterations: { attempt: number; iteration: number; summary: string | null }[];
}
interface CheckpointMeta {
  runId: string;
  seq: number;
  attempt: number;
  iteration: number | null;
  savedAt: number;
  bytes: number;
}

function countOf(summary: string | null | undefined): number {
  return Number(/count=(\d+)/.exec(summary ?? '')?.[1] ?? Number.NaN);
}

describe('durable agents: budgets, pause/resume, checkpoints (real daemon)', () => {
  const home = tempHome();
  const status = (ref: string, iterations = 5) =>
    xJson<Status>(home.path, ['agent', 'status', ref, '--iterations', String(iterations)]);
  const checkpoints = (ref: string) =>
    xJson<{ runId: string; checkpoints: CheckpointMeta[] }>(home.path, [
      'agent',
      'checkpoints',
      ref,
    ]);

  beforeAll(async () => {
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('--max-cost 1 pauses the run with the reason; resume without a change is refused, --add-cost 0.5 pauses again at $1.50; checkpoints list, read and fork; spend outlives a daemon restart', async () => {
    const start = await x(home.path, [
      'agent',
      'start',
      COUNTER,
      '--name',
      'spender',
      '--max-cost',
      '1',
      '--param',
      'costPerStep=0.25',
      '--interval',
      '50',
    ]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('budget:   $1.00 max cost, pause when reached');

    // Four steps at $0.25 reach $1.00: paused, with the reason.
    let paused: Status | undefined;
    expect(
      await waitFor(async () => {
        paused = await status('spender');
        return paused.run.state === 'paused';
      }, 10_000),
    ).toBe(true);
    expect(paused!.run.pause).toMatchObject({ by: 'budget', limit: 'maxCostUsd', limitValue: 1 });
    expect(paused!.usage.costUsd).toBeGreaterThanOrEqual(1);
    expect(paused!.usage.inputTokens).toBe(10 * paused!.usage.calls);

    const text = await x(home.path, ['agent', 'status', 'spender']);
    expect(text.stdout).toMatch(/^state: +paused$/m);
    expect(text.stdout).toMatch(
      /^paused: +cost \$1\.\d\d reached the budget of \$1\.00 \(--max-cost\) since \d{4}-\d\d-\d\dT[\d:.]+Z \([\d.ms]+ ago\)$/m,
    );
    expect(text.stdout).toMatch(/^usage: +\d+ in \/ \d+ out tokens, \$1\.\d\d \(\d+ reports\)$/m);
    expect(text.stdout).toMatch(/^budget: +\$1\.00 max cost, pause when reached$/m);
    expect(text.stdout).toContain(
      'resume with x agent resume spender --add-cost <usd> (or --max-cost <usd>)',
    );
    const list = await x(home.path, ['agent', 'list']);
    expect(list.stdout).toMatch(
      /^NAME +RUN +STATE +PID +ATTEMPT +ITERATIONS +CPU +MEM +TOKENS +COST +AGE +EXIT/,
    );
    // CPU and MEM of the paused runner's process group (sampled once a second: blank until
    // the first sample), then usage.
    expect(list.stdout).toMatch(
      /^spender +r-[0-9a-f]{8} +paused +\d+ +1 +\d+ +(?:(?:\d+\.\d%|-) +)?(?:(?:[\d.]+ [KMG]iB|-) +)?\d+ +\$1\.\d\d /m,
    );

    // Still over the budget: refused, and it stays paused.
    const refused = await x(home.path, ['agent', 'resume', 'spender']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /spender would still be over its budget: cost \$1\.\d\d reached/,
    );
    expect((await status('spender')).run.state).toBe('paused');

    const resumed = await x(home.path, ['agent', 'resume', 'spender', '--add-cost', '0.5']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [, budget, spent] =
      /^resumed spender: budget \$(\d+\.\d\d) \(spent \$(\d+\.\d\d)\)\n$/.exec(resumed.stdout) ??
      [];
    expect(Number(budget)).toBeCloseTo(Number(spent) + 0.5, 6);

    let again: Status | undefined;
    expect(
      await waitFor(async () => {
        again = await status('spender');
        return again.run.state === 'paused';
      }, 10_000),
    ).toBe(true);
    expect(again!.run.pause?.limitValue).toBeCloseTo(Number(budget), 6);
    expect(again!.usage.costUsd).toBeGreaterThanOrEqual(1.5);

    // The newest 5 checkpoints, newest first.
    const listed = await checkpoints('spender');
    expect(listed.checkpoints.length).toBeGreaterThan(0);
    expect(listed.checkpoints.length).toBeLessThanOrEqual(5);
    const seqs = listed.checkpoints.map((checkpoint) => checkpoint.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const table = await x(home.path, ['agent', 'checkpoints', 'spender']);
    expect(table.stdout).toMatch(/^SEQ +ATTEMPT +ITERATION +SIZE +AGE/);
    expect(table.stdout).toMatch(new RegExp(`^${seqs[0]} +1 +\\d+ +11 B +[\\d.ms]+`, 'm'));

    const newest = listed.checkpoints[0];
    const record = await xJson<CheckpointMeta & { state: { count: number } }>(home.path, [
      'agent',
      'checkpoints',
      'spender',
      String(newest.seq),
    ]);
    expect(record).toMatchObject({ runId: listed.runId, seq: newest.seq, attempt: 1 });
    const count = record.state.count;
    expect(count).toBe(newest.seq); // one checkpoint per count, no restart
    const state = await x(home.path, ['agent', 'checkpoints', 'spender', String(newest.seq)]);
    expect(JSON.parse(state.stdout)).toEqual({ count });
    const gone = await x(home.path, ['agent', 'checkpoints', 'spender', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('has no checkpoint 1 (only the newest are kept)');

    // A fork from that checkpoint counts on from it.
    const fork = await x(home.path, [
      'agent',
      'start',
      COUNTER,
      '--name',
      'fork',
      '--from',
      `spender@${newest.seq}`,
      '--max-iterations',
      '1',
      '--interval',
      '10',
    ]);
    expect(fork.code, fork.stderr).toBe(0);
    expect(fork.stdout).toContain(`from:     checkpoint ${newest.seq} of run ${listed.runId}`);
    expect(await waitFor(async () => (await status('fork')).run.state === 'exited', 10_000)).toBe(
      true,
    );
    expect((await status('fork')).run.lastSummary).toMatch(new RegExp(`^count=${count + 1} `));

    // The spend is stored: the same after the daemon stops (ending the run) and starts again.
    const before = (await status('spender')).usage;
    expect((await x(home.path, ['daemon', 'stop'])).code).toBe(0);
    expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
    const after = await status('spender');
    expect(after.run.state).toBe('exited');
    expect(after.usage).toEqual(before);
  }, 90_000);

  it('x agent pause and resume by hand: one line each, and --json RunRecords', async () => {
    const start = await x(home.path, [
      'agent',
      'start',
      COUNTER,
      '--name',
      'op',
      '--interval',
      '100',
    ]);
    expect(start.code, start.stderr).toBe(0);
    const pause = await x(home.path, ['agent', 'pause', 'op', '--reason', 'deploying']);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/^paused op \(run r-[0-9a-f]{8}\): deploying\n$/);
    const shown = await x(home.path, ['agent', 'status', 'op']);
    expect(shown.stdout).toMatch(/^paused: +deploying \(x agent pause\) since /m);
    expect(shown.stdout).toContain('resume with x agent resume op\n');
    // No budget, nothing reported: no usage or budget line.
    expect(shown.stdout).not.toMatch(/^(usage|budget):/m);

    const resumed = await xJson<Run>(home.path, ['agent', 'resume', 'op']);
    expect(resumed.$code).toBe(0);
    expect(resumed.state).toBe('running');
    expect(resumed.pause ?? null).toBeNull();
    const twice = await x(home.path, ['agent', 'resume', 'op']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('not paused: nothing to resume');

    const json = await xJson<Run>(home.path, ['agent', 'pause', 'op']);
    expect(json.state).toBe('paused');
    expect(json.pause).toMatchObject({ by: 'client', reason: 'paused by an operator' });
    const text = await x(home.path, ['agent', 'resume', 'op']);
    expect(text.stdout).toMatch(/^resumed op \(run r-[0-9a-f]{8}\)\n$/);
    await x(home.path, ['agent', 'stop', 'op']);
  });

  it('x agent budget changes a running budget: lowered under the spend it pauses the run at once', async () => {
    const start = await x(home.path, [
      'agent',
      'start',
      COUNTER,
      '--name',
      'budgeted',
      '--interval',
      '50',
      '--param',
      'costPerStep=0.25',
      '--max-cost',
      '100',
    ]);
    expect(start.code, start.stderr).toBe(0);
    expect(
      await waitFor(
        async () =>
          (await xJson<Status>(home.path, ['agent', 'status', 'budgeted'])).usage.costUsd >= 0.5,
        10_000,
      ),
    ).toBe(true);
    const lowered = await x(home.path, ['agent', 'budget', 'budgeted', '--max-cost', '0.5']);
    expect(lowered.code, lowered.stderr).toBe(0);
    expect(lowered.stdout).toMatch(/^budgeted: budget \$0\.50 \(spent \$\d+\.\d+\); paused\n$/);
    const raised = await xJson<Run>(home.path, ['agent', 'budget', 'budgeted', '--add-cost', '5']);
    // Raised while paused: still paused until resumed.
    expect(raised.state).toBe('paused');
    expect((await xJson<Run>(home.path, ['agent', 'resume', 'budgeted'])).state).toBe('running');
    await x(home.path, ['agent', 'stop', 'budgeted']);
  });
});

describe('durable agents: a kill -9 of the daemon', () => {
  it('loses no acknowledged checkpoint: attempt 2 counts on past the newest one read before the kill', async () => {
    const home = tempHome();
    try {
      expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
      const start = await x(home.path, [
        'agent',
        'start',
        COUNTER,
        '--name',
        'durable',
        '--restart',
        'always',
        '--restart-delay',
        '100',
        // Slow enough that the newest checkpoint listed is still stored when it is read
        // (a run keeps its newest 5).
        '--interval',
        '250',
      ]);
      expect(start.code, start.stderr).toBe(0);
      let newest: CheckpointMeta | undefined;
      expect(
        await waitFor(async () => {
          const listed = await xJson<{ checkpoints: CheckpointMeta[] }>(home.path, [
            'agent',
            'checkpoints',
            'durable',
          ]);
          newest = listed.checkpoints[0];
          return newest !== undefined && newest.seq >= 3;
        }, 10_000),
      ).toBe(true);
      const acked = await xJson<{ state: { count: number } }>(home.path, [
        'agent',
        'checkpoints',
        'durable',
        String(newest!.seq),
      ]);
      expect(acked.$code, acked.$stderr).toBe(0);
      const daemon = await xJson<{ running: boolean; pid: number }>(home.path, [
        'daemon',
        'status',
      ]);
      expect(daemon.running).toBe(true);
      process.kill(daemon.pid, 'SIGKILL');

      expect((await x(home.path, ['daemon', 'start'])).code).toBe(0);
      let first: Status['recentIterations'][number] | undefined;
      expect(
        await waitFor(
          async () => {
            const shown = await xJson<Status>(home.path, [
              'agent',
              'status',
              'durable',
              '--iterations',
              '1000',
            ]);
            first = shown.recentIterations.find((it) => it.attempt === 2 && it.iteration === 1);
            return shown.run.attempt === 2 && shown.run.state === 'running' && first !== undefined;
          },
          20_000,
          200,
        ),
      ).toBe(true);
      expect(countOf(first!.summary)).toBeGreaterThan(acked.state.count);
    } finally {
      await x(home.path, ['daemon', 'stop']);
      home.remove();
    }
  }, 60_000);
});

describe('durable agents: the daemon-wide budget', () => {
  it('x daemon start --max-cost-per-day pauses the run whose report reaches it', async () => {
    const home = tempHome();
    try {
      expect((await x(home.path, ['daemon', 'start', '--max-cost-per-day', '0.5'])).code).toBe(0);
      const start = await x(home.path, [
        'agent',
        'start',
        COUNTER,
        '--name',
        'fleet',
        '--param',
        'costPerStep=0.25',
        '--interval',
        '50',
      ]);
      expect(start.code, start.stderr).toBe(0);
      let shown: Status | undefined;
      expect(
        await waitFor(async () => {
          shown = await xJson<Status>(home.path, ['agent', 'status', 'fleet']);
          return shown.run.state === 'paused';
        }, 10_000),
      ).toBe(true);
      expect(shown!.run.pause).toMatchObject({
        by: 'budget',
        limit: 'fleetCostPerDayUsd',
        limitValue: 0.5,
      });
      const text = await x(home.path, ['agent', 'status', 'fleet']);
      expect(text.stdout).toContain("the daemon's daily budget was reached");
    } finally {
      await x(home.path, ['daemon', 'stop']);
      home.remove();
    }
  }, 30_000);
});
