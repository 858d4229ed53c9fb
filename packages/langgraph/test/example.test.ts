// examples/langgraph/research-graph.mjs under a real supervisor and real runners: the runner
// is killed in the middle of the graph, x restarts it, and the graph resumes from the daemon's
// checkpoints without running a saved super-step again.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_RESTART_POLICY,
  RunStore,
  RunnerSupervisor,
  createModeLauncher,
  createSubprocessLauncher,
  createThreadLauncher,
  type RunRecord,
} from '@x/daemon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers.js';

const EXAMPLE = fileURLToPath(
  new URL('../../../examples/langgraph/research-graph.mjs', import.meta.url),
);
const GUIDE = fileURLToPath(new URL('../../../apps/docs/guide/langgraph.md', import.meta.url));
const WORKER_ENTRY = new URL('../../kernel/dist/worker-entry.js', import.meta.url);

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return predicate();
}

describe('examples/langgraph: a graph killed mid-run resumes from the daemon', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let supervisor: RunnerSupervisor;
  let trace: string;

  beforeEach(() => {
    dir = tempDir();
    trace = `${dir.path}/trace.txt`;
    store = new RunStore(`${dir.path}/x.db`);
    supervisor = new RunnerSupervisor({
      launcher: createModeLauncher({
        subprocess: createSubprocessLauncher({
          command: process.execPath,
          args: [`${FIXTURES}kernel-pipe.mjs`],
        }),
        thread: createThreadLauncher({ workerUrl: WORKER_ENTRY, execArgv: [] }),
        defaultMode: 'subprocess',
      }),
      store,
      logsDir: `${dir.path}/logs`,
      heartbeatIntervalMs: 200,
      livenessTimeoutMs: 10_000,
    });
  });
  afterEach(async () => {
    await supervisor.stopAll({ ipcMs: 500, sigtermMs: 500 });
    store.close();
    dir.remove();
  });

  const restart = {
    mode: 'on-failure' as const,
    backoff: { ...DEFAULT_RESTART_POLICY.backoff, initialMs: 10, jitter: 0 },
  };
  const lines = () => (existsSync(trace) ? readFileSync(trace, 'utf8').split('\n') : []);
  const count = (line: string) => lines().filter((l) => l === line).length;
  const ended = async (runId: string): Promise<RunRecord | undefined> => {
    await waitFor(() => ['exited', 'failed'].includes(supervisor.get(runId)?.state ?? ''), 30_000);
    return supervisor.get(runId);
  };
  // A pending write of `task` (a node that finished in a super-step) committed by the daemon.
  const savedWrite = (runId: string, node: string) =>
    (store.database
      .prepare(
        "SELECT count(*) FROM agent_records WHERE run_id = ? AND key LIKE 'w/%' AND value LIKE ?",
      )
      .pluck()
      .get(runId, `%${node}: %`) as number) > 0;

  it('subprocess mode: kill -9 during research (outline saved), then during write', async () => {
    const run = await supervisor.start({
      module: EXAMPLE,
      name: 'research',
      intervalMs: 0,
      runnerMode: 'subprocess',
      params: { topic: 'kill', nodeMs: 300, trace },
      restart,
    });
    // Parallel super-step: outline (150 ms) finished and its write is committed; research
    // (600 ms) is still running.
    expect(await waitFor(() => savedWrite(run.runId, 'outline'), 20_000)).toBe(true);
    expect(count('end research')).toBe(0);
    process.kill(supervisor.get(run.runId)?.pid as number, 'SIGKILL');
    // Attempt 2: research runs again (its super-step was never saved), outline does not.
    expect(await waitFor(() => count('start write') === 1, 20_000)).toBe(true);
    expect(supervisor.get(run.runId)?.attempt).toBe(2);
    process.kill(supervisor.get(run.runId)?.pid as number, 'SIGKILL');

    const record = await ended(run.runId);
    expect(record).toMatchObject({ state: 'exited', attempt: 3 });
    expect(record?.lastSummary).toBe(
      'plan: kill | outline: kill | research: kill | write: kill | review: kill',
    );
    const starts = Object.fromEntries(
      ['plan', 'outline', 'research', 'write', 'review'].map((n) => [n, count(`start ${n}`)]),
    );
    expect(starts).toEqual({ plan: 1, outline: 1, research: 2, write: 2, review: 1 });
  });

  it('subprocess mode: kill -9 at random moments; no node of a saved super-step starts again', async () => {
    // The super-step each node belongs to, as the step of the checkpoint saved after it.
    const STEP_OF: Record<string, number> = {
      plan: 1,
      research: 2,
      outline: 2,
      write: 3,
      review: 4,
    };
    const savedStep = (runId: string) =>
      (store.database
        .prepare(
          `SELECT max(json_extract(json_extract(value, '$.metadata.s'), '$.step'))
           FROM agent_records WHERE run_id = ? AND key LIKE 'c/%'`,
        )
        .pluck()
        .get(runId) as number | null) ?? -1;
    const run = await supervisor.start({
      module: EXAMPLE,
      name: 'research-random',
      intervalMs: 0,
      runnerMode: 'subprocess',
      params: { topic: 'r', nodeMs: 150, trace },
      restart, // 4 kills: within the default intensity of 5 restarts a minute
    });
    const kills: { at: number; step: number }[] = [];
    for (let kill = 0; kill < 4; kill += 1) {
      const attempt = kill + 1;
      const ready = await waitFor(() => {
        const current = supervisor.get(run.runId);
        return (
          current?.attempt === attempt && current.state === 'running' && current.readyAt !== null
        );
      }, 20_000);
      if (!ready) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 600)));
      const current = supervisor.get(run.runId);
      if (current?.state !== 'running' || current.pid === null) {
        break; // the graph finished first
      }
      const step = savedStep(run.runId);
      const at = lines().length;
      process.kill(current.pid, 'SIGKILL');
      kills.push({ at, step });
    }
    const record = await ended(run.runId);
    expect(record?.state).toBe('exited');
    expect(record?.lastSummary).toBe('plan: r | outline: r | research: r | write: r | review: r');
    const all = lines();
    for (const { at, step } of kills) {
      const startedAfter = all
        .slice(at)
        .filter((line) => line.startsWith('start '))
        .map((line) => line.slice('start '.length));
      // Nodes whose super-step's checkpoint was saved before the kill never start again.
      expect(startedAfter.filter((node) => (STEP_OF[node] ?? 0) <= step)).toEqual([]);
    }
    expect(kills.length).toBeGreaterThan(0);
  });

  it('thread mode: the runner thread dies inside write (exit 137); nothing saved runs again', async () => {
    const run = await supervisor.start({
      module: EXAMPLE,
      name: 'research-thread',
      intervalMs: 0,
      runnerMode: 'thread',
      params: { topic: 't', nodeMs: 100, trace, crashIn: 'write' },
      restart,
    });
    const record = await ended(run.runId);
    expect(record).toMatchObject({ state: 'exited', attempt: 2 });
    expect(record?.lastSummary).toBe('plan: t | outline: t | research: t | write: t | review: t');
    const starts = Object.fromEntries(
      ['plan', 'outline', 'research', 'write', 'review'].map((n) => [n, count(`start ${n}`)]),
    );
    expect(starts).toEqual({ plan: 1, outline: 1, research: 1, write: 2, review: 1 });
  });
});

describe('apps/docs/guide/langgraph.md', () => {
  it("shows the example's agent as it is in examples/langgraph/research-graph.mjs", () => {
    const page = readFileSync(GUIDE, 'utf8');
    const shown = /```js\n(export default defineAgent\(\{[\s\S]*?\n\}\);)\n```/.exec(page)?.[1];
    expect(shown).toBeDefined();
    expect(readFileSync(EXAMPLE, 'utf8')).toContain(shown);
  });
});
