import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, startDaemon, type DaemonHandle } from '../src/index.js';
import { AGENTS, kernelLauncher, tempDir, waitFor } from './helpers.js';

// A reboot: systemd sends the daemon SIGTERM (shutdown with resume), and starts it again.
describe('a daemon shut down with resume brings back the runs whose policy says so', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  const start = () =>
    startDaemon({ home: `${dir.path}/home`, launcher: kernelLauncher(), logger: silentLogger });
  beforeEach(() => {
    dir = tempDir('x-sr-');
  });
  afterEach(async () => {
    await daemon?.shutdown();
    daemon = undefined;
    dir.remove();
  });

  it('restart always and on-failure resume (from their checkpoint), restart no stays stopped; without resume none does', async () => {
    daemon = await start();
    const runs = await Promise.all(
      (['always', 'on-failure', 'no'] as const).map((mode) =>
        daemon!.supervisor.start({
          module: `${AGENTS}checkpoint-counter.mjs`,
          name: `counter-${mode}`,
          intervalMs: 20,
          restart: { mode },
        }),
      ),
    );
    const counted = (runId: string) =>
      Number(/count=(\d+)/.exec(daemon!.supervisor.get(runId)?.lastSummary ?? '')?.[1] ?? 0);
    expect(await waitFor(() => runs.every((run) => counted(run.runId) >= 3), 10_000)).toBe(true);
    await daemon.shutdown({ resume: true });

    daemon = await start();
    const [always, onFailure, no] = runs.map((run) => run.runId);
    // Back as their next attempt, counting on from their checkpoint, not from 1: the first
    // count of attempt 2 is past the last of attempt 1 (its checkpoint, saved before it).
    const ofAttempt = (runId: string, attempt: number) =>
      daemon!.supervisor
        .iterations(runId, 1000)
        .filter((iteration) => iteration.attempt === attempt)
        .map((iteration) => Number(/count=(\d+)/.exec(iteration.summary ?? '')?.[1]));
    expect(
      await waitFor(
        () => ofAttempt(always, 2).length > 0 && ofAttempt(onFailure, 2).length > 0,
        20_000,
      ),
    ).toBe(true);
    for (const runId of [always, onFailure]) {
      expect(daemon.supervisor.get(runId)).toMatchObject({ state: 'running', attempt: 2 });
      const lastOfFirst = Math.max(...ofAttempt(runId, 1));
      expect(lastOfFirst).toBeGreaterThanOrEqual(3);
      expect(Math.min(...ofAttempt(runId, 2))).toBeGreaterThan(lastOfFirst);
    }
    expect(daemon.supervisor.get(no)).toMatchObject({
      state: 'exited',
      exit: { reason: 'stopped' },
    });

    // A shutdown without resume (x daemon stop): every run stays stopped.
    await daemon.shutdown();
    daemon = await start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const runId of [always, onFailure, no]) {
      expect(daemon.supervisor.get(runId)).toMatchObject({ state: 'exited' });
    }
  }, 40_000);
});
