import type { Command } from 'commander';
import { resolveHome } from './state-home.js';

/** The global options (`--home`, `--json`) as commander parses them. */
interface Globals {
  home?: string;
  json?: boolean;
}

/** Resolved global options of a subcommand: the state directory and `--json`. */
export function globals(command: Command): { home: string; json: boolean } {
  const options = command.optsWithGlobals<Globals>();
  return { home: resolveHome(options.home), json: options.json === true };
}
