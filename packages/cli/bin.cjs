#!/usr/bin/env node
'use strict';
// Shim: all logic lives in the package; this is the `x` bin. It is CommonJS because a
// CommonJS entry starts faster than an ES module one (Node 20 sets up its ES module loader
// for the latter: ~5 ms of a client command's ~40). `x runner --pipe` goes to bin.js.
//
// The client commands (`x agent list|status`, `x daemon status`, `x --version`) run from
// dist/client.cjs (scripts/build-cli.mjs: no commander, one file), compiled with the V8 code
// cache dist/client.cjs.v8cache (written after the first run of each command, ignored when
// stale or unwritable); dist/fast-start.cjs holds the parser that recognises them and that
// loader. Every other command line goes through
// @x/cli/main (bundled: dist/cli.mjs). A checkout that has not been built runs the modules.
const { join } = require('node:path');

/** A file URL (node:url is loaded only by the paths that need one). */
const fileUrl = (path) => require('node:url').pathToFileURL(path).href;

const argv = process.argv;
const dist = join(__dirname, 'dist');

/** The whole CLI (commander): every command, help and usage errors. */
async function full() {
  // Node 22.1+ keeps compiled code between runs (Node 20 has no such cache: then a no-op).
  const { enableCompileCache } = require('node:module');
  if (typeof enableCompileCache === 'function') {
    enableCompileCache();
  }
  const bundle = fileUrl(join(dist, 'cli.mjs'));
  const { main } = await import(bundle).catch((error) =>
    error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === bundle
      ? import('@x/cli/main')
      : Promise.reject(error),
  );
  await main(argv);
}

/**
 * dist/client.cjs with its code cache when `argv` is a command of its (parseFastArgv says,
 * before it is loaded: a daemon started by `x daemon start` runs this file too, and would
 * hold the bundle for nothing), else undefined; undefined too in a checkout that has not
 * been built.
 */
function loadClient() {
  try {
    const { parseFastArgv, loadCachedScript } = require('./dist/fast-start.cjs');
    if (parseFastArgv(argv.slice(2)) === undefined) {
      return undefined;
    }
    return loadCachedScript(join(dist, 'client.cjs'), join(dist, 'client.cjs.v8cache'));
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

async function run() {
  if (argv.length === 4 && argv[2] === 'runner' && argv[3] === '--pipe') {
    await import(fileUrl(join(__dirname, 'bin.js')));
    return;
  }
  const client = loadClient();
  const kind = client === undefined ? undefined : await client.exports.runFast(argv);
  if (kind === undefined) {
    await full();
  } else {
    client.saveCache(kind);
  }
}

run().catch((error) => {
  // What main reports for a bug of its own; here only a broken install can get (a bundle
  // that fails to load).
  process.stderr.write(
    `x: internal error; please report it with this output:\n${error?.stack ?? error}\n`,
  );
  process.exitCode = 70; // EX_SOFTWARE, sysexits.h (EXIT_CODES.SOFTWARE)
});
