import { resolve } from 'node:path';
import type { Command } from 'commander';

/** `x daemon start|restart --config <file>`: where the daemon's hooks and model prices come from. */
export interface ConfigFlags {
  config?: string | undefined;
}

/**
 * Adds `--config <file>` to `x daemon start|restart`. Kept apart from `read-hooks.ts`:
 * `program.ts` loads this module for every command, and @x/daemon must not come with it.
 */
export function addConfigOption(command: Command): Command {
  return command.option(
    '--config <file>',
    'load the event hooks and model prices of this config file (the "hooks" and "modelPrices" of x.config.json) (default: none)',
  );
}

/** The flag again, as arguments for the detached `x daemon start --foreground` (absolute path). */
export function configArgs(flags: ConfigFlags): string[] {
  return flags.config === undefined ? [] : ['--config', resolve(flags.config)];
}
