import type { HookStats } from '@x/daemon';
import { probe, withDaemon } from '../daemon-client.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatDuration, formatTime, printFields, printJson } from '../output.js';
import { formatDaemonLog, formatPersistence } from '../persistence-health.js';

/** `x daemon status`: what the daemon reports, or exit 3 when none runs. */
export async function daemonStatus(options: { home: string; json: boolean }): Promise<number> {
  const found = await probe(options.home);
  if (found.status === 'unresponsive') {
    // Alive, holding the socket, but not answering: not "not running" (a start would be refused).
    if (options.json) {
      printJson({
        running: true,
        responsive: false,
        pid: found.descriptor?.pid ?? null,
        home: options.home,
        why: found.why,
      });
    } else {
      process.stdout.write(
        `x daemon is running but not answering (${options.home}): ${found.why}\n`,
      );
    }
    return EXIT_CODES.UNAVAILABLE;
  }
  if (found.status !== 'running') {
    if (options.json) {
      printJson({ running: false, home: options.home });
    } else {
      process.stdout.write(
        `x daemon is not running (${options.home}); start it with \`x daemon start\`\n`,
      );
    }
    return EXIT_CODES.NOT_RUNNING;
  }
  const info = await withDaemon(options.home, (client) => client.system.info());
  if (options.json) {
    printJson({ running: true, ...info });
    return EXIT_CODES.OK;
  }
  const logLine = formatDaemonLog(info.log);
  process.stdout.write(`x daemon is running (pid ${info.pid})\n`);
  printFields([
    ['home', info.home],
    ['socket', info.socketPath],
    ['version', `${info.version} (protocol v${info.protocolVersion}, node ${info.node})`],
    ['started', `${formatTime(info.startedAt)} (up ${formatDuration(info.uptimeMs)})`],
    ['launcher', info.launcher],
    ['active runs', info.activeRuns],
    ['database', `${(info.databaseBytes / 1024 / 1024).toFixed(1)} MiB (x.db + WAL)`],
    ['persistence', formatPersistence(info.persistence)],
    ...(logLine === null ? [] : [['daemon log', logLine] as [string, string]]),
    ...(info.hooks ?? []).map(
      (hook) => [`hook ${hook.name}`, formatHook(hook)] as [string, string],
    ),
  ]);
  return EXIT_CODES.OK;
}

/** One hook's line: `http on permission_request: 3 delivered, 0 failed, 2 dropped, 1 queued (busy)`. */
export function formatHook(hook: HookStats): string {
  const counts = `${hook.delivered} delivered, ${hook.failed} failed, ${hook.dropped} dropped (queue full), ${hook.queued} queued${hook.busy ? ', 1 in delivery' : ''}`;
  const last = hook.lastError === null ? '' : `; last error: ${hook.lastError.slice(0, 200)}`;
  return `${hook.kind} on ${hook.on.join(', ')}: ${counts}${last}`;
}
