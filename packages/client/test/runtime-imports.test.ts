import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// The built client, as a program that installed it loads it (no @x/source condition).
describe('what loading @x/client costs', () => {
  it('loads @x/ipc/node and its own modules only: no daemon, TypeBox, SQLite or execa', async () => {
    const { stderr } = await run(
      process.execPath,
      [
        '--import',
        fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url)),
        '--input-type=module',
        '-e',
        "const { connect } = await import('@x/client'); if (typeof connect !== 'function') process.exit(1);",
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    const loaded = stderr
      .split('\n')
      .filter((line) => line.startsWith('loaded file:'))
      .map((line) => line.slice('loaded '.length));
    expect(loaded.some((url) => url.includes('/client/dist/'))).toBe(true);
    const heavy = loaded.filter((url) =>
      /\/(daemon|kernel)\/dist\/|@sinclair|typebox|better-sqlite3|execa|msgpackr/.test(url),
    );
    expect(heavy).toEqual([]);
    // Its own few files and @x/ipc's JSON-RPC client: a few dozen at most.
    expect(loaded.length).toBeLessThan(40);
  });
});
