import type { ModelPrices } from '@x/ipc';
import { isDaemonError, resolveModelPrices } from '@x/daemon';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import type { ConfigFlags } from './config-option.js';
import { readConfigFile } from './read-config-file.js';

/**
 * Reads the `modelPrices` of a config file (`x.config.json`): the operator's prices by model
 * id, US dollars per million tokens, which every run of the daemon prices model calls with
 * before the catalog. A file without `modelPrices` gives none.
 * @throws CliError (exit 78, EX_CONFIG) for a missing or invalid file, naming the file, the
 *   model and the field.
 */
export function readModelPrices(path: string): Readonly<ModelPrices> {
  const { file, config } = readConfigFile(path);
  if (config.modelPrices === undefined) {
    return {};
  }
  try {
    return resolveModelPrices(config.modelPrices, `${file}: modelPrices`);
  } catch (error) {
    if (isDaemonError(error)) {
      throw new CliError(error.message, EXIT_CODES.CONFIG);
    }
    throw error;
  }
}

/** The flag as `startDaemon` options. */
export function modelPricesOptions(flags: ConfigFlags): { modelPrices: Readonly<ModelPrices> } {
  return { modelPrices: flags.config === undefined ? {} : readModelPrices(flags.config) };
}
