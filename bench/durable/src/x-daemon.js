// The x daemon as a user starts it (`x daemon start`, detached), as bench/lifecycle does;
// out of process, so its CPU time (/proc/<pid>/stat) is its own and not the benchmark's.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { statePaths } from '@x/daemon';
import { connectRpc } from '@x/ipc/node';

const run = promisify(execFile);

/** `x` as installed in this workspace: `packages/cli/bin.js`. */
const X_BIN = join(dirname(fileURLToPath(import.meta.resolve('@x/cli/package.json'))), 'bin.js');

/** How long a clean `system.shutdown` may take before everything is SIGKILLed: 15 s. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** @param {number} pid SIGKILL, ignoring a process that is already gone */
function killQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * @typedef {object} XDaemon
 * @property {string} home its X_HOME, a fresh directory under /tmp (ext4 here)
 * @property {number} pid
 * @property {string} socketPath
 * @property {import('@x/ipc').RpcConnection} rpc
 * @property {(runnerPid: number | null) => void} track remembers a runner for `close()`
 * @property {() => Promise<void>} close shuts it down, kills what is left, removes `home`
 */

/**
 * Starts an x daemon (`x daemon start --json`) in a fresh state directory under /tmp and
 * connects to its control socket. `close()` asks for `system.shutdown`, SIGKILLs the daemon
 * and every tracked runner's process group if they outlive it, and removes the directory.
 * @returns {Promise<XDaemon>}
 */
export async function startXDaemon() {
  // Short: the control socket lives in it, and Unix socket paths are capped at 108 bytes.
  const home = mkdtempSync('/tmp/x-bd-');
  const runnerPids = new Set();
  /** @type {number | undefined} */
  let pid;
  /** @type {import('@x/ipc').RpcConnection | undefined} */
  let connection;
  const close = async () => {
    if (connection !== undefined && pid !== undefined && isAlive(pid)) {
      await connection.request('system.shutdown', {}, { timeoutMs: 5000 }).catch(() => undefined);
      const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
      while (isAlive(pid) && Date.now() < deadline) {
        await sleep(20);
      }
    }
    connection?.close();
    if (pid !== undefined) {
      killQuietly(pid);
    }
    for (const runner of runnerPids) {
      // Runners lead their own process group (the daemon spawns them detached).
      killQuietly(-runner);
      killQuietly(runner);
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(process.execPath, [X_BIN, 'daemon', 'start', '--json'], {
      env: { ...process.env, X_HOME: home },
    });
    pid = /** @type {{ pid: number }} */ (JSON.parse(stdout)).pid;
    const { socketPath } = statePaths(home);
    connection = await connectRpc(socketPath, { timeoutMs: 5000 });
    const info = /** @type {import('@x/daemon').SystemInfo} */ (
      await connection.request('system.info')
    );
    pid = info.pid;
    return {
      home,
      pid,
      socketPath,
      rpc: connection,
      track: (runnerPid) => {
        if (runnerPid !== null) {
          runnerPids.add(runnerPid);
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
