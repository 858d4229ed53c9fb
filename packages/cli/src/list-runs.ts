import type { ListedRun, RunList, XClient } from '@x/client';
import type { RpcConnection } from '@x/ipc';
import { REQUEST_TIMEOUT_MS } from './daemon-client.js';
import { CliError } from './errors.js';

/**
 * Every run `agent.list` has for these params, page after page: the daemon answers at most
 * one page per call (an answer must fit its 1 MiB frame) with a `nextCursor` while more
 * follow; each page is asked for with `{ ...params, cursor }` until none comes. A daemon
 * from before paging answers everything at once and never sends a cursor. A run listed on
 * two pages (it changed between the calls) is kept once, where first seen.
 * @throws CliError (exit 1) when the daemon hands back a cursor it gave before (a loop).
 */
export async function listRuns(
  client: XClient | RpcConnection,
  params: { all?: boolean } = {},
): Promise<ListedRun[]> {
  const runs = new Map<string, ListedRun>();
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const pageParams = cursor === undefined ? params : { ...params, cursor };
    const timeout = { timeoutMs: REQUEST_TIMEOUT_MS };
    // A bare connection: `x top`'s, until it moves to @x/client.
    const page =
      'agent' in client
        ? await client.agent.list(pageParams, timeout)
        : await client.request<RunList>('agent.list', pageParams, timeout);
    for (const run of page.runs) {
      if (!runs.has(run.runId)) {
        runs.set(run.runId, run);
      }
    }
    if (page.nextCursor === undefined || page.nextCursor === null) {
      return [...runs.values()];
    }
    if (cursors.has(page.nextCursor)) {
      throw new CliError(
        `x: agent.list: the daemon gave the cursor ${JSON.stringify(page.nextCursor)} twice, after ${runs.size} run(s); the listing stops here (a daemon bug; please report it)`,
      );
    }
    cursors.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
