import type { RunnerMode } from '@x/daemon';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * Environment variable choosing how agent modules are hosted: `subprocess` or `thread`.
 * Read by the daemon at start (its default mode) and by `x agent start` / `x up` (the mode
 * they ask for when no `--runner-mode` is given).
 */
export const RUNNER_MODE_ENV = 'X_RUNNER_MODE';

/** The modes the daemon offers and the default for agent modules that ask for none. */
export interface DaemonRunnerModes {
  defaultMode: RunnerMode;
  /** False where runners cannot be processes (win32): then only `thread` is offered. */
  subprocess: boolean;
  /** Why, when the platform decided: shown by `x daemon status`. */
  note: string | undefined;
}

/**
 * `X_RUNNER_MODE` from an environment, or undefined when unset or empty.
 * @throws CliError (exit 78, EX_CONFIG) for any other value, naming it.
 */
export function runnerModeFromEnv(env: NodeJS.ProcessEnv): RunnerMode | undefined {
  const value = env[RUNNER_MODE_ENV];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (value !== 'subprocess' && value !== 'thread') {
    throw new CliError(
      `x: ${RUNNER_MODE_ENV}=${JSON.stringify(value)} is not a runner mode; use subprocess or thread (or unset it)`,
      EXIT_CODES.CONFIG,
    );
  }
  return value;
}

/**
 * The daemon's runner modes, decided once at start. Pure: `X_RUNNER_MODE` of the daemon's
 * environment, else `subprocess`; on win32 (no process groups, no fd 3 socketpair) agents
 * always run as threads and `X_RUNNER_MODE=subprocess` is ignored, as the note says.
 * @throws CliError (exit 78) for a bad `X_RUNNER_MODE`.
 */
export function daemonRunnerModes(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): DaemonRunnerModes {
  const asked = runnerModeFromEnv(env);
  if (platform === 'win32') {
    return {
      defaultMode: 'thread',
      subprocess: false,
      note: `subprocesses are unavailable on win32: agents run as threads${asked === 'subprocess' ? `; ${RUNNER_MODE_ENV}=subprocess ignored` : ''}`,
    };
  }
  return { defaultMode: asked ?? 'subprocess', subprocess: true, note: undefined };
}

/**
 * The mode `x agent start` / `x up` asks for. Precedence: `--runner-mode` > `X_RUNNER_MODE`
 * of the CLI's environment > the fleet file (`runner.mode` of the entry, then top-level) >
 * none (the daemon's default). The environment is a default for agent modules only: a
 * `command` run or a service gets it only when given explicitly (and the daemon refuses
 * `thread` for it).
 * @throws CliError (exit 78) for a bad `X_RUNNER_MODE`.
 */
export function requestedRunnerMode(input: {
  flag?: RunnerMode | undefined;
  env: NodeJS.ProcessEnv;
  config?: RunnerMode | undefined;
  /** A `command` run or a service. */
  command: boolean;
}): RunnerMode | undefined {
  if (input.flag !== undefined) {
    return input.flag;
  }
  const fromEnv = runnerModeFromEnv(input.env);
  if (fromEnv !== undefined && !input.command) {
    return fromEnv;
  }
  return input.config;
}
