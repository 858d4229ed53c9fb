import { existsSync } from 'node:fs';
import {
  createModeLauncher,
  createSubprocessLauncher,
  createLogger,
  createThreadLauncher,
  type RunnerLauncher,
} from '@x/daemon';
import { BIN_PATH } from './cli-paths.js';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { daemonRunnerModes } from './runner-mode.js';
import { runnerSpares } from './runner-spares.js';

/** The kernel's worker entry: what a thread runner runs. */
const WORKER_ENTRY = '@x/kernel/worker';

/** Options of {@link createLauncher}; the defaults are the daemon process's own. */
export interface CreateLauncherOptions {
  /** Where `X_RUNNER_MODE` and `X_RUNNER_SPARES` are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  platform?: NodeJS.Platform;
}

/**
 * The one place that knows both how a runner is launched and how it is supervised. Agent
 * modules run as `x runner --pipe` subprocesses of this same installation, or as
 * `worker_threads` workers in the daemon running the kernel's worker entry
 * (`@x/kernel/worker`), per run (`runnerMode`). The default mode is `X_RUNNER_MODE` of the
 * daemon's environment, else `subprocess`; on win32 it is `thread` and subprocesses are not
 * offered. `command` runs and services are always subprocesses.
 * If the worker entry cannot be resolved (a broken install), `thread` is not offered and the
 * daemon's status says why.
 * The subprocess launcher keeps `X_RUNNER_SPARES` spare runners started ahead (default 1 when
 * the default mode is `subprocess`, else 0; `0` turns them off): a run or a restart that can
 * use one skips Node's cold start (apps/docs/guide/runner-modes.md, "Spare runners").
 * @throws CliError (exit 78, EX_CONFIG) for a bad `X_RUNNER_MODE` or `X_RUNNER_SPARES`, or
 *   when the default mode is `thread` and the worker entry cannot be resolved.
 */
export function createLauncher(options: CreateLauncherOptions = {}): RunnerLauncher {
  const env = options.env ?? process.env;
  const modes = daemonRunnerModes(env, options.platform ?? process.platform);
  const spares = runnerSpares(env, modes);
  let workerUrl: string | undefined;
  let unresolved: string | undefined;
  try {
    // The bundled worker entry (dist/worker.mjs, built by scripts/build-runner.mjs) starts a
    // thread runner without loading @x/ipc's modules one by one; the package entry otherwise.
    const bundled = new URL('./worker.mjs', import.meta.url);
    workerUrl = existsSync(bundled) ? bundled.href : import.meta.resolve(WORKER_ENTRY);
  } catch (error) {
    unresolved = `thread mode unavailable: cannot resolve ${WORKER_ENTRY} (${(error as Error).message})`;
  }
  if (workerUrl === undefined && modes.defaultMode === 'thread') {
    throw new CliError(
      `x: the default runner mode is thread, but ${unresolved ?? WORKER_ENTRY}; reinstall x`,
      EXIT_CODES.CONFIG,
    );
  }
  const note = [modes.note, unresolved].filter((text) => text !== undefined).join('; ');
  return createModeLauncher({
    subprocess: modes.subprocess
      ? createSubprocessLauncher({
          command: process.execPath,
          args: [BIN_PATH, 'runner', '--pipe'],
          spares,
          logger: createLogger(),
        })
      : undefined,
    thread: workerUrl === undefined ? undefined : createThreadLauncher({ workerUrl }),
    defaultMode: modes.defaultMode,
    modeNote: note === '' ? undefined : note,
  });
}
