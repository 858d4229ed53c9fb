import { dirname, resolve } from 'node:path';
import { isDaemonError, resolveHooks, type HookConfig } from '@x/daemon';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import type { ConfigFlags } from './config-option.js';
import { readConfigFile } from './read-config-file.js';

/**
 * Reads the `hooks` of a config file (`x.config.json`: the fleet file, whose `agents` and
 * `services` are `x up`'s) for `startDaemon`, validated and with each command hook's `cwd`
 * defaulting to the file's directory (a relative `cwd` is taken from there too). A file
 * without `hooks` gives none.
 * @throws CliError (exit 78, EX_CONFIG) for a missing or invalid file, naming the hook and
 *   the field.
 */
export function readHooks(path: string): HookConfig[] {
  const { file, config } = readConfigFile(path);
  const raw = config.hooks;
  if (raw === undefined) {
    return [];
  }
  const base = dirname(file);
  try {
    // Validated here for a clear exit 78 before a daemon is spawned; startDaemon checks again.
    resolveHooks(raw, `${file}: hooks`);
  } catch (error) {
    if (isDaemonError(error)) {
      throw new CliError(error.message, EXIT_CODES.CONFIG);
    }
    throw error;
  }
  return (raw as HookConfig[]).map((hook) =>
    'command' in hook ? { ...hook, cwd: resolve(base, hook.cwd ?? '.') } : hook,
  );
}

/** The flag as `startDaemon` options. */
export function hooksOptions(flags: ConfigFlags): { hooks: HookConfig[] } {
  return { hooks: flags.config === undefined ? [] : readHooks(flags.config) };
}
