import type { RunnerMode } from '@x/daemon';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * Environment variable setting how many spare runners the daemon keeps started ahead of
 * need (`0` turns them off). Read by the daemon at start. See apps/docs/guide/runner-modes.md.
 */
export const RUNNER_SPARES_ENV = 'X_RUNNER_SPARES';
/** The most spares `X_RUNNER_SPARES` may ask for: 8 (each is an idle runner, ~44 MiB RSS). */
export const MAX_RUNNER_SPARES = 8;

/**
 * How many spare runners the daemon keeps (pure): `X_RUNNER_SPARES` when set and not empty,
 * else 1 when agent modules run as subprocesses by default and 0 when they run as threads
 * (a spare is only ever used by a subprocess run) or subprocesses are unavailable.
 * @throws CliError (exit 78, EX_CONFIG) when the value is not an integer from 0 to 8.
 */
export function runnerSpares(
  env: NodeJS.ProcessEnv,
  modes: { defaultMode: RunnerMode; subprocess: boolean },
): number {
  if (!modes.subprocess) {
    return 0;
  }
  const value = env[RUNNER_SPARES_ENV];
  if (value === undefined || value === '') {
    return modes.defaultMode === 'subprocess' ? 1 : 0;
  }
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count <= MAX_RUNNER_SPARES)) {
    throw new CliError(
      `x: ${RUNNER_SPARES_ENV}=${JSON.stringify(value)} is not a number of spare runners; use an integer from 0 to ${MAX_RUNNER_SPARES} (0 turns them off)`,
      EXIT_CODES.CONFIG,
    );
  }
  return count;
}
