import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AgentLoop, type AgentLoopSink, type IterationReport } from './agent-loop.js';
import type { AgentDefinition } from './define-agent.js';
import type { TurnOutcome } from './turn.js';

type Agent = AgentDefinition<Record<string, unknown>, unknown>;

/** A loop whose sink records iteration starts, reports and turn outcomes. */
function makeLoop(agent: Agent, intervalMs = 0) {
  const starts: number[] = [];
  const reports: IterationReport[] = [];
  const turns: TurnOutcome[] = [];
  const sink: AgentLoopSink = {
    iterationStart: (iteration) => starts.push(iteration),
    iterationDone: (report) => void reports.push(report),
    log: () => undefined,
    notify: () => undefined,
    turnDone: (outcome) => turns.push(outcome),
  };
  const loop = new AgentLoop(agent, { runId: 'r', name: 'pause', params: {}, intervalMs }, sink);
  return { loop, starts, reports, turns };
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await sleep(5);
  }
}

describe('AgentLoop pause and resume', () => {
  it('a paused loop starts no iteration (the one running finishes); resume starts the next at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { loop, starts, reports } = makeLoop({
      async step(ctx) {
        if (ctx.iteration === 2) {
          await gate; // paused while this iteration runs
        }
        return { summary: `n=${ctx.iteration}` };
      },
    });
    const run = loop.run();
    await until(() => starts.includes(2));
    expect(loop.pause('budget reached')).toBe(true);
    expect([loop.paused, loop.pauseReason]).toEqual([true, 'budget reached']);
    release();
    await until(() => reports.length === 2);
    await sleep(300); // intervalMs is 0: unpaused, dozens of iterations would start meanwhile
    expect(starts).toEqual([1, 2]);
    expect(reports.map((report) => report.summary)).toEqual(['n=1', 'n=2']);

    expect(loop.resume()).toBe(true);
    expect(loop.paused).toBe(false);
    await until(() => starts.includes(3));
    loop.stop(1000);
    expect((await run).reason).toBe('stopped');
  });

  it('ctx.pauseReason and ctx.whenResumed: a step that waits before spending holds at a pause and goes on at the resume', async () => {
    const seen: (string | undefined)[] = [];
    const calls: number[] = [];
    const { loop, reports } = makeLoop({
      async step(ctx) {
        for (let call = 1; call <= 3; call += 1) {
          seen.push(ctx.pauseReason());
          await ctx.whenResumed(); // as @x/ai-sdk does before each model call
          calls.push(call);
          if (call === 1 && ctx.iteration === 1) {
            loop.pause('cost $1.00 reached the budget of $1.00 (--max-cost)');
          }
        }
        return { done: true };
      },
    });
    const run = loop.run();
    await until(() => seen.length === 2);
    await sleep(200);
    expect(calls).toEqual([1]); // call 2 waits: one call over the budget at most
    expect(seen).toEqual([undefined, 'cost $1.00 reached the budget of $1.00 (--max-cost)']);
    loop.resume();
    await until(() => reports.length === 1);
    expect(calls).toEqual([1, 2, 3]);
    expect(seen[2]).toBeUndefined();
    expect((await run).reason).toBe('done');
  });

  it('ctx.whenResumed({ wait: false }) resolves with the pause reason instead of waiting', async () => {
    const answers: (string | undefined)[] = [];
    const { loop } = makeLoop({
      async step(ctx) {
        answers.push(await ctx.whenResumed({ wait: false }));
        loop.pause('budget');
        answers.push(await ctx.whenResumed({ wait: false }));
        return { done: true };
      },
    });
    const run = loop.run();
    await until(() => answers.length === 2);
    expect(answers).toEqual([undefined, 'budget']);
    loop.resume();
    expect((await run).reason).toBe('done');
  });

  it('ctx.whenResumed rejects with the stop when the run is stopped while it waits', async () => {
    const outcome: string[] = [];
    const { loop } = makeLoop({
      async step(ctx) {
        loop.pause('hold');
        try {
          await ctx.whenResumed();
          outcome.push('resumed');
        } catch (error) {
          outcome.push(`rejected: ${ctx.signal.aborted}, ${error === ctx.signal.reason}`);
          throw error;
        }
      },
    });
    const run = loop.run();
    await until(() => loop.paused);
    await sleep(50);
    loop.stop(2000);
    expect((await run).reason).toBe('stopped');
    expect(outcome).toEqual(['rejected: true, true']); // the stop's own abort reason
  });

  it('a stop while paused ends the run promptly, with teardown, without a resume', async () => {
    const seen: string[] = [];
    const { loop, starts } = makeLoop(
      {
        step: () => undefined,
        teardown: () => void seen.push('teardown'),
      },
      10,
    );
    const run = loop.run();
    await until(() => starts.length >= 1);
    loop.pause('paused by the test');
    await sleep(50);
    const stoppedAt = performance.now();
    loop.stop(5000);
    const outcome = await run;
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
    expect(outcome.reason).toBe('stopped');
    expect(seen).toEqual(['teardown']);
    expect(loop.pause('too late')).toBe(false);
  });

  it('turns submitted while paused wait in the queue, then run in order after resume', async () => {
    const { loop, turns } = makeLoop({ turn: (input) => ({ echo: input }) });
    const run = loop.run();
    loop.pause('hold');
    const first = loop.submitTurn('a');
    const second = loop.submitTurn('b');
    await sleep(200);
    expect([first.status, second.status]).toEqual(['queued', 'queued']);
    expect(loop.queuedTurns).toBe(2);
    loop.resume();
    expect(await second.result({ timeoutMs: 5000 })).toEqual({ echo: 'b' });
    expect(turns.map((outcome) => outcome.turnId)).toEqual(['t-1', 't-2']);
    loop.stop(1000);
    await run;
  });

  it('a pause before run lets setup run, then starts nothing until resume', async () => {
    const seen: string[] = [];
    const { loop, starts } = makeLoop({
      setup: () => void seen.push('setup'),
      step: () => undefined,
    });
    loop.pause('start paused');
    const run = loop.run();
    await until(() => seen.includes('setup'));
    await sleep(150);
    expect(starts).toEqual([]);
    loop.resume();
    await until(() => starts.length >= 1);
    loop.stop(1000);
    await run;
  });

  it('a queued turn cancelled while paused ends cancelled at once; a stop cancels the others', async () => {
    const { loop } = makeLoop({ turn: () => 'never' });
    const run = loop.run();
    loop.pause('hold');
    const cancelled = loop.submitTurn('a');
    const stopped = loop.submitTurn('b');
    expect(loop.cancelTurn(cancelled.turnId, 'no longer needed')).toBe(true);
    expect((await cancelled.done()).status).toBe('cancelled');
    loop.stop(1000);
    await run;
    expect(await stopped.done()).toMatchObject({ status: 'cancelled' });
  });
});
