import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { X_HOME_ENV } from '../state-home.js';

/**
 * What a boot-time unit (systemd) or agent (launchd) starts: the same for both, built once
 * from the invoking user's environment by {@link startupSpec}, rendered by
 * `renderSystemdUnit` / `renderLaunchdPlist`.
 */
export interface StartupSpec {
  /** Unit file name (`x-daemon.service`) or launchd label stem (`x-daemon`). */
  name: string;
  /** Absolute path of the node binary that runs the CLI (`process.execPath`). */
  nodePath: string;
  /** Absolute path of the CLI's `bin.js`. */
  binPath: string;
  /** Absolute state directory (`--home`). */
  home: string;
  /**
   * Absolute path of a config file (`x.config.json`): the daemon loads its `hooks`, and its
   * agents and services are started with `x up` once the daemon is ready (systemd).
   */
  configPath: string | null;
  /** Environment of the daemon (and so of its runners): PATH, X_HOME, and `--env` names. */
  environment: Readonly<Record<string, string>>;
  /**
   * Longest the service manager waits for a stop before SIGKILL, s: the runs' longest stop
   * budget (5 s by default: 2 s IPC + 3 s SIGTERM) with room to record the exits. @default 90
   */
  stopTimeoutSec: number;
}

/** The unit name for the default state directory; others get a suffix (several homes). */
export const DEFAULT_UNIT_STEM = 'x-daemon';

/** Default `TimeoutStopSec` / launchd `ExitTimeOut`: 90 s, systemd's own default. */
export const DEFAULT_STOP_TIMEOUT_SEC = 90;

/** What {@link startupSpec} builds from. */
export interface StartupSpecInput {
  home: string;
  /** The state directory a plain `x` would use (no `--home`, no X_HOME): gets the plain name. */
  defaultHome: string;
  nodePath: string;
  binPath: string;
  configPath?: string | null | undefined;
  /** The invoking user's environment. */
  env: NodeJS.ProcessEnv;
  /** Names of further variables to copy from `env` (`--env NAME`). */
  passEnv?: readonly string[] | undefined;
  stopTimeoutSec?: number | undefined;
}

/**
 * Builds the spec of a boot-time daemon for `home`. Pure: everything comes from `input`.
 * The daemon gets the invoking user's PATH (its runners find the same programs) and
 * X_HOME (a hook's `x agent status` finds this daemon), plus each `passEnv` variable.
 * @throws CliError (exit 78) for a relative path, a `passEnv` name that is not set or not a
 *   valid variable name.
 */
export function startupSpec(input: StartupSpecInput): StartupSpec {
  for (const [what, path] of [
    ['node', input.nodePath],
    ['the x CLI', input.binPath],
    ['the state directory', input.home],
    ['the config file', input.configPath ?? '/'],
  ] as const) {
    if (!isAbsolute(path)) {
      throw new CliError(
        `x startup: the path of ${what} must be absolute, got ${JSON.stringify(path)}`,
        EXIT_CODES.CONFIG,
      );
    }
  }
  const environment: Record<string, string> = {};
  const path = input.env.PATH;
  if (path !== undefined && path !== '') {
    environment.PATH = path;
  }
  environment[X_HOME_ENV] = input.home;
  for (const name of input.passEnv ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new CliError(
        `x startup: --env ${JSON.stringify(name)} is not a variable name (letters, digits, _)`,
        EXIT_CODES.CONFIG,
      );
    }
    const value = input.env[name];
    if (value === undefined) {
      throw new CliError(
        `x startup: --env ${name}: the variable is not set in this shell; export it first, or leave it out`,
        EXIT_CODES.CONFIG,
      );
    }
    environment[name] = value;
  }
  const stopTimeoutSec = input.stopTimeoutSec ?? DEFAULT_STOP_TIMEOUT_SEC;
  if (!Number.isInteger(stopTimeoutSec) || stopTimeoutSec < 1) {
    throw new CliError(
      `x startup: the stop timeout must be a whole number of seconds ≥ 1, got ${stopTimeoutSec}`,
      EXIT_CODES.CONFIG,
    );
  }
  return {
    name: unitStem(input.home, input.defaultHome),
    nodePath: input.nodePath,
    binPath: input.binPath,
    home: input.home,
    configPath: input.configPath ?? null,
    environment,
    stopTimeoutSec,
  };
}

/**
 * `x-daemon` for the default state directory; else `x-daemon-<8 hex>` (the first 8 hex digits
 * of the SHA-256 of the directory), so each state directory has its own unit.
 */
export function unitStem(home: string, defaultHome: string): string {
  if (home === defaultHome) {
    return DEFAULT_UNIT_STEM;
  }
  return `${DEFAULT_UNIT_STEM}-${createHash('sha256').update(home).digest('hex').slice(0, 8)}`;
}

/** The arguments after `node bin.js` that run the daemon in the foreground. */
export function daemonArgs(spec: StartupSpec): string[] {
  return [
    'daemon',
    'start',
    '--foreground',
    '--home',
    spec.home,
    ...(spec.configPath === null ? [] : ['--config', spec.configPath]),
  ];
}

/** The arguments after `node bin.js` that start the config file's fleet, or null. */
export function fleetUpArgs(spec: StartupSpec): string[] | null {
  return spec.configPath === null ? null : ['up', '--home', spec.home, '--file', spec.configPath];
}
