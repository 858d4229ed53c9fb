// `x agent checkpoints` and `x agent start --from <run>@<checkpoint id>` on a LangGraph run, as
// a user types them: the built CLI, a real daemon and real runners running
// examples/langgraph/research-graph.mjs (plan → research ∥ outline → write → review).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const EXAMPLE = fileURLToPath(
  new URL('../../../examples/langgraph/research-graph.mjs', import.meta.url),
);

interface ThreadCheckpoint {
  store: string;
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentId: string | null;
  step: number | null;
  source: string | null;
  savedAt: number | null;
  bytes: number;
}
interface Listing {
  runId: string;
  checkpoints: unknown[];
  threadCheckpoints: ThreadCheckpoint[];
  nextCursor?: string;
}

describe('x agent checkpoints / start --from on a LangGraph run (CLI, real daemon)', () => {
  const home = tempDir('x-lgfork-');
  const x = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, X_HOME: home.path }, timeout: 30_000 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
      );
    });
  const json = async <T>(args: string[]): Promise<T> => {
    const result = await x([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  const ended = async (ref: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { run } = await json<{ run: { state: string; lastSummary: string | null } }>([
        'agent',
        'status',
        ref,
      ]);
      if (['exited', 'failed'].includes(run.state) || Date.now() > deadline) {
        return run;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const trace = (name: string) => {
    const file = `${home.path}/${name}.txt`;
    return {
      file,
      lines: () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []),
    };
  };

  beforeAll(async () => {
    const started = await x(['daemon', 'start']);
    expect(started.code, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await x(['daemon', 'stop']);
    home.remove();
  });

  it('lists the thread checkpoints of every super-step; a fork from the middle one runs only the steps after it', async () => {
    const first = trace('source');
    const start = (name: string, file: string, extra: string[] = []) =>
      x([
        'agent',
        'start',
        EXAMPLE,
        '--name',
        name,
        '--param',
        'topic=fork',
        '--param',
        'nodeMs=40',
        '--param',
        `trace=${file}`,
        ...extra,
      ]);
    const source = await start('source', first.file);
    expect(source.code, source.stderr).toBe(0);
    const sourceRun = await ended('source');
    expect(sourceRun.state).toBe('exited');

    // One checkpoint per super-step, newest first: the input (-1), then steps 0 to 4.
    const listed = await json<Listing>(['agent', 'checkpoints', 'source']);
    const { runId } = listed;
    expect(listed.checkpoints).toEqual([]);
    expect(listed.nextCursor).toBeUndefined();
    expect(listed.threadCheckpoints.map((c) => [c.step, c.source])).toEqual([
      [4, 'loop'],
      [3, 'loop'],
      [2, 'loop'],
      [1, 'loop'],
      [0, 'loop'],
      [-1, 'input'],
    ]);
    for (const [index, checkpoint] of listed.threadCheckpoints.entries()) {
      expect(checkpoint).toMatchObject({ store: 'langgraph', threadId: runId, checkpointNs: '' });
      expect(checkpoint.parentId).toBe(listed.threadCheckpoints[index + 1]?.checkpointId ?? null);
      expect(checkpoint.bytes).toBeGreaterThan(100);
      expect(Math.abs((checkpoint.savedAt ?? 0) - Date.now())).toBeLessThan(60_000);
    }
    // Paged: 4, then the other 2 after the cursor.
    const page = await json<Listing>(['agent', 'checkpoints', 'source', '--limit', '4']);
    expect(page.threadCheckpoints).toHaveLength(4);
    const rest = await json<Listing>([
      'agent',
      'checkpoints',
      'source',
      '--cursor',
      page.nextCursor as string,
    ]);
    expect([...page.threadCheckpoints, ...rest.threadCheckpoints]).toEqual(
      listed.threadCheckpoints,
    );
    expect(rest.nextCursor).toBeUndefined();
    // The table a user reads.
    const middle = listed.threadCheckpoints.find((c) => c.step === 2) as ThreadCheckpoint;
    const table = await x(['agent', 'checkpoints', 'source']);
    expect(table.stdout).toMatch(/THREAD +NS +CHECKPOINT +STEP +SOURCE +SIZE +AGE/);
    expect(table.stdout).toMatch(new RegExp(`${runId} +- +${middle.checkpointId} +2 +loop`));
    expect(table.stdout).toContain(`--from ${runId}@<checkpoint>`);

    // Fork after step 2 (research and outline done): write and review run, nothing before.
    const second = trace('fork');
    const fork = await start('fork', second.file, ['--from', `source@${middle.checkpointId}`]);
    expect(fork.code, fork.stderr).toBe(0);
    const forkId = /\(run (r-[0-9a-f]+)/.exec(fork.stdout)?.[1] as string;
    expect(fork.stdout).toContain(
      `from:     thread checkpoint ${middle.checkpointId} of run ${runId} (thread ${runId}, resumed as thread ${forkId})`,
    );
    const forkRun = await ended('fork');
    expect(forkRun.state).toBe('exited');
    expect(second.lines()).toEqual(['start write', 'end write', 'start review', 'end review']);
    // The state it resumed holds the notes of the steps before, as the source's did.
    expect(forkRun.lastSummary).toBe(sourceRun.lastSummary);

    // Its thread: the source's checkpoints up to step 2 (same ids), then its own 3 and 4.
    const forked = await json<Listing>(['agent', 'checkpoints', 'fork']);
    const sourceIds = listed.threadCheckpoints.map((c) => c.checkpointId);
    expect(forked.threadCheckpoints.map((c) => [c.threadId, c.step])).toEqual(
      [4, 3, 2, 1, 0, -1].map((step) => [forkId, step]),
    );
    expect(forked.threadCheckpoints.slice(2).map((c) => c.checkpointId)).toEqual(
      sourceIds.slice(2),
    );
    for (const later of forked.threadCheckpoints.slice(0, 2)) {
      expect(sourceIds).not.toContain(later.checkpointId);
    }
  });

  it('an unknown checkpoint id or run is refused, naming how to list them', async () => {
    const unknown = await x(['agent', 'start', EXAMPLE, '--from', 'source@1f0-not-there']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /has no thread checkpoint "1f0-not-there"; list its checkpoints with `x agent checkpoints r-/,
    );
    const noRun = await x(['agent', 'start', EXAMPLE, '--from', 'nobody@1f0-abc']);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toContain('no agent run with id or name "nobody"');
  });
});
