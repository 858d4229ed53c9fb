import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, RunnerSupervisor } from '../src/index.js';
import { fixtureLauncher, tempDir, waitFor } from './helpers.js';

// init.budgeted, budget_state and usage_ack between the supervisor and a runner written against
// the wire protocol only (test/fixtures/protocol-runner.mjs, mode usage-acks).
describe('usage acks and budget_state (real runner process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let notes: unknown[];

  beforeEach(() => {
    dir = tempDir();
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: fixtureLauncher(),
      store,
      logsDir: `${dir.path}/logs`,
      handshakeTimeoutMs: 6000,
    });
    notes = [];
    supervisor.onEvent((event) => {
      if (event.type === 'notify') {
        notes.push(event.payload);
      }
    });
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 200, sigtermMs: 200 });
    store.close();
    dir.remove();
  });

  const start = (budget?: { maxCostUsd: number }, mode = 'usage-acks') =>
    supervisor.start({
      module: '/fixture.mjs',
      name: 'acks',
      env: { FIXTURE_MODE: mode },
      ...(budget === undefined ? {} : { budget }),
    });
  const got = () =>
    notes.flatMap((note) => ('got' in (note as object) ? [(note as { got: unknown }).got] : []));

  it('under a budget: each report is acked, with the headroom left, after the pause it caused; budget removed: budget_state false', async () => {
    const run = await start({ maxCostUsd: 1.5 });
    await waitFor(() => got().length >= 3, 5000);
    expect(notes[0]).toEqual({ budgeted: true });
    // The second $1 reached $1.50: its pause comes before its ack.
    expect(got()).toEqual([
      { type: 'usage_ack', ack: 1, headroom: { costUsd: 0.5 } },
      { type: 'pause', reason: 'cost $2.00 reached the budget of $1.50 (--max-cost)' },
      { type: 'usage_ack', ack: 2, headroom: { costUsd: 0 } },
    ]);
    supervisor.setBudget(run.runId, { maxCostUsd: Infinity });
    await waitFor(() => got().length >= 4, 5000);
    expect(got()[3]).toEqual({ type: 'budget_state', budgeted: false });
  });

  it('under no budget: init.budgeted false, nothing acked; a budget set later: budget_state true', async () => {
    const run = await start();
    await waitFor(() => notes.length >= 1, 5000);
    expect(notes[0]).toEqual({ budgeted: false });
    await waitFor(() => supervisor.usage(run.runId).calls === 2, 5000);
    supervisor.setBudget(run.runId, { maxCostUsd: 10 });
    await waitFor(() => got().length >= 1, 5000);
    expect(got()).toEqual([{ type: 'budget_state', budgeted: true }]);
  });

  it('a runner without capabilities.usageAcks is sent no budget_state, and its reports count as before', async () => {
    const run = await start({ maxCostUsd: 10 }, 'usage-old');
    await waitFor(() => supervisor.usage(run.runId).calls === 2, 5000);
    expect(notes[0]).toEqual({ budgeted: true }); // init.budgeted is sent all the same
    supervisor.setBudget(run.runId, { maxCostUsd: 1 });
    await waitFor(() => got().length >= 1, 5000);
    expect(got()).toEqual([
      { type: 'pause', reason: 'cost $2.00 reached the budget of $1.00 (--max-cost)' },
    ]);
  });
});
