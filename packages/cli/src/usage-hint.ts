import type { Command } from 'commander';

/** `x agent start`: the words that name `command`, from the root. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) {
    names.unshift(at.name());
  }
  return names.join(' ');
}

/** The one line printed under a usage error: ``run `x agent start --help` for usage``. */
export function usageHint(command: Command): string {
  return usageHintFor(commandPath(command));
}

/** {@link usageHint} of the command named `path` (`x agent status`). */
export function usageHintFor(path: string): string {
  return `run \`${path} --help\` for usage`;
}

/**
 * Makes every command of the tree print its usage hint, not its whole help, under a
 * commander error (unknown option, invalid value, missing argument): the error stays the
 * last thing read, not a line above 50 lines of help.
 */
export function addUsageHints(command: Command): void {
  command.showHelpAfterError(usageHint(command));
  for (const sub of command.commands) {
    addUsageHints(sub);
  }
}
