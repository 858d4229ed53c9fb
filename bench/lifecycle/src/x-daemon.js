import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { statePaths } from '@x/daemon';
import { connectRpc } from '@x/ipc/node';
import { isAlive, killQuietly } from './proc-memory.js';

const run = promisify(execFile);

const CLI_DIR = dirname(fileURLToPath(import.meta.resolve('@x/cli/package.json')));

/** `packages/cli/bin.js`: what the daemon runs as `x runner --pipe` (and `pnpm x` runs). */
export const X_BIN = join(CLI_DIR, 'bin.js');

/**
 * `x` as a user runs it once installed or linked: the `bin` of @x/cli's package.json
 * (`bin.cjs`, the CommonJS entry with the client commands' fast path).
 */
export const X_CLI_BIN = join(
  CLI_DIR,
  /** @type {{ bin: { x: string } }} */ (
    JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8'))
  ).bin.x,
);

/** How long a clean `system.shutdown` may take before everything is SIGKILLed: 15 s. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * Starts an x daemon the way a user does (`x daemon start --json`, detached) in a fresh
 * state directory under /tmp, and connects to its control socket. `env` is added to the
 * daemon's environment (e.g. `{ X_RUNNER_SPARES: '0' }` for a daemon without spare runners).
 * `close()` shuts it down (every runner is stopped first), SIGKILLs whatever is left
 * (the daemon and every runner pid passed to `track`), and removes the directory.
 */
export async function startXDaemon({ env = {} } = {}) {
  // A short path: the control socket lives in it and Unix socket paths are capped at 108 bytes.
  const home = mkdtempSync('/tmp/x-bl-');
  const runnerPids = new Set();
  let pid;
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
      env: { ...process.env, ...env, X_HOME: home },
    });
    pid = /** @type {{ pid: number }} */ (JSON.parse(stdout)).pid;
    connection = await connectRpc(statePaths(home).socketPath, { timeoutMs: 5000 });
    const info = /** @type {import('@x/daemon').SystemInfo} */ (
      await connection.request('system.info')
    );
    pid = info.pid;
    return {
      home,
      pid,
      info,
      /** @type {import('@x/ipc').RpcConnection} */
      rpc: connection,
      /** Remembers a runner pid so that `close()` kills it if the daemon did not. */
      track: (/** @type {number | null} */ runnerPid) => {
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
