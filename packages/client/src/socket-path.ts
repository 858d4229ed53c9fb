import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The state directory a client talks to when given none, as the `x` command decides it:
 * `$X_HOME`, else `$XDG_STATE_HOME/x`, else `~/.local/state/x`.
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.X_HOME !== undefined && env.X_HOME !== '') {
    return resolve(env.X_HOME);
  }
  const stateHome =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(stateHome, 'x');
}

/** The control socket of the daemon serving `home`: `<home>/x.sock` (statePaths of @x/daemon). */
export function socketPathOf(home: string): string {
  return join(resolve(home), 'x.sock');
}
