import { createSubprocessLauncher, type RunnerLauncher } from '@x/daemon';
import { BIN_PATH } from './cli-paths.js';

/**
 * The one place that knows both how a runner is launched and how it is supervised:
 * runners are `x runner --pipe` subprocesses of this same installation.
 */
export function createLauncher(): RunnerLauncher {
  return createSubprocessLauncher({
    command: process.execPath,
    args: [BIN_PATH, 'runner', '--pipe'],
  });
}
