import { statSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RpcError } from '@x/ipc';

/**
 * Checks what a start names before anything is launched or changed (spare runners follow the
 * cwd of the last launch): the working directory must be an existing directory, and an agent
 * module that exists must be a regular file (a FIFO would block the reader's `open` for ever; a
 * directory or device cannot be an ES module). A module that does not exist is left to the
 * runner, which exits 78 (EX_CONFIG) naming it.
 * @throws RpcError -32602 naming the field (`/cwd`, `/module`), the value and the fix.
 */
export function checkLaunchable(request: {
  module?: string | undefined;
  cwd?: string | undefined;
}): void {
  if (request.cwd !== undefined) {
    const stats = statOrError(request.cwd);
    if (typeof stats === 'string' || !stats.isDirectory()) {
      throw new RpcError(
        -32602,
        `Invalid params: cwd ${JSON.stringify(request.cwd)} ${typeof stats === 'string' ? `cannot be used (${stats})` : `is ${fileKind(stats)}, not a directory`}; give an existing directory`,
        { field: '/cwd' },
      );
    }
  }
  if (request.module !== undefined) {
    const path = modulePath(request.module);
    const stats = path === undefined ? undefined : statOrError(path);
    if (stats !== undefined && typeof stats !== 'string' && !stats.isFile()) {
      throw new RpcError(
        -32602,
        `Invalid params: module ${JSON.stringify(request.module)} is ${fileKind(stats)}, not a regular file; give the agent's .mjs or .js file`,
        { field: '/module' },
      );
    }
  }
}

/** A local path for a module given as a path or `file:` URL; undefined for other specifiers. */
function modulePath(module: string): string | undefined {
  if (module.startsWith('file:')) {
    try {
      return fileURLToPath(module);
    } catch {
      return undefined;
    }
  }
  return module.startsWith('/') ? module : undefined;
}

function statOrError(path: string): Stats | string {
  try {
    return statSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

function fileKind(stats: Stats): string {
  if (stats.isFIFO()) {
    return 'a FIFO (named pipe)';
  }
  if (stats.isDirectory()) {
    return 'a directory';
  }
  if (stats.isSocket()) {
    return 'a socket';
  }
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    return 'a device';
  }
  return stats.isFile() ? 'a regular file' : 'not a regular file';
}
