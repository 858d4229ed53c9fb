import type { Checkpoint, CheckpointMeta } from '@x/daemon';
import { formatBytes } from '../budget-format.js';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { formatDuration, printJson, printTable } from '../output.js';

/**
 * `x agent checkpoints <run> [seq]`. Without a seq: the run's stored checkpoints, newest first,
 * as a table `SEQ ATTEMPT ITERATION SIZE AGE` (`--json`: `{ runId, checkpoints }`). With one:
 * its state as JSON (`--json`: the whole Checkpoint, meta and state). A seq that is not stored
 * (only the newest are kept) is the daemon's -32026, as it words it.
 */
export async function agentCheckpoints(options: {
  home: string;
  json: boolean;
  ref: string;
  seq?: number | undefined;
}): Promise<void> {
  const answer = await withDaemon(options.home, (client) =>
    client.agent.checkpoints(
      { ref: options.ref, seq: options.seq },
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
  printCheckpointList(answer.runId, answer.checkpoints);
}

function printCheckpoint(checkpoint: Checkpoint, json: boolean): void {
  printJson(json ? checkpoint : checkpoint.state);
}

function printCheckpointList(runId: string, checkpoints: CheckpointMeta[]): void {
  if (checkpoints.length === 0) {
    process.stdout.write(
      `run ${runId} has no checkpoint; an agent saves one with ctx.checkpoint(state)\n`,
    );
    return;
  }
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
