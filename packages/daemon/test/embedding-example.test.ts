import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Runs examples/embedded/daemon.mjs as a user would (`node daemon.mjs`, against the built
// packages): the daemon embedded with startDaemon, an agent run to its end, shut down.

const run = promisify(execFile);

describe('examples/embedded/daemon.mjs (the Embedding the daemon guide)', () => {
  it('starts a daemon, runs an agent to its end, answers agent.status on its socket, shuts down', async () => {
    const { stdout, stderr } = await run(process.execPath, ['daemon.mjs'], {
      cwd: fileURLToPath(new URL('../../../examples/embedded', import.meta.url)),
      timeout: 30_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^daemon \d+ serving \/.*\/x\.sock$/);
    expect(lines.slice(1)).toEqual([
      'started counter: running',
      'counter: completed (done) after 3 iteration(s); last: count=3',
      'daemon stopped',
    ]);
    // The daemon's own log goes to stderr (the default logger).
    expect(stderr).toMatch(/info daemon stopped/);
  });

  it.each(['runner.mjs', 'counter-agent.mjs', 'daemon.mjs'])(
    'the guide shows %s as it is',
    (file) => {
      const read = (path: string) =>
        readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');
      expect(read('apps/docs/guide/embedding-daemon.md')).toContain(
        `\`${file}\`:\n\n\`\`\`js\n${read(`examples/embedded/${file}`)}\`\`\``,
      );
    },
  );
});
