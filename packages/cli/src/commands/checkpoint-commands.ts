import type { Checkpoint, CheckpointMeta, ThreadCheckpointMeta } from '@x/daemon';
import { formatBytes } from '../budget-format.js';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { formatDuration, printJson, printTable } from '../output.js';

/**
 * `x agent checkpoints <run> [seq]`. Without a seq: the run's stored checkpoints
 * (`ctx.checkpoint`), newest first, as a table `SEQ ATTEMPT ITERATION SIZE AGE`, then one page
 * of the thread checkpoints in its record store (LangGraph's, `@x/langgraph`) as a table
 * `THREAD NS CHECKPOINT STEP SOURCE SIZE AGE` (`limit`, default the daemon's 100; `cursor`: the
 * next page), and how to fork one. `--json`: `{ runId, checkpoints, threadCheckpoints,
 * nextCursor? }`. With a seq: its state as JSON (`--json`: the whole Checkpoint, meta and
 * state). A seq that is not stored (only the newest are kept) is the daemon's -32026, as it
 * words it.
 */
export async function agentCheckpoints(options: {
  home: string;
  json: boolean;
  ref: string;
  seq?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}): Promise<void> {
  const answer = await withDaemon(options.home, (client) =>
    client.agent.checkpoints(
      { ref: options.ref, seq: options.seq, limit: options.limit, cursor: options.cursor },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  if ('checkpoint' in answer) {
    printCheckpoint(answer.checkpoint, options.json);
    return;
  }
  if (options.json) {
    printJson(answer);
    return;
  }
  // A daemon from before thread checkpoints answers without them.
  const threads = answer.threadCheckpoints ?? [];
  if (answer.checkpoints.length === 0 && threads.length === 0) {
    process.stdout.write(
      `run ${answer.runId} has no checkpoint; an agent saves one with ctx.checkpoint(state), a LangGraph graph with checkpointerFor(ctx) of @x/langgraph\n`,
    );
    return;
  }
  if (answer.checkpoints.length > 0) {
    printCheckpointList(answer.checkpoints);
  }
  if (threads.length > 0) {
    if (answer.checkpoints.length > 0) {
      process.stdout.write('\n');
    }
    printThreadCheckpoints(answer.runId, threads, answer.nextCursor);
  }
}

function printCheckpoint(checkpoint: Checkpoint, json: boolean): void {
  printJson(json ? checkpoint : checkpoint.state);
}

function printCheckpointList(checkpoints: CheckpointMeta[]): void {
  const now = Date.now();
  printTable(
    ['SEQ', 'ATTEMPT', 'ITERATION', 'SIZE', 'AGE'],
    checkpoints.map((checkpoint) => [
      checkpoint.seq,
      // Attempt 0: copied from another run (`--from`).
      checkpoint.attempt === 0 ? '0 (--from)' : checkpoint.attempt,
      checkpoint.iteration ?? '-',
      formatBytes(checkpoint.bytes),
      formatDuration(Math.max(0, now - checkpoint.savedAt)),
    ]),
  );
}

/** The thread checkpoints table, then how to fork one and how to see the next page. */
function printThreadCheckpoints(
  runId: string,
  checkpoints: ThreadCheckpointMeta[],
  nextCursor: string | undefined,
): void {
  const now = Date.now();
  printTable(
    ['THREAD', 'NS', 'CHECKPOINT', 'STEP', 'SOURCE', 'SIZE', 'AGE'],
    checkpoints.map((checkpoint) => [
      checkpoint.threadId,
      checkpoint.checkpointNs === '' ? '-' : checkpoint.checkpointNs,
      checkpoint.checkpointId,
      checkpoint.step ?? '-',
      checkpoint.source ?? '-',
      formatBytes(checkpoint.bytes),
      checkpoint.savedAt === null ? '-' : formatDuration(Math.max(0, now - checkpoint.savedAt)),
    ]),
  );
  process.stdout.write(
    `fork one: x agent start <module> --from ${runId}@<checkpoint> (its thread resumes right after it)\n`,
  );
  if (nextCursor !== undefined) {
    process.stdout.write(`more: x agent checkpoints ${runId} --cursor ${nextCursor}\n`);
  }
}
