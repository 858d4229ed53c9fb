import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_RESTART_POLICY,
  createSubprocessLauncher,
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
