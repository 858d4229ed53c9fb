import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCachedScript } from './cached-script.js';

// In one process V8 finds a source it compiled before in its own in-memory cache and never
// reads the cached data: whether V8 takes or refuses a cache file is tested across processes
// in test/code-cache.test.ts.
describe('loadCachedScript: a CommonJS file compiled with a V8 code cache', () => {
  let dir = '';
  let file = '';
  let cache = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-code-cache-'));
    file = join(dir, 'entry.cjs');
    cache = join(dir, 'entry.cjs.v8cache');
    writeFileSync(
      file,
      "const { join } = require('node:path');\nexports.where = join(__dirname, 'x');\nexports.double = (n) => n * 2;\nmodule.exports.twice = (n) => exports.double(n) * 2;\n",
    );
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the file as require would, without a cache the first time, and writes one', () => {
    const first = loadCachedScript(file, cache);
    expect(first.cacheUsed).toBe(false);
    expect(first.exports.where).toBe(join(dir, 'x'));
    expect((first.exports.twice as (n: number) => number)(3)).toBe(12);
    first.saveCache('a');
    expect(readFileSync(cache).subarray(0, 17).toString()).toBe('x-v8-code-cache/1');
    const second = loadCachedScript(file, cache);
    expect(second.cacheUsed).toBe(true);
    expect((second.exports.twice as (n: number) => number)(5)).toBe(20);
  });

  it('rewrites the cache only for a tag it does not cover yet', () => {
    loadCachedScript(file, cache).saveCache('a');
    const written = readFileSync(cache);
    loadCachedScript(file, cache).saveCache('a');
    expect(readFileSync(cache).equals(written)).toBe(true);
    loadCachedScript(file, cache).saveCache('b');
    expect(readFileSync(cache).toString('latin1').split('\n')[0]).toMatch(/ a,b \d+$/);
    expect(loadCachedScript(file, cache).cacheUsed).toBe(true);
  });

  it('ignores the cache of a file that changed since (same length, new mtime) and replaces it', () => {
    loadCachedScript(file, cache).saveCache('a');
    writeFileSync(file, readFileSync(file, 'utf8').replace('n * 2', 'n * 3'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = loadCachedScript(file, cache);
    expect(changed.cacheUsed).toBe(false);
    expect((changed.exports.double as (n: number) => number)(2)).toBe(6);
    changed.saveCache('a');
    expect(loadCachedScript(file, cache).cacheUsed).toBe(true);
  });

  it.each([
    ['garbage', Buffer.from('not a cache at all')],
    ['a cut-off file', Buffer.from('x-v8-code-cache/1 ')],
    ['a wrong length', 'length'],
  ])('a cache file holding %s is not used, and the file still runs', (_what, damage) => {
    loadCachedScript(file, cache).saveCache('a');
    const good = readFileSync(cache);
    const newline = good.indexOf(10);
    const header = good.subarray(0, newline).toString('latin1');
    const bytes =
      damage === 'length'
        ? Buffer.concat([Buffer.from(`${header}0\n`), good.subarray(newline + 1)])
        : (damage as Buffer);
    writeFileSync(cache, bytes);
    const loaded = loadCachedScript(file, cache);
    expect(loaded.cacheUsed).toBe(false);
    expect((loaded.exports.double as (n: number) => number)(4)).toBe(8);
  });

  // A directory that is not there stands for one this user may not write (tests may run as
  // root, for whom a mode 0500 directory is writable).
  it('a cache that cannot be written is no error, and the next run compiles from source', () => {
    const nowhere = join(dir, 'missing', 'entry.cjs.v8cache');
    const loaded = loadCachedScript(file, nowhere);
    expect(() => loaded.saveCache('a')).not.toThrow();
    expect(readdirSync(dir)).toEqual(['entry.cjs']);
    expect(loadCachedScript(file, nowhere).cacheUsed).toBe(false);
  });

  it('leaves no temporary file beside the cache it wrote', () => {
    loadCachedScript(file, cache).saveCache('a');
    expect(readdirSync(dir).sort()).toEqual(['entry.cjs', 'entry.cjs.v8cache']);
  });

  it('a missing file throws ENOENT', () => {
    expect(() => loadCachedScript(join(dir, 'none.cjs'), cache)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
