import { fileURLToPath } from 'node:url';

/** Absolute path of this package's `bin.js`: what the daemon runs as `x runner --pipe`. */
export const BIN_PATH = fileURLToPath(new URL('../bin.js', import.meta.url));
