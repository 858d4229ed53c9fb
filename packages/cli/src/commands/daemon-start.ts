import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import {
  DAEMON_ERROR_CODES,
  ensureStateDir,
  isDaemonError,
  startDaemon,
  statePaths,
  type DaemonDescriptor,
} from '@x/daemon';
import { BIN_PATH } from '../cli-paths.js';
import { probe } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { createLauncher } from '../launcher.js';
import { printFields, printJson } from '../output.js';

/** How long `x daemon start` waits for the detached daemon to answer `system.ping`: 15 s. */
export const DAEMON_READY_TIMEOUT_MS = 15_000;
const DAEMON_LOG_MAX_BYTES = 10 * 1024 * 1024;

interface StartOptions {
  home: string;
  json: boolean;
  foreground: boolean;
}

/**
 * `x daemon start`: detaches a daemon (own session, output to `daemon.log`) and returns
 * once it answers `system.ping`; with `--foreground`, runs it in this process until
 * SIGTERM/SIGINT. A running daemon is reported, not an error (exit 0).
 */
export async function daemonStart(options: StartOptions): Promise<void> {
  const paths = statePaths(options.home);
  const found = await probe(options.home);
  if (found.status === 'running') {
    report(options, 'already_running', found.descriptor, paths.daemonLogPath);
    return;
  }
  if (options.foreground) {
    await runForeground(options);
    return;
  }
  ensureStateDir(paths);
  rotateDaemonLog(paths.daemonLogPath);
  const log = openSync(paths.daemonLogPath, 'a', 0o600);
  const child = spawn(
    process.execPath,
    [BIN_PATH, 'daemon', 'start', '--foreground', '--home', paths.home],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    },
  );
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.once('error', (error) => (exited = error.message));
  child.unref();

  const deadline = Date.now() + DAEMON_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const state = await probe(options.home);
    if (state.status === 'running') {
      report(options, 'started', state.descriptor, paths.daemonLogPath);
      return;
    }
    if (exited !== undefined) {
      // Another daemon may have won a concurrent start.
      const again = await probe(options.home);
      if (again.status === 'running') {
        report(options, 'already_running', again.descriptor, paths.daemonLogPath);
        return;
      }
      throw new CliError(
        `x: the daemon exited during start-up (${exited}); its log ${paths.daemonLogPath} ends with:\n${tail(paths.daemonLogPath, 20)}`,
      );
    }
  }
  throw new CliError(
    `x: the daemon (pid ${child.pid}) did not answer within ${DAEMON_READY_TIMEOUT_MS} ms; see ${paths.daemonLogPath}`,
    EXIT_CODES.UNAVAILABLE,
  );
}

async function runForeground(options: StartOptions): Promise<void> {
  try {
    const daemon = await startDaemon({
      home: options.home,
      launcher: createLauncher(),
      handleSignals: true,
    });
    report(options, 'started', daemon.descriptor, null);
    await daemon.closed;
  } catch (error) {
    if (isDaemonError(error) && error.code === DAEMON_ERROR_CODES.ALREADY_RUNNING) {
      const found = await probe(options.home);
      if (found.status === 'running') {
        report(options, 'already_running', found.descriptor, null);
        return;
      }
    }
    throw error;
  }
}

function report(
  options: StartOptions,
  status: 'started' | 'already_running',
  descriptor: DaemonDescriptor,
  logPath: string | null,
): void {
  if (options.json) {
    printJson({ status, ...descriptor, logPath });
    return;
  }
  process.stdout.write(
    status === 'started'
      ? `x daemon started (pid ${descriptor.pid})\n`
      : `x daemon is already running (pid ${descriptor.pid})\n`,
  );
  printFields([
    ['home', descriptor.home],
    ['socket', descriptor.socketPath],
    ['log', logPath],
    ['version', descriptor.version],
  ]);
}

function rotateDaemonLog(path: string): void {
  if (existsSync(path) && statSync(path).size > DAEMON_LOG_MAX_BYTES) {
    renameSync(path, `${path}.1`);
  }
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
