import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** First bytes of a cache file, then its key, its tags and the V8 data's length on one line. */
const MAGIC = 'x-v8-code-cache/1';

/** Cache files larger than this are not read (nor written): 16 MiB. */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

/** A CommonJS file run through {@link loadCachedScript}. */
export interface CachedScript {
  /** What the file put in `module.exports`. */
  readonly exports: Record<string, unknown>;
  /** True when V8 took the cached code (none was read, or it was stale: false). */
  readonly cacheUsed: boolean;
  /**
   * Writes V8's code cache of the file as it is now (every function compiled so far, so call
   * it after the work) when there was none, it was stale, or `tag` (what this run did, e.g.
   * the command) is not among the tags of the one read: a cache grows to cover each kind of
   * run. The write is atomic (a temporary file renamed over it); every error (a read-only
   * package directory, a full disk) is ignored: the next run compiles from source again.
   */
  saveCache(tag: string): void;
}

/**
 * Runs the CommonJS file `file` (as `require` would: `module`, `exports`, `require`,
 * `__filename`, `__dirname`), compiled with the V8 code cache kept in `cacheFile` when that
 * cache is valid: Node 20 has no `module.enableCompileCache()` (22.1+), but `vm.Script` takes
 * `cachedData`. The cache is used only when written by this Node version and architecture for
 * this very file (its size and mtime, checked here: V8 itself only checks the source length),
 * and V8 checks its own version and flags; anything else is ignored and replaced by
 * `saveCache`. The file must not use `import()` (a vm.Script has no loader for it on Node 20.11).
 * @throws whatever reading `file` or running it throws (ENOENT when it does not exist).
 */
export function loadCachedScript(file: string, cacheFile: string): CachedScript {
  const fd = openSync(file, 'r');
  let source: string;
  let key: string;
  try {
    const stat = fstatSync(fd);
    key = `${process.version} ${process.arch} ${stat.size} ${Math.trunc(stat.mtimeMs)}`;
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cached = readCache(cacheFile, key);
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: file, ...(cached === undefined ? {} : { cachedData: cached.data }) },
  );
  const cacheUsed = cached !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheUsed,
    saveCache(tag) {
      const tags = cacheUsed && cached !== undefined ? cached.tags : [];
      if (tags.includes(tag) || /[\s,]/.test(tag)) {
        return;
      }
      try {
        writeCache(cacheFile, key, [...tags, tag], script.createCachedData());
      } catch {
        // Unwritable or full: the cache is an optimisation only.
      }
    },
  };
}

/** The cache in `cacheFile` when it was written for `key`, else undefined. */
function readCache(cacheFile: string, key: string): { data: Buffer; tags: string[] } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (bytes.length > MAX_CACHE_BYTES || newline === -1) {
    return undefined;
  }
  // `<MAGIC> <key…> <tags> <length>`: the key holds spaces, the tags and length do not.
  const header = bytes.subarray(0, newline).toString('latin1');
  const prefix = `${MAGIC} ${key} `;
  if (!header.startsWith(prefix)) {
    return undefined;
  }
  const [tags, length, ...extra] = header.slice(prefix.length).split(' ');
  const data = bytes.subarray(newline + 1);
  if (tags === undefined || extra.length > 0 || Number(length) !== data.length) {
    return undefined;
  }
  return { data, tags: tags.split(',') };
}

/** Writes `data` under its header to `cacheFile`, atomically. */
function writeCache(cacheFile: string, key: string, tags: string[], data: Buffer): void {
  if (data.length > MAX_CACHE_BYTES) {
    return;
  }
  const header = Buffer.from(`${MAGIC} ${key} ${tags.join(',')} ${data.length}\n`, 'latin1');
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([header, data]), { mode: 0o644 });
    renameSync(temporary, cacheFile);
  } finally {
    rmSync(temporary, { force: true });
  }
}
