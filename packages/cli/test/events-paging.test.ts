import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EventHubStats, MonitorEvent } from '@x/daemon';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, tempHome, waitFor, x, xJson } from './helpers.js';

const LOG_FLOOD = fileURLToPath(
  new URL('../../daemon/test/fixtures/log-flood.mjs', import.meta.url),
);

/** Runs `x …` with room for a large stdout (the shared helper keeps execFile's 1 MiB). */
function xLarge(
  home: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, X_HOME: home }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('x events over a backlog larger than one answer (real daemon process, SQLite)', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(async () => {
    home = tempHome();
    expect((await xJson(home.path, ['daemon', 'start'])).$code).toBe(0);
  });
  afterEach(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('--since 0 pages through 1000 events of ~1.2 KB (over 768 KiB) and prints each once, in order', async () => {
    const rpc = await connectRpc(`${home.path}/x.sock`);
    try {
      await rpc.request('agent.start', {
        command: [process.execPath, LOG_FLOOD, '1000'],
        name: 'flood',
        env: { FLOOD_PAD: '1100' },
      });
      const stats = () => rpc.request<EventHubStats>('monitor.stats');
      expect(await waitFor(async () => (await stats()).events > 1000, 30_000)).toBe(true);
    } finally {
      rpc.close();
    }
    const result = await xLarge(home.path, ['events', '--since', '0', '--type', 'log', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ids = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as MonitorEvent).id);
    expect(ids).toHaveLength(1000);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    // Without --since: the newest that fit in one answer, and a note on stderr.
    const newest = await xLarge(home.path, ['events', '--type', 'log', '-n', '1000']);
    expect(newest.code).toBe(0);
    expect(newest.stderr).toMatch(/only the newest \d+ events fit in one answer \(768 KiB\)/);
  }, 90_000);
});
