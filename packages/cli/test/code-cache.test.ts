import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// loadCachedScript from dist/fast-start.cjs, as bin.cjs uses it, in fresh processes: V8 reads a code cache only
// for a source it has not compiled in this process already.
const run = promisify(execFile);
const LOADER = fileURLToPath(new URL('../dist/fast-start.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'x-code-cache-'));
const file = join(dir, 'entry.cjs');
const cache = join(dir, 'entry.cjs.v8cache');
writeFileSync(
  file,
  `exports.answer = ${Array.from({ length: 50 }, (_, i) => `((n) => n + ${i})`).join(' && ')}(42);\n`,
);
const DRIVER = `const s = require(${JSON.stringify(LOADER)}).loadCachedScript(${JSON.stringify(file)}, ${JSON.stringify(cache)}); s.saveCache(process.argv[1]); console.log(JSON.stringify({ used: s.cacheUsed, answer: s.exports.answer }));`;

async function load(tag: string): Promise<{ used: boolean; answer: number }> {
  const { stdout } = await run(process.execPath, ['-e', DRIVER, tag]);
  return JSON.parse(stdout) as { used: boolean; answer: number };
}

describe('the code cache across processes (dist/fast-start.cjs)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a second process takes the cache the first one wrote', async () => {
    expect(await load('a')).toEqual({ used: false, answer: 91 });
    expect(await load('a')).toEqual({ used: true, answer: 91 });
  });

  it('V8 refuses a cache whose data is damaged: the file runs from source and the cache is rewritten', async () => {
    const good = readFileSync(cache);
    const newline = good.indexOf(10);
    writeFileSync(
      cache,
      Buffer.concat([good.subarray(0, newline + 1), Buffer.alloc(good.length - newline - 1, 7)]),
    );
    expect(await load('a')).toEqual({ used: false, answer: 91 });
    expect(await load('a')).toEqual({ used: true, answer: 91 });
  });
});
