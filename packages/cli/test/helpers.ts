import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '@x/daemon';

export const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(
  new URL('../../../examples/agents/fixtures/', import.meta.url),
);
export const FIXTURES_CLI = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../../examples/agents/', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Limits of one {@link x} run. */
export interface RunLimits {
  /** Kill it after this long, ms. @default 30 000 */
  timeoutMs?: number;
  /** Most bytes of stdout or stderr kept. @default 1 MiB (execFile's) */
  maxBuffer?: number;
}

/**
 * Runs the built `x` binary with X_HOME set, plus `env` (a value of undefined removes the
 * variable); gives up after 30 s (`limits`). Never rejects.
 */
export function x(
  home: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  limits: RunLimits = {},
): Promise<Result> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, X_HOME: home, ...env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) {
      delete childEnv[key];
    }
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: childEnv,
        timeout: limits.timeoutMs ?? 30_000,
        ...(limits.maxBuffer === undefined ? {} : { maxBuffer: limits.maxBuffer }),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `x … --json` (with `env` and `limits`, as {@link x}) and parses stdout. */
export async function xJson<T = Record<string, unknown>>(
  home: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  limits: RunLimits = {},
): Promise<T & { $code: number; $stderr: string }> {
  const result = await x(home, args.includes('--json') ? args : [...args, '--json'], env, limits);
  let parsed: T;
  try {
    parsed = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `x ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return Object.assign(parsed as object, { $code: result.code, $stderr: result.stderr }) as T & {
    $code: number;
    $stderr: string;
  };
}

export function tempHome(): { path: string; remove(): void } {
  const path = mkdtempSync('/tmp/x-cli-');
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True while a process with this pid exists (the daemon's own check). */
export const isAlive = isProcessAlive;

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return predicate();
}
