import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import {
  DAEMON_ERROR_CODES,
  ensureStateDir,
  isDaemonError,
  startDaemon,
  type DaemonProbe,
  statePaths,
  type DaemonDescriptor,
} from '@x/daemon';
import { BIN_PATH } from '../cli-paths.js';
import { probe } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { createLauncher } from '../launcher.js';
import {
  fleetBudgetArgs,
  fleetBudgetOptions,
  type FleetBudgetFlags,
} from '../fleet-budget-option.js';
import { retentionArgs, retentionOptions, type RetentionFlags } from '../retention-options.js';
import { metricsArgs, metricsOptions, type MetricsFlags } from '../metrics-option.js';
import { configArgs, type ConfigFlags } from '../config-option.js';
import { hooksOptions, readHooks } from '../read-hooks.js';
import { modelPricesOptions, readModelPrices } from '../read-model-prices.js';
import { printFields, printJson } from '../output.js';
import { notifySystemdReady, takeNotifySocket } from '../startup/systemd-notify.js';

/** How long `x daemon start` waits for the detached daemon to answer `system.ping`: 15 s. */
export const DAEMON_READY_TIMEOUT_MS = 15_000;
const DAEMON_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** The options a started daemon keeps: history retention, the daemon-wide budget, its hooks. */
export type DaemonFlags = RetentionFlags & FleetBudgetFlags & ConfigFlags & MetricsFlags;

interface StartOptions extends DaemonFlags {
  home: string;
  json: boolean;
  foreground: boolean;
}

/** What `x daemon start` found or did: the `--json` document. */
export type DaemonStartReport = DaemonDescriptor & {
  status: 'started' | 'already_running';
  /** The detached daemon's log file, or null for a foreground daemon. */
  logPath: string | null;
};

/**
 * `x daemon start`: detaches a daemon (own session, output to `daemon.log`) and returns
 * once it answers `system.ping`; with `--foreground`, runs it in this process until
 * SIGTERM/SIGINT. A running daemon is reported, not an error (exit 0).
 */
export async function daemonStart(options: StartOptions): Promise<void> {
  if (options.foreground) {
    await runForeground(options);
    return;
  }
  printDaemonStart(await startDetachedDaemon(options.home, options), options.json);
}

/**
 * Starts a detached daemon for `home` (or finds the one running) and resolves once it
 * answers `system.ping`.
 * @throws CliError when it exits during start-up (with its log's tail) or does not answer
 *   within DAEMON_READY_TIMEOUT_MS (exit 69).
 */
export async function startDetachedDaemon(
  home: string,
  flags: DaemonFlags = {},
): Promise<DaemonStartReport> {
  const paths = statePaths(home);
  const found = await probe(home);
  if (found.status === 'running') {
    return { status: 'already_running', ...found.descriptor, logPath: paths.daemonLogPath };
  }
  refuseUnresponsive(found);
  if (flags.config !== undefined) {
    // A bad config file is refused here (exit 78), not found in the detached daemon's log.
    readHooks(flags.config);
    readModelPrices(flags.config);
  }
  ensureStateDir(paths);
  rotateDaemonLog(paths.daemonLogPath);
  const log = openSync(paths.daemonLogPath, 'a', 0o600);
  const child = spawn(
    process.execPath,
    [
      BIN_PATH,
      'daemon',
      'start',
      '--foreground',
      '--home',
      paths.home,
      ...retentionArgs(flags),
      ...fleetBudgetArgs(flags),
      ...metricsArgs(flags),
      ...configArgs(flags),
    ],
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
    const state = await probe(home);
    if (state.status === 'running') {
      return { status: 'started', ...state.descriptor, logPath: paths.daemonLogPath };
    }
    if (exited !== undefined) {
      // Another daemon may have won a concurrent start.
      const again = await probe(home);
      if (again.status === 'running') {
        return { status: 'already_running', ...again.descriptor, logPath: paths.daemonLogPath };
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
  const notifySocket = takeNotifySocket();
  const found = await probe(options.home);
  if (found.status === 'running') {
    printDaemonStart(
      { status: 'already_running', ...found.descriptor, logPath: null },
      options.json,
    );
    return;
  }
  refuseUnresponsive(found);
  try {
    const daemon = await startDaemon({
      home: options.home,
      launcher: createLauncher(),
      handleSignals: true,
      ...retentionOptions(options),
      ...fleetBudgetOptions(options),
      ...metricsOptions(options),
      ...hooksOptions(options),
      ...modelPricesOptions(options),
    });
    printDaemonStart({ status: 'started', ...daemon.descriptor, logPath: null }, options.json);
    // Under a Type=notify unit (`x startup`): ready once the socket answers, not at exec.
    const notified = await notifySystemdReady(
      notifySocket,
      `serving ${daemon.descriptor.socketPath}`,
    );
    if (notified.status === 'failed') {
      process.stderr.write(
        `${new Date().toISOString()} warn ${notified.why}; systemd will count the start as failed after TimeoutStartSec\n`,
      );
    }
    await daemon.closed;
  } catch (error) {
    if (isDaemonError(error) && error.code === DAEMON_ERROR_CODES.ALREADY_RUNNING) {
      const again = await probe(options.home);
      if (again.status === 'running') {
        printDaemonStart(
          { status: 'already_running', ...again.descriptor, logPath: null },
          options.json,
        );
        return;
      }
    }
    throw error;
  }
}

/**
 * A daemon that holds the socket but does not answer is alive (stopped, swapping, busy): a
 * second one must not start beside it, whatever the wait.
 * @throws CliError exit 69 (EX_UNAVAILABLE) naming the daemon and what to do.
 */
function refuseUnresponsive(found: DaemonProbe): void {
  if (found.status === 'unresponsive') {
    throw new CliError(
      `x: not starting a second daemon: ${found.why}. Only one daemon may use a state directory; if it is stopped, \`kill -CONT ${found.descriptor?.pid ?? '<pid>'}\` resumes it, and \`x daemon stop\` ends it`,
      EXIT_CODES.UNAVAILABLE,
    );
  }
}

/** Prints a start report: the JSON document, or a summary. */
export function printDaemonStart(report: DaemonStartReport, json: boolean): void {
  if (json) {
    printJson(report);
    return;
  }
  process.stdout.write(
    report.status === 'started'
      ? `x daemon started (pid ${report.pid})\n`
      : `x daemon is already running (pid ${report.pid})\n`,
  );
  printFields([
    ['home', report.home],
    ['socket', report.socketPath],
    ['log', report.logPath],
    ['version', report.version],
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
