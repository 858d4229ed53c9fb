import { CommanderError, type Command } from 'commander';
import { toCliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { createProgram } from './program.js';
import { usageHint } from './usage-hint.js';

/**
 * Runs the `x` command with `argv` (as `process.argv`) and exits the process with the
 * command's exit code (see exit-codes.ts). Errors are mapped to messages and codes here,
 * in one place. A usage error (exit 2) prints its message and one hint line
 * (``run `x agent start --help` for usage``), never the whole help.
 */
export async function main(argv: readonly string[]): Promise<void> {
  // `x agent list | head -1`: a closed stdout is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(process.exitCode ?? 0);
    }
  });
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
    const cliError = toCliError(error);
    const hint =
      cliError.exitCode === EXIT_CODES.USAGE && acting !== undefined
        ? usageHint(acting)
        : undefined;
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ error: { message: cliError.message, exitCode: cliError.exitCode, data: cliError.data ?? null, ...(hint === undefined ? {} : { hint }) } }, null, 2)}\n`,
      );
    }
    process.stderr.write(
      hint === undefined ? `${cliError.message}\n` : `${cliError.message}\n${hint}\n`,
    );
    process.exitCode = cliError.exitCode;
    return;
  }
  process.exitCode = exitCode;
}
