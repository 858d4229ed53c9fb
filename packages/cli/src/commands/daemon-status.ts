import { connect, socketPathOf } from '@x/client';
import type { HookStats, SystemInfo } from '@x/daemon';
import { probe, withDaemon } from '../daemon-client.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatDuration, formatTime, printFields, printJson } from '../output.js';
import { formatDaemonLog, formatPersistence } from '../persistence-health.js';

/**
 * How long `x daemon status` waits for a daemon's `system.info` before it asks probeDaemon
 * what is there (which waits 2000 ms for a ping): 500 ms.
 */
const QUICK_INFO_TIMEOUT_MS = 500;

/** `x daemon status`: what the daemon reports, or exit 3 when none runs. */
export async function daemonStatus(options: { home: string; json: boolean }): Promise<number> {
  // One connection and one call when a daemon answers at once (the usual case); anything
  // else (none, stale, refused, slow, another user's socket) is told apart by the probe.
  const info = (await quickInfo(options.home)) ?? (await probedInfo(options));
  if (typeof info === 'number') {
    return info;
  }
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

/** The daemon's `system.info` when it answers within {@link QUICK_INFO_TIMEOUT_MS}, else undefined. */
async function quickInfo(home: string): Promise<SystemInfo | undefined> {
  try {
    const client = await connect({
      socketPath: socketPathOf(home),
      timeoutMs: QUICK_INFO_TIMEOUT_MS,
    });
    try {
      return await client.system.info({ timeoutMs: QUICK_INFO_TIMEOUT_MS });
    } finally {
      client.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * What probeDaemon finds: the daemon's `system.info` when it runs (and now answers), else the
 * exit code, having printed why (not running: 3; running but not answering: 69).
 */
async function probedInfo(options: { home: string; json: boolean }): Promise<SystemInfo | number> {
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
  return withDaemon(options.home, (client) => client.system.info());
}
