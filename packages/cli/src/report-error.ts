import { toCliError } from './errors.js';

/**
 * Reports an error a command threw, the one way every `x` command does: with `--json`, one
 * document `{ error: { message, exitCode, data, hint? } }` on stdout; always the message (and
 * the usage `hint`, when given) on stderr; then sets `process.exitCode` (see exit-codes.ts).
 * Returns the exit code.
 */
export function reportError(
  error: unknown,
  json: boolean,
  hintFor: (exitCode: number) => string | undefined = () => undefined,
): number {
  const cliError = toCliError(error);
  const hint = hintFor(cliError.exitCode);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { message: cliError.message, exitCode: cliError.exitCode, data: cliError.data ?? null, ...(hint === undefined ? {} : { hint }) } }, null, 2)}\n`,
    );
  }
  process.stderr.write(
    hint === undefined ? `${cliError.message}\n` : `${cliError.message}\n${hint}\n`,
  );
  process.exitCode = cliError.exitCode;
  return cliError.exitCode;
}
