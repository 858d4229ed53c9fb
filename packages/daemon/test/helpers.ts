import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_RESTART_POLICY,
  createModeLauncher,
  createSubprocessLauncher,
  createThreadLauncher,
  isProcessAlive,
  type RunRecord,
  type RunnerLauncher,
} from '../src/index.js';

export const PROTOCOL_RUNNER = fileURLToPath(
  new URL('./fixtures/protocol-runner.mjs', import.meta.url),
);

/** A launcher running the protocol-only fixture in FIXTURE_MODE=mode (set per run through env). */
export function fixtureLauncher(): RunnerLauncher {
  return createSubprocessLauncher({ command: process.execPath, args: [PROTOCOL_RUNNER] });
}

/** The agents of examples/agents/fixtures (real kernel agents), with a trailing slash. */
export const AGENTS = fileURLToPath(new URL('../../../examples/agents/fixtures/', import.meta.url));

/** The kernel's pipe runner, as a script (what `x runner --pipe` runs). */
export const KERNEL_PIPE = fileURLToPath(new URL('./fixtures/kernel-pipe.mjs', import.meta.url));

/**
 * The kernel's worker entry, built: what the CLI resolves as `@x/kernel/worker`. Resolved by
 * path: the test process runs with `--conditions @x/source`, which would pick the .ts source.
 */
export const WORKER_ENTRY = new URL('../../kernel/dist/worker-entry.js', import.meta.url);

/** Both kernel launchers behind one, as the CLI composes them; the mode is chosen per run. */
export function kernelLauncher(): RunnerLauncher {
  return createModeLauncher({
    subprocess: createSubprocessLauncher({ command: process.execPath, args: [KERNEL_PIPE] }),
    // execArgv []: the workers must not inherit the test process's --conditions @x/source.
    thread: createThreadLauncher({ workerUrl: WORKER_ENTRY, execArgv: [] }),
    defaultMode: 'subprocess',
  });
}

/** A short temp dir under /tmp (Unix socket paths must stay under 104 bytes). */
export function tempDir(prefix = 'x-d-'): { path: string; remove(): void } {
  const path = mkdtempSync(`/tmp/${prefix}`);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True while a process with this pid exists (the daemon's own check). */
export const isAlive = isProcessAlive;

export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  stepMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return predicate();
}

/** A complete run record for store tests. */
export const runRecord = (runId: string, name: string, createdAt: number): RunRecord => ({
  runId,
  name,
  module: '/tmp/agent.mjs',
  params: { url: 'http://localhost' },
  options: {
    command: null,
    intervalMs: 100,
    maxIterations: null,
    stopBudget: { ipcMs: 2000, sigtermMs: 3000 },
    codec: 'jsonl',
    cwd: '/tmp',
    env: {},
    restart: DEFAULT_RESTART_POLICY,
    maxMemoryMb: null,
  },
  launcher: 'subprocess',
  state: 'starting',
  pid: null,
  pgid: null,
  createdAt,
  readyAt: null,
  endedAt: null,
  iterations: 0,
  lastSummary: null,
  attempt: 1,
  restarts: 0,
  nextRestartAt: null,
  lastReasons: [],
  exit: null,
  logPath: null,
});
