// The built CLI (`x`) as the daemon tests of this package run it, and the example they run.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
export const EXAMPLE = fileURLToPath(
  new URL('../../../examples/ai-sdk/budgeted-writer.mjs', import.meta.url),
);

/** Runs `x …args` with X_HOME=home (30 s at most); never rejects: the exit code is in `code`. */
export function x(
  home: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, X_HOME: home }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}
