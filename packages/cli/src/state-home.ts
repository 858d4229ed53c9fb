import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Environment variable naming the state directory. */
export const X_HOME_ENV = 'X_HOME';

/**
 * The state directory: `--home`, else `$X_HOME`, else `$XDG_STATE_HOME/x`, else
 * `~/.local/state/x` (XDG Base Directory specification).
 */
export function resolveHome(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined && flag !== '') {
    return resolve(flag);
  }
  const fromEnv = env[X_HOME_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return resolve(fromEnv);
  }
  const stateHome =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(stateHome, 'x');
}
