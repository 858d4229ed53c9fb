import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  silentLogger,
  startDaemon,
  type DaemonHandle,
  type RunRecord,
  type RunnerMode,
} from '../src/index.js';
import { AGENTS, isAlive, kernelLauncher, tempDir, waitFor } from './helpers.js';

// Issue 10: an agent that counts in its checkpointed state, kill -9ed at random moments, never
// goes back past an acknowledged checkpoint; usage reaches a budget and pauses the run.

const COUNTER = `${AGENTS}checkpoint-counter.mjs`;
const FAST_RESTART = {
  mode: 'always' as const,
  backoff: { initialMs: 10, multiplier: 1, maxMs: 10, jitter: 0 },
  intensity: { maxRestarts: 100, periodMs: 60_000 },
};

function countOf(summary: string | null | undefined): number {
  return Number(/count=(\d+)/.exec(summary ?? '')?.[1] ?? Number.NaN);
}

describe.each<RunnerMode>(['subprocess', 'thread'])('durable agents (%s runner)', (mode) => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  beforeEach(async () => {
    dir = tempDir('x-du-');
    daemon = await startDaemon({
      home: `${dir.path}/home`,
      launcher: kernelLauncher(),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('a restarted attempt resumes from the newest acknowledged checkpoint, never before it', async () => {
    const d = daemon!;
    const run = await d.supervisor.start({
      module: COUNTER,
      name: 'counter',
      intervalMs: 20,
      runnerMode: mode,
      restart: FAST_RESTART,
      params: mode === 'thread' ? { exitEvery: 7 } : {},
    });
    const firstOf = (attempt: number) =>
      d.supervisor
        .iterations(run.runId, 1000)
        .filter((iteration) => iteration.attempt === attempt)
        .at(-1);
    for (let kill = 0; kill < 5; kill += 1) {
      // Let it count a little, then kill it at a random moment.
      await new Promise((resolve) => setTimeout(resolve, 60 + Math.random() * 120));
      const before = d.supervisor.get(run.runId) as RunRecord;
      const acked = d.supervisor.checkpoints.newest(run.runId);
      const ackedCount = (acked?.state as { count: number } | undefined)?.count ?? 0;
      if (mode === 'subprocess') {
        process.kill(-(before.pgid ?? before.pid!), 'SIGKILL');
      }
      // (A thread runner exits by itself every 7 counts, right after an acknowledged checkpoint.)
      const next = before.attempt + 1;
      expect(await waitFor(() => firstOf(next) !== undefined, 10_000)).toBe(true);
      // The next attempt's first count follows the acknowledged one: nothing acknowledged is lost.
      expect(countOf(firstOf(next)?.summary)).toBeGreaterThan(ackedCount);
    }
    const checkpoints = d.supervisor.checkpoints.list(run.runId);
    expect(checkpoints.length).toBeLessThanOrEqual(5);
    expect(checkpoints.map((c) => c.seq)).toEqual(
      [...checkpoints.map((c) => c.seq)].sort((a, b) => b - a),
    );
  }, 60_000);

  it('reaching --max-cost pauses the run (process alive, no new iteration); resume --add-cost goes on', async () => {
    const d = daemon!;
    const run = await d.supervisor.start({
      module: COUNTER,
      name: 'spender',
      intervalMs: 20,
      runnerMode: mode,
      params: { costPerStep: 0.25 },
      budget: { maxCostUsd: 1 },
    });
    expect(await waitFor(() => d.supervisor.get(run.runId)?.state === 'paused', 10_000)).toBe(true);
    const paused = d.supervisor.get(run.runId) as RunRecord;
    expect(paused.pause).toMatchObject({ by: 'budget', limit: 'maxCostUsd', limitValue: 1 });
    expect(d.supervisor.usage(run.runId).costUsd).toBeCloseTo(1, 6);
    const iterations = paused.iterations;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const still = d.supervisor.get(run.runId) as RunRecord;
    // At most the iteration in progress when the pause came finishes.
    expect(still.iterations).toBeLessThanOrEqual(iterations + 1);
    expect(still.state).toBe('paused');
    if (mode === 'subprocess') {
      expect(isAlive(still.pid!)).toBe(true);
    }
    expect(() => d.supervisor.resume(run.runId)).toThrow(/still be over its budget/);
    const resumed = d.supervisor.resume(run.runId, { addCostUsd: 0.5 });
    expect(resumed.state).toBe('running');
    expect(resumed.options.budget?.maxCostUsd).toBeCloseTo(
      1.5 + (d.supervisor.usage(run.runId).costUsd - 1.5 > 0 ? 0 : 0),
      1,
    );
    expect(await waitFor(() => d.supervisor.get(run.runId)?.state === 'paused', 10_000)).toBe(true);
    expect(d.supervisor.usage(run.runId).costUsd).toBeGreaterThanOrEqual(1.5);
    // Changed while paused, the budget holds it paused until resumed; lowered while running,
    // it pauses the run at once.
    const raised = d.supervisor.setBudget(run.runId, { addCostUsd: 10 });
    expect(raised.state).toBe('paused');
    expect(d.supervisor.resume(run.runId).state).toBe('running');
    expect(d.supervisor.setBudget(run.runId, { maxCostUsd: 0.5 }).state).toBe('paused');
  }, 30_000);

  it("a turn's usage is counted by model: a model without a price is named, its tokens counted", async () => {
    const d = daemon!;
    const run = await d.supervisor.start({
      module: `${AGENTS}turn-echo.mjs`,
      name: 'turn-usage',
      runnerMode: mode,
      budget: { maxCostUsd: 5 },
    });
    const usage = [
      { inputTokens: 10, outputTokens: 1, model: 'in-house-llm-7b' },
      { inputTokens: 20, outputTokens: 2, costUsd: 0.01, model: 'gpt-4o-mini' },
      { inputTokens: 30, outputTokens: 3, model: 'in-house-llm-7b' },
    ];
    const turn = await d.supervisor.send(run.runId, { usage }, { wait: true, timeoutMs: 10_000 });
    expect(turn.status).toBe('ok');
    expect(turn.usage).toEqual({ inputTokens: 60, outputTokens: 6, costUsd: 0.01 });
    const spent = d.supervisor.runUsage(d.supervisor.get(run.runId) as RunRecord);
    // Reported call by call (usage naming the turn): 3 reports, 2 of them without a cost.
    expect(spent).toMatchObject({
      inputTokens: 60,
      outputTokens: 6,
      calls: 3,
      callsWithoutCost: 2,
    });
    expect(spent.costUsd).toBeCloseTo(0.01, 9);
    expect(spent.modelsWithoutCost).toEqual([{ model: 'in-house-llm-7b', calls: 2 }]);
    expect(spent.costBudgetWarning).toMatch(/cannot see model in-house-llm-7b:/);
  }, 30_000);

  it('a turn that reaches --max-cost is paused before its next call, in the turn; resumed, it ends', async () => {
    const d = daemon!;
    const run = await d.supervisor.start({
      module: `${AGENTS}turn-echo.mjs`,
      name: 'turn-budget',
      runnerMode: mode,
      budget: { maxCostUsd: 0.02 },
    });
    const usage = Array.from({ length: 5 }, () => ({ inputTokens: 1, costUsd: 0.01 }));
    const turn = d.supervisor.send(run.runId, { usage }, { wait: true, timeoutMs: 20_000 });
    expect(await waitFor(() => d.supervisor.get(run.runId)?.state === 'paused', 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a 3rd report would come now
    expect(d.supervisor.usage(run.runId)).toMatchObject({ calls: 2, inputTokens: 2 });
    d.supervisor.resume(run.runId, { addCostUsd: 1 });
    expect((await turn).status).toBe('ok');
    expect(d.supervisor.usage(run.runId)).toMatchObject({ calls: 5, inputTokens: 5 });
  }, 30_000);

  it('a fork --from another run starts from its checkpoint', async () => {
    const d = daemon!;
    const source = await d.supervisor.start({
      module: COUNTER,
      name: 'source',
      intervalMs: 10,
      maxIterations: 7,
      runnerMode: mode,
    });
    expect(await waitFor(() => d.supervisor.get(source.runId)?.state === 'exited', 10_000)).toBe(
      true,
    );
    const third = d.supervisor.checkpoints.list(source.runId).find((c) => c.seq === 3);
    expect(third).toBeDefined();
    const fork = await d.supervisor.start({
      module: COUNTER,
      name: 'fork',
      intervalMs: 10,
      maxIterations: 1,
      runnerMode: mode,
      from: { runId: 'source', seq: 3 },
    });
    expect(await waitFor(() => d.supervisor.get(fork.runId)?.state === 'exited', 10_000)).toBe(
      true,
    );
    expect(d.supervisor.get(fork.runId)?.lastSummary).toMatch(/^count=4 /);
  }, 30_000);

  // A thread runner has no process to kill -9: the subprocess case covers the daemon's side.
  it.skipIf(mode === 'thread')(
    'turns queued behind a running one outlive a kill -9: the next attempt answers them, in order',
    async () => {
      const d = daemon!;
      const run = await d.supervisor.start({
        module: `${AGENTS}turn-slow.mjs`,
        name: 'turns',
        runnerMode: mode,
        restart: FAST_RESTART,
      });
      const first = await d.supervisor.send(run.runId, { ms: 60_000 });
      const waits = [1, 2].map((n) =>
        d.supervisor.send(run.runId, { ms: 10 * n }, { wait: true, timeoutMs: 20_000 }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = d.supervisor.get(run.runId) as RunRecord;
      process.kill(-(before.pgid ?? before.pid!), 'SIGKILL');
      const [second, third] = await Promise.all(waits);
      expect([second.status, third.status]).toEqual(['ok', 'ok']);
      expect([second.attempt, third.attempt]).toEqual([2, 2]);
      expect(d.supervisor.turn(run.runId, first.turnId)).toMatchObject({
        status: 'error',
        error: expect.stringMatching(/may have been running/),
      });
    },
    30_000,
  );

  // A thread runner cannot be killed from outside (a stop would end the run): subprocess only.
  it.skipIf(mode === 'thread')(
    'a paused run that crashes is restarted by its policy and comes back paused',
    async () => {
      const d = daemon!;
      const run = await d.supervisor.start({
        module: COUNTER,
        name: 'paused-crash',
        intervalMs: 20,
        runnerMode: mode,
        restart: FAST_RESTART,
      });
      expect(await waitFor(() => (d.supervisor.get(run.runId)?.iterations ?? 0) >= 2, 10_000)).toBe(
        true,
      );
      d.supervisor.pause(run.runId, 'hold on');
      const paused = d.supervisor.get(run.runId) as RunRecord;
      expect(paused.state).toBe('paused');
      process.kill(-(paused.pgid ?? paused.pid!), 'SIGKILL');
      expect(
        await waitFor(() => {
          const now = d.supervisor.get(run.runId) as RunRecord;
          return now.attempt === paused.attempt + 1 && now.state === 'paused';
        }, 10_000),
      ).toBe(true);
      const after = d.supervisor.get(run.runId) as RunRecord;
      expect(after.pause).toMatchObject({ by: 'client', reason: 'hold on' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The new attempt starts paused (init.paused): not even its first step runs.
      expect(
        d.supervisor.iterations(run.runId, 1000).filter((i) => i.attempt === after.attempt),
      ).toEqual([]);
      expect(d.supervisor.resume(run.runId).state).toBe('running');
    },
    30_000,
  );
});
