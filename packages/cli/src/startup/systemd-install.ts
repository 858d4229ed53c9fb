import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { describeFailure, runCommand } from './service-manager.js';

/** What `x startup` / `x unstartup` did with a systemd user unit. */
export interface SystemdReport {
  manager: 'systemd';
  /** `x-daemon.service`. */
  unit: string;
  path: string;
  /** `enabled`: starts at login (boot with lingering); `removed`: by `x unstartup`. */
  action: 'enabled' | 'removed' | 'not_installed';
  /** True when `x startup` started the daemon through the unit now. */
  started: boolean;
  /**
   * `loginctl`'s Linger for the user: true, the user manager (and the daemon) starts at
   * boot; false, at the user's first login; null, unknown (no logind).
   */
  linger: boolean | null;
}

/** `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user` (systemd.unit(5)). */
export function userUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return join(config, 'systemd', 'user');
}

/**
 * Fails unless a systemd user manager answers: systemctl is installed and `systemctl --user`
 * reaches the user's manager (as root in a container, or over `su` without a session, there
 * is none).
 * @throws CliError (exit 69) naming the cause and pointing at `x startup --print`.
 */
async function requireUserManager(name: string): Promise<void> {
  const args = ['--user', 'show', '--property=Version'];
  const result = await runCommand('systemctl', args);
  if (!result.found) {
    throw new CliError(
      'x startup: systemctl is not installed, so there is no systemd to start the daemon at boot; `x startup --print` prints the unit for a machine that has systemd',
      EXIT_CODES.UNAVAILABLE,
    );
  }
  if (!result.ok) {
    const who = userInfo().username;
    throw new CliError(
      `x startup: no systemd user manager answers for ${who} (${describeFailure('systemctl', args, result)}). ` +
        'A user manager runs for a user with a login session (or lingering, `loginctl enable-linger`); ' +
        'root in a container, `su` and `sudo` shells usually have none. ' +
        `Log in as the user, or install the unit by hand: \`x startup --print > ~/.config/systemd/user/${name}\`, then \`systemctl --user enable --now ${name}\` in a session that has a user manager`,
      EXIT_CODES.UNAVAILABLE,
    );
  }
}

async function systemctl(args: string[]): Promise<void> {
  const full = ['--user', ...args];
  const result = await runCommand('systemctl', full);
  if (!result.ok) {
    throw new CliError(`x startup: ${describeFailure('systemctl', full, result)}`);
  }
}

async function readLinger(): Promise<boolean | null> {
  const result = await runCommand('loginctl', [
    'show-user',
    String(userInfo().uid),
    '--property=Linger',
    '--value',
  ]);
  const value = result.stdout.trim();
  return result.ok && (value === 'yes' || value === 'no') ? value === 'yes' : null;
}

/**
 * Writes `unit` as `<userUnitDir>/<name>`, reloads the user manager and enables the unit;
 * starts it too unless `start` is false (a daemon already runs for the state directory
 * outside the unit: two cannot share it).
 * @throws CliError when there is no user manager, or systemctl fails.
 */
export async function installSystemdUnit(
  name: string,
  unit: string,
  start: boolean,
): Promise<SystemdReport> {
  await requireUserManager(name);
  const dir = userUnitDir();
  const path = join(dir, name);
  mkdirSync(dir, { recursive: true });
  // 0600: `--env` may put a secret in it; the user manager reads it as this user.
  writeFileSync(path, unit, { mode: 0o600 });
  chmodSync(path, 0o600);
  await systemctl(['daemon-reload']);
  await systemctl(start ? ['enable', '--now', name] : ['enable', name]);
  return {
    manager: 'systemd',
    unit: name,
    path,
    action: 'enabled',
    started: start,
    linger: await readLinger(),
  };
}

/**
 * Disables the unit and removes its file, then reloads the manager. A daemon the unit runs is
 * left running (stop it with `x daemon stop`; `Restart=on-failure` does not bring back a clean
 * stop).
 * @throws CliError when there is no user manager, or systemctl fails.
 */
export async function removeSystemdUnit(name: string): Promise<SystemdReport> {
  const path = join(userUnitDir(), name);
  if (!existsSync(path)) {
    return {
      manager: 'systemd',
      unit: name,
      path,
      action: 'not_installed',
      started: false,
      linger: null,
    };
  }
  await requireUserManager(name);
  await systemctl(['disable', name]);
  rmSync(path, { force: true });
  await systemctl(['daemon-reload']);
  return { manager: 'systemd', unit: name, path, action: 'removed', started: false, linger: null };
}
