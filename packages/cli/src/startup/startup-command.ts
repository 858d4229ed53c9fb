import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BIN_PATH } from '../cli-paths.js';
import { readFleet } from '../commands/fleet.js';
import { readHooks } from '../read-hooks.js';
import { readModelPrices } from '../read-model-prices.js';
import { probe } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printFields, printJson } from '../output.js';
import { resolveHome } from '../state-home.js';
import { installLaunchdAgent, removeLaunchdAgent, type LaunchdReport } from './launchd-install.js';
import { launchdLabel, renderLaunchdPlist } from './launchd-plist.js';
import { startupSpec, type StartupSpec } from './startup-spec.js';
import { installSystemdUnit, removeSystemdUnit, type SystemdReport } from './systemd-install.js';
import { renderSystemdUnit } from './systemd-unit.js';

/** Options of `x startup` and `x unstartup`. */
export interface StartupOptions {
  home: string;
  json: boolean;
  /** Print the unit (plist) instead of installing it. */
  print?: boolean;
  /** A config file: its hooks load with the daemon, its agents and services start after it. */
  config?: string | undefined;
  /** Variables of this shell to give the daemon besides PATH and X_HOME. */
  env?: string[] | undefined;
  /** TimeoutStopSec / ExitTimeOut, s. */
  stopTimeout?: number | undefined;
  /** @default process.platform */
  platform?: NodeJS.Platform;
}

type Manager = 'systemd' | 'launchd';

/** `x startup`'s report: what was written where (`--json`). */
export type StartupReport = SystemdReport | LaunchdReport;

function managerFor(platform: NodeJS.Platform): Manager {
  if (platform === 'darwin') {
    return 'launchd';
  }
  if (platform === 'linux') {
    return 'systemd';
  }
  throw new CliError(
    `x startup: no boot-time start on ${platform}: x writes systemd user units (Linux) and launchd agents (macOS)`,
    EXIT_CODES.UNAVAILABLE,
  );
}

function buildSpec(options: StartupOptions): StartupSpec {
  return startupSpec({
    home: options.home,
    defaultHome: resolveHome(undefined, {}),
    nodePath: process.execPath,
    binPath: BIN_PATH,
    configPath: options.config === undefined ? null : resolve(options.config),
    env: process.env,
    passEnv: options.env,
    stopTimeoutSec: options.stopTimeout,
  });
}

/**
 * `x startup`: writes and enables a systemd user unit (Linux) or a launchd agent (macOS) that
 * runs the daemon for `home` in the foreground at boot (login without lingering), and starts
 * it now unless a daemon already serves `home` outside it. `--print` prints the file instead.
 * @throws CliError (exit 69) when the platform or its service manager cannot do it (with the
 *   cause and a pointer at `--print`); exit 78 for a bad option.
 */
export async function startupCommand(options: StartupOptions): Promise<void> {
  const manager = managerFor(options.platform ?? process.platform);
  const spec = buildSpec(options);
  if (spec.configPath !== null) {
    // Refused now, with the entry and field, rather than by the daemon or `x up` at every boot.
    readFleet(spec.configPath);
    readHooks(spec.configPath);
    readModelPrices(spec.configPath);
  }
  const text = manager === 'systemd' ? renderSystemdUnit(spec) : renderLaunchdPlist(spec);
  if (options.print === true) {
    process.stdout.write(text);
    return;
  }
  const found = await probe(options.home);
  const pid =
    found.status === 'running' || found.status === 'unresponsive'
      ? found.descriptor?.pid
      : undefined;
  // A daemon the unit itself runs (`x startup` again) is not in the way.
  const outside = pid !== undefined && !runsUnder(pid, `${spec.name}.service`);
  const report =
    manager === 'systemd'
      ? await installSystemdUnit(`${spec.name}.service`, text, !outside)
      : await installLaunchdAgent(launchdLabel(spec), text, !outside);
  if (options.json) {
    printJson(report);
    return;
  }
  const name = report.manager === 'systemd' ? report.unit : report.label;
  process.stdout.write(`x startup: ${name} written and enabled\n`);
  printFields([
    ['file', report.path],
    ['home', spec.home],
    ['fleet', spec.configPath],
    ['started', report.started ? 'yes' : 'no'],
    ...(report.manager === 'systemd'
      ? [
          ['linger', report.linger === null ? 'unknown' : report.linger ? 'yes' : 'no'] as [
            string,
            string,
          ],
        ]
      : []),
  ]);
  if (outside) {
    process.stdout.write(
      `A daemon started by hand (pid ${pid}) serves ${spec.home}, so the unit was not started now: it starts at the next boot. To move it under the service manager now: \`x daemon stop\`, then ${report.manager === 'systemd' ? `\`systemctl --user start ${name}\`` : '`x unstartup && x startup`'}.\n`,
    );
  }
  if (report.manager === 'systemd' && report.linger === false) {
    process.stdout.write(
      'Lingering is off: your user manager, and the daemon with it, starts at your first login, not at boot. `loginctl enable-linger` starts it at boot.\n',
    );
  }
}

/** `x unstartup`: disables and removes what `x startup` wrote for `home`. */
export async function unstartupCommand(options: StartupOptions): Promise<void> {
  const manager = managerFor(options.platform ?? process.platform);
  const spec = buildSpec({ ...options, env: [], config: undefined });
  const report: StartupReport =
    manager === 'systemd'
      ? await removeSystemdUnit(`${spec.name}.service`)
      : await removeLaunchdAgent(launchdLabel(spec));
  if (options.json) {
    printJson(report);
    return;
  }
  const name = report.manager === 'systemd' ? report.unit : report.label;
  if (report.action === 'not_installed') {
    process.stdout.write(`x unstartup: no ${name} at ${report.path}; nothing to remove\n`);
    return;
  }
  process.stdout.write(`x unstartup: ${name} disabled and removed (${report.path})\n`);
  if (report.manager === 'systemd') {
    process.stdout.write(
      'A daemon the unit started keeps running; `x daemon stop` stops it, and nothing starts it at boot any more.\n',
    );
  }
}

/** True when `pid` runs in the systemd unit `unit` (its cgroup path ends with it). Linux. */
function runsUnder(pid: number, unit: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .some((line) => line.endsWith(`/${unit}`));
  } catch {
    return false;
  }
}
