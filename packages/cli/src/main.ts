import { CommanderError, type Command } from 'commander';
import { exitQuietlyOnClosedStdout } from './closed-stdout.js';
import { EXIT_CODES } from './exit-codes.js';
import { createProgram } from './program.js';
import { reportError } from './report-error.js';
import { usageHint } from './usage-hint.js';

/**
 * Runs the `x` command with `argv` (as `process.argv`) and exits the process with the
 * command's exit code (see exit-codes.ts). Errors are mapped to messages and codes in one
 * place (report-error.ts), here and on the fast path of client commands (fast-path/). A usage error (exit 2) prints its message and one hint line
 * (``run `x agent start --help` for usage``), never the whole help.
 */
export async function main(argv: readonly string[]): Promise<void> {
  exitQuietlyOnClosedStdout();
  let exitCode: number = EXIT_CODES.OK;
  const program = createProgram((code) => (exitCode = code));
  // The command whose action runs: a usage error raised by it names its --help.
  let acting: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    acting = actionCommand;
  });
  // Only x's own flag: after `--` the words belong to a service's command.
  const separator = argv.indexOf('--');
  const json = (separator === -1 ? argv : argv.slice(0, separator)).includes('--json');
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" that exit 0; commander already printed the text.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_CODES.USAGE;
      if (json && error.exitCode !== 0) {
        process.stdout.write(
          `${JSON.stringify({ error: { message: error.message, exitCode: EXIT_CODES.USAGE, data: { code: error.code } } }, null, 2)}\n`,
        );
      }
      return;
    }
    reportError(error, json, (code) =>
      code === EXIT_CODES.USAGE && acting !== undefined ? usageHint(acting) : undefined,
    );
    return;
  }
  process.exitCode = exitCode;
}
