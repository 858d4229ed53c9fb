import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

describe('x startup --print', () => {
  const home = tempHome();
  afterAll(() => home.remove());

  it('prints a Type=notify unit running this node and this CLI for the state directory', async () => {
    const result = await x(home.path, ['startup', '--print']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Type=notify\n');
    expect(result.stdout).toContain(
      `ExecStart=${process.execPath} ${BIN} daemon start --foreground --home ${home.path}\n`,
    );
    expect(result.stdout).toContain(`Environment=X_HOME=${home.path}\n`);
  });

  it('--config with a broken fleet file is refused before anything is written (exit 78)', async () => {
    const file = join(home.path, 'x.config.json');
    writeFileSync(file, JSON.stringify({ agents: [{ module: './a.mjs' }] }));
    const result = await x(home.path, ['startup', '--print', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('agents[0]: field /name is required');
    expect(result.stdout).toBe('');
  });
});

const userManager =
  spawnSync('systemctl', ['--user', 'show', '--property=Version'], { stdio: 'ignore' }).status ===
  0;

// Where a user manager answers, `x startup` would install and start a unit for real: this
// test is for the machines that have none (root in a container, CI).
describe.skipIf(userManager)(
  'x startup without a systemd user manager (skipped where one answers)',
  () => {
    const home = tempHome();
    afterAll(() => home.remove());

    it('fails with exit 69, naming the cause and pointing at --print', async () => {
      const result = await x(home.path, ['startup'], {
        XDG_CONFIG_HOME: join(home.path, 'config'),
      });
      expect(result.code).toBe(69);
      expect(result.stderr).toMatch(/no systemd user manager answers|systemctl is not installed/);
      expect(result.stderr).toContain('x startup --print');
    });

    it('x unstartup with nothing installed says so (exit 0)', async () => {
      const result = await x(home.path, ['unstartup', '--json'], {
        XDG_CONFIG_HOME: join(home.path, 'config'),
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        manager: 'systemd',
        action: 'not_installed',
      });
    });
  },
);

const canNotify =
  spawnSync('systemd-notify', ['--help'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('python3', ['-c', 'import socket; socket.recv_fds'], { stdio: 'ignore' }).status === 0;

/**
 * Stands in for systemd's end of $NOTIFY_SOCKET: a unix datagram socket (Node has none)
 * printing every message as one line, closing the fds systemd-notify's barrier passes.
 */
const RECEIVER = `
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    msg, fds, _, _ = socket.recv_fds(s, 4096, 8)
    for fd in fds:
        os.close(fd)
    print(msg.decode().replace("\\n", " "), flush=True)
`;

describe.skipIf(!canNotify)(
  'Type=notify readiness (skipped without systemd-notify and python3)',
  () => {
    const home = tempHome();
    const children: ChildProcess[] = [];
    afterAll(async () => {
      await x(home.path, ['daemon', 'stop']);
      for (const child of children) {
        child.kill('SIGKILL');
      }
      home.remove();
    });

    it('the foreground daemon sends READY=1 once it answers, and its runners do not get NOTIFY_SOCKET', async () => {
      const socketPath = join(home.path, 'notify.sock');
      const receiver = spawn('python3', ['-c', RECEIVER, socketPath]);
      children.push(receiver);
      let received = '';
      receiver.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
      expect(await waitFor(() => received.includes('bound'), 10_000)).toBe(true);

      const daemon = spawn(
        process.execPath,
        [BIN, 'daemon', 'start', '--foreground', '--home', home.path],
        { env: { ...process.env, X_HOME: home.path, NOTIFY_SOCKET: socketPath }, stdio: 'ignore' },
      );
      children.push(daemon);
      expect(await waitFor(() => received.includes('READY=1'), 20_000)).toBe(true);
      // READY is sent after the socket answers: a client gets through at once.
      expect((await x(home.path, ['daemon', 'status'])).code).toBe(0);
      expect(received).toContain(`STATUS=serving ${join(home.path, 'x.sock')}`);

      const run = await xJson<{ pid: number }>(home.path, [
        'agent',
        'start',
        `${FIXTURES}counter.mjs`,
        '--name',
        'env-check',
        '--runner-mode',
        'subprocess',
      ]);
      expect(run.$code).toBe(0);
      const environ = readFileSync(`/proc/${run.pid}/environ`, 'utf8').split('\0');
      expect(environ.some((line) => line.startsWith('X_HOME='))).toBe(true);
      expect(environ.some((line) => line.startsWith('NOTIFY_SOCKET='))).toBe(false);
    });
  },
);
