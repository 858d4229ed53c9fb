import { isRunnerMode, type RunnerLauncher, type RunnerMode } from './runner-launcher.js';

/** What {@link resolveRunnerMode} decides from. */
export interface RunnerModeInput {
  /** The mode the start request asked for, if any. */
  requested: RunnerMode | undefined;
  /** A service, or an agent given as a `command` (any language), is always a subprocess. */
  kind: 'agent' | 'service';
  command: boolean;
  launcher: Pick<RunnerLauncher, 'kind' | 'modes' | 'defaultMode' | 'modeNote'>;
}

/** The mode of a run, or why the request cannot be served (a `-32602` on `/runnerMode`). */
export type RunnerModeDecision =
  | { ok: true; mode: RunnerMode }
  | { ok: false; field: '/runnerMode' | '/command'; message: string };

/** The modes a launcher offers: its `modes`, else its `kind` when that is a mode. */
export function launcherModes(
  launcher: Pick<RunnerLauncher, 'kind' | 'modes'>,
): readonly RunnerMode[] {
  return launcher.modes ?? (isRunnerMode(launcher.kind) ? [launcher.kind] : ['subprocess']);
}

/**
 * Picks how a run is hosted. Pure. Rules, in order:
 * 1. a `command` run or a service is a subprocess: asking `thread` for it is refused, and so
 *    is any such run when the launcher cannot start subprocesses (e.g. win32);
 * 2. an agent module run gets the requested mode if the launcher offers it (else refused,
 *    naming the modes offered), else the launcher's default mode.
 */
export function resolveRunnerMode(input: RunnerModeInput): RunnerModeDecision {
  const { requested, launcher } = input;
  const modes = launcherModes(launcher);
  const note = launcher.modeNote === undefined ? '' : ` (${launcher.modeNote})`;
  if (input.command || input.kind === 'service') {
    const what = input.kind === 'service' ? 'a service' : 'a command run (--command)';
    if (requested === 'thread') {
      return {
        ok: false,
        field: '/runnerMode',
        message: `Invalid params: runnerMode thread is for agent modules only; ${what} is always a subprocess: drop runnerMode or set it to subprocess`,
      };
    }
    if (!modes.includes('subprocess')) {
      return {
        ok: false,
        field: '/command',
        message: `Invalid params: ${what} needs a subprocess, and this daemon cannot start subprocesses${note}; run an agent module instead`,
      };
    }
    return { ok: true, mode: 'subprocess' };
  }
  if (requested !== undefined) {
    if (!modes.includes(requested)) {
      return {
        ok: false,
        field: '/runnerMode',
        message: `Invalid params: runnerMode ${requested} is not available in this daemon, which offers ${modes.join(', ')}${note}`,
      };
    }
    return { ok: true, mode: requested };
  }
  const fallback = launcher.defaultMode ?? (isRunnerMode(launcher.kind) ? launcher.kind : modes[0]);
  return { ok: true, mode: fallback };
}
