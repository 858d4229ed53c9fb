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

/**
 * `x daemon stop`: asks the daemon to shut down over RPC (it stops every runner, 3-phase),
 * waits for its process to exit; falls back to SIGTERM, then SIGKILL. Stopping a stopped
 * daemon exits 0 with a message.
 */
export async function daemonStop(options: StopOptions): Promise<void> {
  const found = await probe(options.home);
  if (found.status !== 'running') {
    if (found.status === 'stale') {
      const paths = statePaths(options.home);
      rmSync(paths.descriptorPath, { force: true });
      rmSync(paths.socketPath, { force: true });
    }
    if (options.json) {
      printJson({ status: 'not_running', home: options.home });
    } else {
      process.stdout.write(`x daemon is not running (${options.home})\n`);
    }
    return;
  }
  const { pid } = found.descriptor;
  let how: 'rpc' | 'sigterm' | 'sigkill' = 'rpc';
  let activeRuns: number | null = null;
  try {
    const connection = await connectDaemon(options.home);
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
  if (options.json) {
    printJson({ status: 'stopped', pid, how, activeRuns });
  } else {
    const runs = activeRuns === null ? '' : `, ${activeRuns} run(s) stopped`;
    process.stdout.write(`x daemon stopped (pid ${pid}, via ${how}${runs})\n`);
  }
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
