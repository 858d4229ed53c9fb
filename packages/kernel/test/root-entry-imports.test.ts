import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Start-up cost of an agent module: `import { defineAgent } from '@x/kernel'` must not load
// @x/ipc (nor TypeBox, msgpackr). Checked against the built dist with a resolve hook.

const listImports = fileURLToPath(new URL('./fixtures/list-imports.mjs', import.meta.url));
const run = promisify(execFile);

async function importsOf(specifier: string): Promise<string[]> {
  // No vitest execArgv: plain Node resolution, as in a runner.
  const { stdout } = await run(process.execPath, [listImports, specifier], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  return stdout.trim().split('\n');
}

const ipc = /packages\/ipc\/|@x\/ipc|typebox|msgpackr/;

describe('what the kernel entries load', () => {
  it('an agent module importing @x/kernel loads one file of the kernel (its bundle) and no @x/ipc, TypeBox or msgpackr', async () => {
    const urls = await importsOf(
      fileURLToPath(new URL('../../../examples/agents/fixtures/turn-echo.mjs', import.meta.url)),
    );
    expect(urls.filter((url) => url.includes('/packages/kernel/'))).toEqual([
      expect.stringMatching(/\/packages\/kernel\/dist\/kernel\.js$/),
    ]);
    expect(urls.filter((url) => ipc.test(url))).toEqual([]);
  });

  it('the bundled root exports what the root modules (and so its types) export', async () => {
    const dist = new URL('../dist/', import.meta.url);
    const exported = async (file: string) =>
      Object.keys((await import(new URL(file, dist).href)) as object).sort();
    expect(await exported('kernel.js')).toEqual(await exported('index.js'));
  });

  it('@x/kernel/pipe does load @x/ipc (the check above can see it)', async () => {
    const urls = await importsOf('@x/kernel/pipe');
    expect(urls.some((url) => ipc.test(url))).toBe(true);
  });
});
