import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DaemonHandle } from '@x/daemon';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, daemonAt, tempDir } from './helpers.js';

// Runs examples/client/dashboard.mjs as a user would (`node dashboard.mjs <home>`, against the
// built @x/client) on a real daemon, and checks that the Client guide shows it as it is.

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../../examples/client/', import.meta.url));

describe('examples/client/dashboard.mjs (the Client guide)', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let daemon: DaemonHandle | undefined;
  afterEach(async () => {
    await daemon?.shutdown();
    dir?.remove();
  });

  it('lists the runs, then prints each state change until none is active', async () => {
    dir = tempDir();
    const home = `${dir.path}/h`;
    daemon = await daemonAt(home);
    await daemon.supervisor.start({
      module: `${AGENTS}counter.mjs`,
      name: 'counter',
      intervalMs: 50,
      params: { doneAt: 20 },
    });
    const { stdout } = await run(process.execPath, ['dashboard.mjs', home], {
      cwd: EXAMPLE,
      timeout: 20_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^counter running cpu (-|\d+%) rss (-|\d+ MiB) \$0\.00$/);
    expect(lines.at(-1)).toBe(
      'counter → exited (completed: completed (done) after 20 iteration(s))',
    );
  });

  it('the guide shows dashboard.mjs as it is', () => {
    const guide = readFileSync(
      fileURLToPath(new URL('../../../apps/docs/guide/client.md', import.meta.url)),
      'utf8',
    );
    expect(guide).toContain(`\`\`\`js\n${readFileSync(`${EXAMPLE}dashboard.mjs`, 'utf8')}\`\`\``);
  });
});
