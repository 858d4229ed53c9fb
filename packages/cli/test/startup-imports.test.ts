import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

// What a client command loads (issue 12): a socket and a JSON-RPC client, not the daemon, its
// SQLite, execa or the protocol validators. Counted with a module.register load hook.
const run = promisify(execFile);
const RECORD_LOADS = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

async function loaded(args: string[]): Promise<string[]> {
  const { stderr } = await run(process.execPath, ['--import', RECORD_LOADS, BIN, ...args], {
    // No daemon there: the commands fail (exit 69) after loading what they need.
    env: { ...process.env, X_HOME: '/tmp/x-none-startup-imports' },
  }).catch((error: { stderr: string }) => error);
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded file:'))
    .map((line) => line.slice('loaded '.length));
}

const HEAVY =
  /@sinclair|typebox|execa|better-sqlite3|prom-client|proper-lockfile|msgpackr|\/daemon\/dist\/index\.js|\/ipc\/dist\/index\.js|\/kernel\//;

describe('what a client command loads', () => {
  it.each([
    [['--version']],
    [['agent', 'list', '--json']],
    [['agent', 'status', 'some-run']],
    [['daemon', 'status']],
  ])('x %j: no daemon, SQLite, execa or validator library', async (args) => {
    const urls = await loaded(args);
    expect(urls.some((url) => url.includes('/cli/'))).toBe(true);
    expect(urls.filter((url) => HEAVY.test(url))).toEqual([]);
    expect(urls.length).toBeLessThan(100);
  });
});
