import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSubprocessLauncher, silentLogger, startDaemon, type DaemonHandle } from '@x/daemon';

/** The agents of examples/agents/fixtures (real kernel agents), with a trailing slash. */
export const AGENTS = fileURLToPath(new URL('../../../examples/agents/fixtures/', import.meta.url));

const KERNEL_PIPE = fileURLToPath(new URL('./fixtures/kernel-pipe.mjs', import.meta.url));

/** A short temp dir under /tmp (Unix socket paths must stay under 104 bytes). */
export function tempDir(prefix = 'x-c-'): { path: string; remove(): void } {
  const path = mkdtempSync(`/tmp/${prefix}`);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real daemon on `home`, running agent modules in the kernel's pipe runner. */
export function daemonAt(home: string): Promise<DaemonHandle> {
  return startDaemon({
    home,
    launcher: createSubprocessLauncher({ command: process.execPath, args: [KERNEL_PIPE] }),
    logger: silentLogger,
  });
}
