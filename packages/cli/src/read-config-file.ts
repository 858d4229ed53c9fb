import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * Reads a config file (`x.config.json`) as a JSON object, for the daemon's parts of it
 * (`hooks`, `modelPrices`).
 * @returns the absolute path and the object.
 * @throws CliError (exit 78, EX_CONFIG) for a missing file, one that is not JSON, or JSON that
 *   is not an object, naming the file.
 */
export function readConfigFile(path: string): { file: string; config: Record<string, unknown> } {
  const file = resolve(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `x: no config file at ${file}; pass an existing x.config.json to --config`
        : `x: ${file} is not valid JSON: ${(error as Error).message}`,
      EXIT_CODES.CONFIG,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `x: ${file}: expected an object (with "hooks", "modelPrices", "agents", …)`,
      EXIT_CODES.CONFIG,
    );
  }
  return { file, config: parsed as Record<string, unknown> };
}
