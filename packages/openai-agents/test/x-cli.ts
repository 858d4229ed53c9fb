// The built CLI (`x`) against a daemon in a temp X_HOME, for the tests that run the examples
// under a real daemon. Needs @x/cli, @x/kernel and @x/openai-agents built.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

/** The path of an example module of examples/openai-agents. */
export function example(file: string): string {
  return fileURLToPath(new URL(`../../../examples/openai-agents/${file}`, import.meta.url));
}

/** Runs `x <args>` with X_HOME=home; resolves with its exit code and output (30 s at most). */
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

/** Resolves once `predicate` holds, polling every 100 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(`not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
