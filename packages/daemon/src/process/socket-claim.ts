import { linkSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * What the kernel says about a Unix socket path:
 * - `listening`: a process holds a listening socket there (connect succeeded, or its backlog
 *   is full). It may be stopped (SIGSTOP), swapping or busy: the kernel still completes the
 *   connection, so this answer does not depend on the holder being responsive.
 * - `refused`: the file exists but nobody listens (ECONNREFUSED): left by a dead process.
 * - `absent`: no file (ENOENT).
 */
export type SocketState = 'listening' | 'refused' | 'absent';

/**
 * Asks the kernel whether a process listens on `path` (see {@link SocketState}). An error other
 * than ECONNREFUSED/ENOENT (EACCES, EAGAIN on a full backlog, a timeout) counts as
 * `listening`: something holds the path, so it must not be taken over.
 */
export function probeSocket(
  path: string,
  timeoutMs = 1000,
): Promise<{ state: SocketState; detail?: string }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (result: { state: SocketState; detail?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ state: 'listening', detail: `connect did not complete within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => done({ state: 'listening' }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        done({ state: 'refused' });
      } else if (error.code === 'ENOENT') {
        done({ state: 'absent' });
      } else {
        done({ state: 'listening', detail: error.code ?? error.message });
      }
    });
  });
}

/** The identity of a socket file this process created: removed only while it is still the one. */
export interface OwnedSocket {
  path: string;
  dev: number;
  ino: number;
}

/** Why {@link claimSocketPath} could not take the path. */
export type ClaimResult =
  { ok: true; owned: OwnedSocket } | { ok: false; detail: string | undefined };

/** How often a claim retries after removing a dead socket that another start replaced: 5. */
const CLAIM_ATTEMPTS = 5;

/**
 * Makes the socket bound at `boundPath` (a private name in the same directory) reachable at
 * `path`, atomically and only if no live process holds `path`: `link(2)` fails with EEXIST
 * when the name is taken, so two daemons can never both own it, whatever either is doing.
 * A name held by a dead process (ECONNREFUSED) is removed first, only if it is still the same
 * file that was found dead. The private name is removed once the link exists.
 */
export async function claimSocketPath(boundPath: string, path: string): Promise<ClaimResult> {
  try {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      try {
        linkSync(boundPath, path);
        return { ok: true, owned: { path, ...identityOf(path) } };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      const before = fileIdentity(path);
      const found = await probeSocket(path);
      if (found.state === 'listening') {
        return { ok: false, detail: found.detail };
      }
      if (found.state === 'refused' && before !== undefined) {
        removeIfSame(path, before);
      }
    }
    return { ok: false, detail: `${path} kept being replaced while this daemon started` };
  } finally {
    unlinkIfThere(boundPath);
  }
}

/** Removes the socket file only if it is still the one this process created. */
export function releaseSocketPath(owned: OwnedSocket): boolean {
  return removeIfSame(owned.path, owned);
}

/**
 * A private name to bind to, beside `path`: `.<pid in base 36>`, at most 6 bytes, so never
 * longer than `x.sock` (socket addresses are limited to about 104 bytes).
 */
export function privateSocketName(path: string): string {
  return join(dirname(path), `.${process.pid.toString(36)}`);
}

/** The device and inode of the file at `path`, or undefined when there is none. */
export function fileIdentity(path: string): { dev: number; ino: number } | undefined {
  try {
    return identityOf(path);
  } catch {
    return undefined;
  }
}

/*
 * Sockets are stat()ed with `bigint: true` and removed with unlink(2), not `rmSync` (which
 * lstat()s first): a plain stat of a socket leaves its file type in the buffer Node 20's
 * `realpathSync` reads next, and module resolution then stops following symlinks
 * (nodejs/node#51142): a daemon started with `--metrics` could not load prom-client's own
 * dependencies from a pnpm `node_modules`.
 */

/** Removes the file at `path`; none there is no error. */
function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
}

/** The device and inode of the file at `path` (see above: `bigint`). */
function identityOf(path: string): { dev: number; ino: number } {
  const stats = statSync(path, { bigint: true });
  return { dev: Number(stats.dev), ino: Number(stats.ino) };
}

function removeIfSame(path: string, expected: { dev: number; ino: number }): boolean {
  const now = fileIdentity(path);
  if (now === undefined || now.dev !== expected.dev || now.ino !== expected.ino) {
    return false;
  }
  unlinkIfThere(path);
  return true;
}
