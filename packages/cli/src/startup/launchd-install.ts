import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { describeFailure, runCommand } from './service-manager.js';

/** What `x startup` / `x unstartup` did with a launchd agent. */
export interface LaunchdReport {
  manager: 'launchd';
  label: string;
  path: string;
  /** `enabled`: loaded now and at every login; `removed`: booted out and deleted. */
  action: 'enabled' | 'removed' | 'not_installed';
  started: boolean;
}

/** `~/Library/LaunchAgents`: where a user's launchd agents live. */
export function launchAgentsDir(): string {
  return join(homedir(), 'Library', 'LaunchAgents');
}

/** `gui/<uid>`: the launchd domain of the logged-in user's agents. */
function domain(): string {
  return `gui/${userInfo().uid}`;
}

async function launchctl(args: string[], verb: string): Promise<void> {
  const result = await runCommand('launchctl', args);
  if (!result.found) {
    throw new CliError(
      `x ${verb}: launchctl is not installed; \`x startup --print\` prints the agent plist`,
      EXIT_CODES.UNAVAILABLE,
    );
  }
  if (!result.ok) {
    throw new CliError(`x ${verb}: ${describeFailure('launchctl', args, result)}`);
  }
}

/**
 * Writes the plist to `~/Library/LaunchAgents/<label>.plist` and loads it into the user's
 * GUI domain (`launchctl bootstrap`), which starts the daemon now when `start` (RunAtLoad)
 * and at every login. When `start` is false (a daemon already runs outside launchd), the
 * file is only written: launchd loads it at the next login.
 * @throws CliError when launchctl is missing or fails.
 */
export async function installLaunchdAgent(
  label: string,
  text: string,
  start: boolean,
): Promise<LaunchdReport> {
  const dir = launchAgentsDir();
  const path = join(dir, `${label}.plist`);
  mkdirSync(dir, { recursive: true });
  if (start) {
    // A loaded job of that label (an earlier `x startup`) must go before the new one loads.
    await runCommand('launchctl', ['bootout', `${domain()}/${label}`]);
  }
  // 0600: `--env` may put a secret in it.
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  if (start) {
    await launchctl(['bootstrap', domain(), path], 'startup');
  }
  return { manager: 'launchd', label, path, action: 'enabled', started: start };
}

/**
 * Unloads the agent (`launchctl bootout`, which also stops the daemon it runs: launchd has no
 * way to forget a job and leave its process) and deletes the plist.
 */
export async function removeLaunchdAgent(label: string): Promise<LaunchdReport> {
  const path = join(launchAgentsDir(), `${label}.plist`);
  if (!existsSync(path)) {
    return { manager: 'launchd', label, path, action: 'not_installed', started: false };
  }
  // Not loaded (already booted out, or written without loading) is fine: the file goes anyway.
  await runCommand('launchctl', ['bootout', `${domain()}/${label}`]);
  rmSync(path, { force: true });
  return { manager: 'launchd', label, path, action: 'removed', started: false };
}
