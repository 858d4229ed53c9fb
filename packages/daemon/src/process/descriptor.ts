import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';

/** Contents of `daemon.json`, the running daemon's descriptor. */
export interface DaemonDescriptor {
  pid: number;
  socketPath: string;
  /** Version of @x/daemon. */
  version: string;
  protocolVersion: number;
  /** ms since the Unix epoch. */
  startedAt: number;
  home: string;
}

/** Writes the descriptor atomically (temp file, fsync, rename), mode 0600. */
export function writeDescriptor(path: string, descriptor: DaemonDescriptor): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(descriptor, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Reads the descriptor; undefined when missing or unreadable (treated as no daemon). */
export function readDescriptor(path: string): DaemonDescriptor | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<DaemonDescriptor>;
    if (typeof value.pid !== 'number' || typeof value.socketPath !== 'string') {
      return undefined;
    }
    return value as DaemonDescriptor;
  } catch {
    return undefined;
  }
}

export function removeDescriptor(path: string): void {
  rmSync(path, { force: true });
}

/** True when a process with this pid exists (EPERM counts: it exists, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the descriptor only if it names this process: never a successor daemon's. */
export function removeOwnDescriptor(path: string): void {
  if (readDescriptor(path)?.pid === process.pid) {
    removeDescriptor(path);
  }
}
