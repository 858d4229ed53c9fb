import { isProcessAlive, statePaths } from '@x/daemon';
import { rmSync } from 'node:fs';
import { connectDaemon, probe } from '../daemon-client.js';
import { printJson } from '../output.js';

/** How long `x daemon stop` waits after asking over RPC before it sends SIGTERM: 20 s. */
export const DAEMON_STOP_RPC_WAIT_MS = 20_000;
/** How long it waits after SIGTERM before SIGKILL: 10 s. */
export const DAEMON_STOP_SIGTERM_WAIT_MS = 10_000;

interface StopOptions {
  home: string;
  json: boolean;
}

/** What `x daemon stop` did: the `--json` document. */
export type DaemonStopReport =
  | { status: 'not_running'; home: string }
  | {
      status: 'stopped';
      pid: number;
      how: 'rpc' | 'sigterm' | 'sigkill';
      activeRuns: number | null;
    };

/**
 * Stops the daemon serving `home`: asks it over RPC (it stops every runner, 3-phase), waits
 * for its process to exit, and falls back to SIGTERM, then SIGKILL. A stale descriptor and
 * socket are removed. Stopping a stopped daemon is not an error.
 */
export async function stopDaemon(home: string): Promise<DaemonStopReport> {
  const found = await probe(home);
  if (found.status !== 'running') {
    if (found.status === 'stale') {
      const paths = statePaths(home);
      rmSync(paths.descriptorPath, { force: true });
      rmSync(paths.socketPath, { force: true });
    }
    return { status: 'not_running', home };
  }
  const { pid } = found.descriptor;
  let how: 'rpc' | 'sigterm' | 'sigkill' = 'rpc';
  let activeRuns: number | null = null;
  try {
    const connection = await connectDaemon(home);
    try {
      activeRuns = (
        await connection.request<{ activeRuns: number }>('system.shutdown', undefined, {
          timeoutMs: 5000,
        })
      ).activeRuns;
    } finally {
      connection.close();
    }
  } catch {
    how = 'sigterm';
  }
  if (how === 'rpc' && !(await waitForExit(pid, DAEMON_STOP_RPC_WAIT_MS))) {
    how = 'sigterm';
  }
  if (how === 'sigterm') {
    signal(pid, 'SIGTERM');
    if (!(await waitForExit(pid, DAEMON_STOP_SIGTERM_WAIT_MS))) {
      how = 'sigkill';
      signal(pid, 'SIGKILL');
      await waitForExit(pid, 5000);
    }
  }
  return { status: 'stopped', pid, how, activeRuns };
}

/** Prints a stop report: the JSON document, or one line. */
export function printDaemonStop(report: DaemonStopReport, json: boolean): void {
  if (json) {
    printJson(report);
  } else if (report.status === 'not_running') {
    process.stdout.write(`x daemon is not running (${report.home})\n`);
  } else {
    const runs = report.activeRuns === null ? '' : `, ${report.activeRuns} run(s) stopped`;
    process.stdout.write(`x daemon stopped (pid ${report.pid}, via ${report.how}${runs})\n`);
  }
}

/** `x daemon stop`. */
export async function daemonStop(options: StopOptions): Promise<void> {
  printDaemonStop(await stopDaemon(options.home), options.json);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isProcessAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
