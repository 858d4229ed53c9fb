export { main } from './main.js';
export { createProgram } from './program.js';
export { EXIT_CODES } from './exit-codes.js';
export { CliError } from './errors.js';
export { resolveHome, X_HOME_ENV } from './state-home.js';
export { createLauncher } from './launcher.js';
