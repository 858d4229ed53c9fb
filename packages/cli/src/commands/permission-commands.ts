import type { PermissionRecord } from '@x/daemon';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { formatDuration, formatTime, printJson, printTable, oneLine } from '../output.js';

/**
 * `x agent approve|deny <run> <request-id>`: answers a pending permission request. Only a
 * client of the daemon's user can: the control socket is mode 0600 in a 0700 directory.
 */
export async function agentAnswerPermission(options: {
  home: string;
  json: boolean;
  ref: string;
  requestId: string;
  decision: 'granted' | 'denied';
  reason?: string | undefined;
}): Promise<void> {
  const request = await withDaemon(options.home, (client) =>
    client.agent.permission.answer(
      {
        ref: options.ref,
        requestId: options.requestId,
        decision: options.decision,
        reason: options.reason,
      },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    ),
  );
  if (options.json) {
    printJson(request);
    return;
  }
  process.stdout.write(
    `${request.decision ?? options.decision} ${request.tool} (request ${request.requestId} of run ${request.runId})\n`,
  );
}

/** A table of pending permission requests (for `x agent status`). */
export function printPendingPermissions(requests: PermissionRecord[], now = Date.now()): void {
  printTable(
    ['REQUEST', 'TOOL', 'ASKED', 'EXPIRES IN', 'INPUT', 'RATIONALE'],
    requests.map((request) => [
      request.requestId,
      request.tool,
      formatTime(request.requestedAt),
      request.expiresAt === null ? '-' : formatDuration(Math.max(0, request.expiresAt - now)),
      oneLine(request.input === null ? '' : JSON.stringify(request.input), 40),
      oneLine(request.rationale ?? '', 40),
    ]),
  );
}
