import { Option, type Command } from 'commander';
import type { RestartPolicyInput, RunnerMode } from '@x/daemon';
import {
  MIN_MEMORY_LIMIT_MIB,
  collectKeyValue,
  parseMemoryLimitMib,
  parseNonNegativeInt,
  parsePositiveInt,
} from './option-parsers.js';
import { RUNNER_MODE_ENV, requestedRunnerMode } from './runner-mode.js';

/** Options shared by `agent start` and `service start`, as commander parses them. */
export interface SupervisionOptions {
  env?: Record<string, string>;
  restart?: 'no' | 'on-failure' | 'always';
  restartDelay?: number;
  restartMaxDelay?: number;
  maxRestarts?: number;
  restartWindow?: number;
  maxMemory?: number;
  sigtermGrace?: number;
}

/**
 * Adds `--runner-mode subprocess|thread` to `agent start` (not to `service start`: a service
 * is always a subprocess).
 */
export function addRunnerModeOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--runner-mode <mode>',
      `host the agent as a subprocess or as a worker thread in the daemon (default: $${RUNNER_MODE_ENV}, else the daemon's default)`,
    ).choices(['subprocess', 'thread']),
  );
}

/**
 * The `runnerMode` of an `agent start` request: `--runner-mode`, else `X_RUNNER_MODE` of the
 * CLI's environment (module runs only), else undefined (the daemon's default).
 * @throws CliError (exit 78) for a bad `X_RUNNER_MODE`.
 */
export function runnerModeRequest(
  options: { runnerMode?: RunnerMode | undefined; command?: unknown },
  env: NodeJS.ProcessEnv = process.env,
): { runnerMode: RunnerMode | undefined } {
  return {
    runnerMode: requestedRunnerMode({
      flag: options.runnerMode,
      env,
      command: options.command !== undefined,
    }),
  };
}

/** Adds the environment, restart-policy and memory-limit options to a start command. */
export function addSupervisionOptions(command: Command): Command {
  return command
    .option(
      '--env <key=value>',
      'environment variable for the process (repeatable)',
      collectKeyValue(false),
    )
    .addOption(
      new Option('--restart <policy>', 'when to restart (systemd Restart=)').choices([
        'no',
        'on-failure',
        'always',
      ]),
    )
    .option(
      '--restart-delay <ms>',
      'first backoff delay; doubles per consecutive failure (default 1000)',
      parseNonNegativeInt,
    )
    .option('--restart-max-delay <ms>', 'backoff cap (default 60000)', parseNonNegativeInt)
    .option(
      '--max-restarts <n>',
      'restart intensity: at most n restarts per window, then failed (default 5)',
      parseNonNegativeInt,
    )
    .option('--restart-window <ms>', 'restart intensity window (default 60000)', parsePositiveInt)
    .option(
      '--max-memory <MiB>',
      `memory limit of the whole process group: V8 heap cap (agents) and RSS limit; over it the run is killed as oom (at least ${MIN_MEMORY_LIMIT_MIB}: an empty runner has about 44 MiB RSS)`,
      parseMemoryLimitMib,
    )
    .option(
      '--sigterm-grace <ms>',
      'stop: ms between SIGTERM and SIGKILL (default 3000)',
      parseNonNegativeInt,
    );
}

/** The daemon's view of those options. */
export function supervisionRequest(options: SupervisionOptions): {
  env: Record<string, string> | undefined;
  restart: RestartPolicyInput;
  maxMemoryMb: number | undefined;
} {
  return {
    env: options.env,
    restart: {
      mode: options.restart,
      backoff: { initialMs: options.restartDelay, maxMs: options.restartMaxDelay },
      intensity: { maxRestarts: options.maxRestarts, periodMs: options.restartWindow },
    },
    maxMemoryMb: options.maxMemory,
  };
}

/**
 * `--ipc-grace <ms>` and `--sigterm-grace <ms>` of a stop (`agent stop`, `agent restart`):
 * this stop's budget, overriding the run's own (`stopBudget`) for this stop only.
 */
export function addStopGraceOptions(command: Command): Command {
  return command
    .option(
      '--ipc-grace <ms>',
      'ms between IPC stop and SIGTERM (default: as started)',
      parseNonNegativeInt,
    )
    .option(
      '--sigterm-grace <ms>',
      'ms between SIGTERM and SIGKILL (default: as started)',
      parseNonNegativeInt,
    );
}
