import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../persistence/records.js';
import { runRecord } from '../../test/helpers.js';
import { LIST_PAGE_MAX_BYTES, LISTED_STDERR_TAIL_BYTES, listPage } from './list-page.js';

/** `count` finished runs, newest first, each with a 4 KiB stderr tail (as a crash leaves). */
function history(count: number, createdAt = (i: number) => 1_000_000 - i): RunRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    ...runRecord(`r-${String(i).padStart(5, '0')}`, `agent-${i}`, createdAt(i)),
    state: 'failed' as const,
    exit: {
      reason: 'crashed' as const,
      stopPhase: null,
      explanation: 'crashed with exit code 1',
      exitCode: 1,
      signal: null,
      stderrTail: 'x'.repeat(4096),
      evidence: {},
    },
  })).sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : -1));
}

function pageAll(runs: RunRecord[], limit?: number) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = listPage(runs, cursor, limit);
    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(LIST_PAGE_MAX_BYTES + 4096);
    seen.push(...page.runs.map((run) => run.runId));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined);
  return { seen, pages };
}

describe('listPage', () => {
  it('2000 runs with 4 KiB stderr tails come in pages under the frame limit, each run once', () => {
    const runs = history(2000);
    const { seen, pages } = pageAll(runs);
    expect(seen).toEqual(runs.map((run) => run.runId));
    expect(pages).toBeGreaterThan(1);
  });

  it('runs created in the same ms are neither repeated nor skipped across pages', () => {
    const runs = history(50, () => 5);
    const { seen } = pageAll(runs, 7);
    expect(seen).toEqual(runs.map((run) => run.runId));
  });

  it('a listed run keeps the end of its stderr tail; params over 8 KiB are left out and named', () => {
    const [run] = history(1);
    const big = { ...run, params: { blob: 'y'.repeat(10_000) } };
    const [listed] = listPage([big], undefined).runs;
    expect(listed.exit?.stderrTail).toHaveLength(LISTED_STDERR_TAIL_BYTES + 1);
    expect(listed.params).toBeNull();
    expect(listed.truncated).toEqual(['params']);
  });

  it('a cursor past a run that was pruned meanwhile still continues after it', () => {
    const runs = history(10);
    const first = listPage(runs, undefined, 3);
    const pruned = runs.filter((run) => run.runId !== first.runs[2].runId);
    expect(listPage(pruned, first.nextCursor, 3).runs[0].runId).toBe(runs[3].runId);
  });

  it('refuses a cursor it did not make, naming the field', () => {
    expect(() => listPage(history(3), 'garbage')).toThrow(/cursor "garbage".*nextCursor/);
  });
});
