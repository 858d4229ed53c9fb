import { execFile } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempHome, type Result } from './helpers.js';

/** uid/gid of `nobody` (Debian, Alpine, macOS differ; 65534 on Linux). */
const NOBODY = 65534;

/** Runs `x <args>` (`agent list` by default) as `uid` (only root may pick another uid) against `home`. */
function xAs(uid: number | undefined, home: string, args = ['agent', 'list']): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...process.env, X_HOME: home },
        timeout: 30_000,
        ...(uid === undefined ? {} : { uid, gid: uid }),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('a daemon socket this user may not connect to (EACCES)', () => {
  const home = tempHome();
  const socketPath = join(home.path, 'x.sock');
  let server: Server;
  beforeAll(async () => {
    // A real listening Unix socket, mode 0600 as the daemon makes it, in a directory others may enter.
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    chmodSync(home.path, 0o755);
    chmodSync(socketPath, 0o600);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    home.remove();
  });

  const root = process.getuid?.() === 0;
  const refused = (result: Result) => {
    expect(result.code, result.stderr).toBe(69);
    expect(result.stderr).toContain(
      `permission denied (connect EACCES) on the daemon socket ${socketPath}`,
    );
    expect(result.stderr).not.toContain('x daemon start');
    expect(result.stderr).not.toContain('second daemon');
    const owner = statSync(socketPath).uid;
    expect(result.stderr).toContain(
      root ? `belongs to uid ${owner} (you are uid ${NOBODY})` : `is yours but its mode 0000`,
    );
  };

  it('says whose socket it is and does not suggest starting a second daemon', async () => {
    if (!root) {
      // Not root: the owner is this user; a socket mode that lets nobody connect gives EACCES.
      chmodSync(socketPath, 0o000);
    }
    refused(await xAs(root ? NOBODY : undefined, home.path));
  });

  it.each([
    ['daemon', 'status'],
    ['daemon', 'start'],
    ['daemon', 'stop'],
  ])(
    '`x %s %s` says the same, and neither calls the daemon unresponsive nor absent',
    async (...args) => {
      if (!root) {
        chmodSync(socketPath, 0o000);
      }
      const result = await xAs(root ? NOBODY : undefined, home.path, args);
      refused(result);
      expect(result.stderr).not.toMatch(/not answering|not running|SIGSTOP/);
    },
  );
});
