import { RpcError } from '@x/ipc';
import type { RunRecord } from '../persistence/records.js';
import { LISTED_FIELD_MAX_BYTES, type Clipped } from './clip-fields.js';

/** Bytes of run JSON in one `agent.list` answer at most: 768 KiB (under the 1 MiB frame limit). */
export const LIST_PAGE_MAX_BYTES = 768 * 1024;
/** Runs in one `agent.list` answer at most, unless `limit` asks for fewer: 500. */
export const LIST_PAGE_MAX_RUNS = 500;
/** Bytes of a run's `exit.stderrTail` kept in a listing: 1 KiB (`agent.status` has it whole). */
export const LISTED_STDERR_TAIL_BYTES = 1024;

/** `agent.list` result. */
export interface AgentList {
  /** Newest first; `params` over 8 KiB of JSON is null (listed in `truncated`). */
  runs: Clipped<RunRecord>[];
  /** Present when more runs follow: pass it as `cursor` to get the next page. */
  nextCursor?: string;
}

/**
 * One page of `runs` (ordered newest first) after `cursor`: at most `limit` runs and
 * LIST_PAGE_MAX_BYTES of JSON, so that a long history never makes the answer too large to
 * send. Each listed run has its stderr tail cut to LISTED_STDERR_TAIL_BYTES and a `params`
 * over LISTED_FIELD_MAX_BYTES left out. A cursor names the last run of the previous page
 * (`<createdAt>:<runId>`); runs created since are not repeated, and none are skipped.
 * @throws RpcError -32602 for a cursor that is not of that form.
 */
export function listPage(
  runs: readonly RunRecord[],
  cursor: string | undefined,
  limit = LIST_PAGE_MAX_RUNS,
): AgentList {
  const after = cursor === undefined ? undefined : parseCursor(cursor);
  if (cursor !== undefined && after === undefined) {
    throw new RpcError(
      -32602,
      `Invalid params: cursor ${JSON.stringify(cursor)} is not one agent.list returned as nextCursor; omit it to start from the newest run`,
      { field: '/cursor' },
    );
  }
  const start =
    after === undefined ? 0 : runs.findIndex((run) => isAfter(run, after.createdAt, after.runId));
  const page: Clipped<RunRecord>[] = [];
  let bytes = 0;
  for (let i = start === -1 ? runs.length : start; i < runs.length; i += 1) {
    const entry = listedRun(runs[i]);
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (
      page.length >= Math.min(limit, LIST_PAGE_MAX_RUNS) ||
      (page.length > 0 && bytes + size > LIST_PAGE_MAX_BYTES)
    ) {
      const last = runs[i - 1];
      return { runs: page, nextCursor: `${last.createdAt}:${last.runId}` };
    }
    page.push(entry);
    bytes += size;
  }
  return { runs: page };
}

/** True when `run` sorts after the cursor's run (created earlier, or at once with a smaller id). */
function isAfter(run: RunRecord, createdAt: number, runId: string): boolean {
  return run.createdAt < createdAt || (run.createdAt === createdAt && run.runId < runId);
}

function parseCursor(cursor: string): { createdAt: number; runId: string } | undefined {
  const at = cursor.indexOf(':');
  const createdAt = Number(cursor.slice(0, at));
  return at > 0 && Number.isFinite(createdAt)
    ? { createdAt, runId: cursor.slice(at + 1) }
    : undefined;
}

function listedRun(run: RunRecord): Clipped<RunRecord> {
  let record: Clipped<RunRecord> = run;
  const tail = run.exit?.stderrTail;
  if (run.exit !== null && tail !== undefined && tail.length > LISTED_STDERR_TAIL_BYTES) {
    record = {
      ...record,
      exit: { ...run.exit, stderrTail: `…${tail.slice(-LISTED_STDERR_TAIL_BYTES)}` },
    };
  }
  if (jsonBytes(run.params) > LISTED_FIELD_MAX_BYTES) {
    record = {
      ...record,
      params: null as unknown as RunRecord['params'],
      truncated: ['params'],
    };
  }
  return record;
}

function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
