// Watches a directory tree and reports, each iteration, which files were added, removed
// or changed since the previous one (by size and mtime).
//   x agent start examples/agents/dir-watch.mjs --name watch --param dir=. --interval 2000
// Params: dir (default: the working directory), maxFiles (default 20000), ignore (default
// ["node_modules", ".git", ".turbo", "dist"]).
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { defineAgent } from '@x/kernel';

async function snapshot(root, ignore, maxFiles, signal) {
  const files = new Map();
  const pending = [root];
  while (pending.length > 0 && files.size < maxFiles) {
    signal.throwIfAborted();
    const dir = pending.pop();
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: reported as removed next time
    }
    for (const entry of entries) {
      if (ignore.includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile()) {
        try {
          const info = await stat(path);
          files.set(relative(root, path), `${info.size}:${info.mtimeMs}`);
        } catch {
          // raced with a delete
        }
      }
    }
  }
  return files;
}

export default defineAgent({
  async setup(ctx) {
    const root = resolve(String(ctx.params.dir ?? '.'));
    const ignore = Array.isArray(ctx.params.ignore)
      ? ctx.params.ignore
      : ['node_modules', '.git', '.turbo', 'dist'];
    const maxFiles = Number(ctx.params.maxFiles ?? 20000);
    const state = {
      root,
      ignore,
      maxFiles,
      files: await snapshot(root, ignore, maxFiles, ctx.signal),
    };
    ctx.log('info', `watching ${root}: ${state.files.size} files`);
    return state;
  },
  async step(ctx) {
    const { state } = ctx;
    const next = await snapshot(state.root, state.ignore, state.maxFiles, ctx.signal);
    const added = [...next.keys()].filter((path) => !state.files.has(path));
    const removed = [...state.files.keys()].filter((path) => !next.has(path));
    const changed = [...next.keys()].filter(
      (path) => state.files.has(path) && state.files.get(path) !== next.get(path),
    );
    state.files = next;
    if (added.length + removed.length + changed.length > 0) {
      ctx.notify({ added, removed, changed });
      for (const path of [
        ...added.map((p) => `+ ${p}`),
        ...removed.map((p) => `- ${p}`),
        ...changed.map((p) => `~ ${p}`),
      ].slice(0, 50)) {
        ctx.log('info', path);
      }
    }
    return {
      summary: `${next.size} files: +${added.length} -${removed.length} ~${changed.length}`,
    };
  },
});
