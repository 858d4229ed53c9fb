import { execFile } from 'node:child_process';

/** Longest one `systemctl` / `launchctl` / `loginctl` call may take: 30 s. */
export const SERVICE_MANAGER_TIMEOUT_MS = 30_000;

/** How one service-manager command ended. */
export interface CommandResult {
  ok: boolean;
  /** False when the program is not installed (ENOENT). */
  found: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `program args…` and reports how it ended. Never throws. */
export function runCommand(program: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { timeout: SERVICE_MANAGER_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        // A number for an exit status, a string (ENOENT…) when it could not be run.
        const code: unknown = (error as { code?: unknown } | null)?.code;
        resolve({
          ok: error === null,
          found: code !== 'ENOENT',
          code: error === null ? 0 : typeof code === 'number' ? code : null,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}

/** `program args…` and what it printed, for an error message. */
export function describeFailure(
  program: string,
  args: readonly string[],
  result: CommandResult,
): string {
  const output = (result.stderr.trim() || result.stdout.trim() || '(no output)').slice(0, 2000);
  return `\`${[program, ...args].join(' ')}\` failed${result.code === null ? '' : ` (exit ${result.code})`}: ${output}`;
}
