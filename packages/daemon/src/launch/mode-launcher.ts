import type { LaunchSpec, LaunchedRunner, RunnerLauncher, RunnerMode } from './runner-launcher.js';

/** Options of {@link createModeLauncher}. */
export interface ModeLauncherOptions {
  /** Starts `subprocess` runs, `command` runs and services; absent where processes are unavailable. */
  subprocess?: RunnerLauncher | undefined;
  /** Starts `thread` runs; absent when the threaded fallback is not offered. */
  thread?: RunnerLauncher | undefined;
  /** Mode of an agent module run that asks for none; must be one of the launchers given. */
  defaultMode: RunnerMode;
  /** Why the default is what it is, shown with the modes (e.g. `subprocesses are unavailable on win32`). */
  modeNote?: string | undefined;
}

/**
 * A launcher that picks, per run, between a subprocess launcher and a thread launcher by
 * `spec.runnerMode` (a `command` always goes to the subprocess launcher). The supervisor
 * checks the requested mode against `modes` before it launches (see resolveRunnerMode).
 * @throws TypeError when `defaultMode` names a launcher that was not given.
 */
export function createModeLauncher(options: ModeLauncherOptions): RunnerLauncher {
  const { subprocess, thread, defaultMode } = options;
  const byMode: Partial<Record<RunnerMode, RunnerLauncher>> = { subprocess, thread };
  if (byMode[defaultMode] === undefined) {
    throw new TypeError(
      `@x/daemon: createModeLauncher: defaultMode ${defaultMode} has no launcher; pass options.${defaultMode}`,
    );
  }
  const modes = (['subprocess', 'thread'] as const).filter((mode) => byMode[mode] !== undefined);
  return {
    kind: defaultMode,
    modes,
    defaultMode,
    modeNote: options.modeNote,
    launch(spec: LaunchSpec): LaunchedRunner {
      const mode = spec.command !== undefined ? 'subprocess' : (spec.runnerMode ?? defaultMode);
      // A mode without a launcher was refused by the supervisor; the default is the safe fallback.
      const launcher = byMode[mode] ?? byMode[defaultMode]!;
      return launcher.launch(spec);
    },
    async close() {
      await Promise.all([subprocess?.close?.(), thread?.close?.()]);
    },
  };
}
