#!/usr/bin/env node
/**
 * Bundles the `x` command (`@x/cli/main` and the command modules it imports lazily) into
 * `dist/cli.mjs` and its chunks `dist/cli-<hash>.mjs`, which `bin.js` loads. Run by
 * `pnpm build` after tsc (issue 12).
 *
 * Why: every client command (`x agent list`, `x agent status`, `x daemon status`,
 * `x --version`) is a fresh Node process, and Node's ES module loader pays per file. The
 * bundle holds the CLI's own code, `@x/client`, `@x/ipc`, `@x/daemon/light`, commander and
 * ms in a few files (a client command needs no more); a client command loads the entry and the chunk of its command.
 *
 * `@x/daemon` is inlined too, with the pure-JavaScript packages it loads (TypeBox,
 * proper-lockfile and what they import), in the chunks of the commands that use it
 * (`x daemon start`, `x up`…): the daemon process then holds a few bundled files instead of
 * ~450 ES modules, which is ~10 MiB less RSS for an idle daemon (issue 12). execa (the CLI's
 * own, to split `--command`) is inlined in the chunk that imports it. better-sqlite3's
 * JavaScript too, its native addon loaded by path (SQLITE_BINDINGS). prom-client (loaded
 * only with `--metrics`), `@x/kernel` and the other packages
 * stay external: loaded from `dist/` (so @x/cli declares them as its own dependencies). The
 * chunks stay in `dist/` beside `main.js`: the inlined code finds `../bin.js` and
 * `./worker.mjs` from `import.meta.url` as the tsc output does; each package's
 * `createRequire(import.meta.url)('../package.json')` (its version) is inlined at build time,
 * since from `dist/` it would find @x/cli's. The build fails when the entry would import anything at load time
 * but Node built-ins and its own chunks, so a static import of a heavy package cannot slip
 * into every command.
 *
 * The client commands' fast path (`src/fast-path/run-fast.ts`: `x agent list|status`,
 * `x daemon status`, `x --version`, no commander) is bundled again on its own, as one
 * CommonJS file, `dist/client.cjs`, with cli-table3 inside: `bin.cjs` compiles it with a V8
 * code cache (`src/code-cache/`), which Node 20 offers for a script, not for an ES module.
 * What bin.cjs loads before it, the fast path's argument parser and that loader, is
 * `dist/fast-start.cjs`. The build fails when that file would load anything at run
 * time but Node built-ins, or use `import()` (a vm.Script cannot on Node 20.11).
 */
import { build } from 'esbuild';
import { readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { asciiOnly } from './ascii-only.mjs';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** {@link asciiOnly} on every file of an esbuild metafile. */
async function asciiOnlyOutputs(metafile) {
  for (const output of Object.keys(metafile.outputs)) {
    await asciiOnly(`${packageRoot}${output.replace(/^.*?dist\//, 'dist/')}`);
  }
}

/**
 * Inlined when imported by workspace code: the workspace packages but the kernel, two small
 * dependency-free packages, and the daemon's pure-JavaScript dependencies.
 */
const INLINED =
  /^(@x\/cli|@x\/client|@x\/ipc|@x\/daemon|commander|ms|@sinclair\/typebox|execa|proper-lockfile|better-sqlite3)(\/|$)/;

/** Never inlined, whoever imports them: what is loaded on purpose later. */
const EXTERNAL = /^(prom-client|@x\/kernel)(\/|$)/;

/**
 * better-sqlite3's JavaScript is inlined; its native addon is loaded by path. Its `lib/`
 * finds the addon with the `bindings` package, which tries a dozen candidate paths; this
 * module stands in for `bindings` and requires `build/Release/<name>` of the better-sqlite3
 * that @x/cli depends on (`build/Debug/` when that is what node-gyp built). Why (issue 12):
 * loaded as a package, better-sqlite3 was 15 CommonJS files imported from an ES module
 * (Node's CommonJS export lexer for it, then its loader's path work for each file), enough
 * to make V8 optimise Node's `path` functions during the daemon's start-up, and an idle
 * daemon then kept 3.3 MiB more of the `node` binary's code resident (its optimising
 * compiler) than one that never optimises anything (`--no-opt`, measured).
 */
const SQLITE_BINDINGS = `module.exports = function bindings(name) {
  const root = require('node:path').dirname(require.resolve('better-sqlite3/package.json'));
  try {
    return require(root + '/build/Release/' + name);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      return require(root + '/build/Debug/' + name);
    }
    throw error;
  }
};
`;

/** A file of a third-party package (inlined: its own imports are inlined with it). */
const inPackage = (path) => path.includes('/node_modules/');

/**
 * `createRequire(import.meta.url)('../package.json')`: how a package reads its version. From
 * `dist/` it would find @x/cli's: the build writes the package's version in its place.
 */
const VERSION_REQUIRE = /createRequire\(import\.meta\.url\)\((['"])\.\.\/package\.json\1\)/g;

/** `dist/version.js` of a package, with its version written in (see VERSION_REQUIRE). */
async function withVersion(path) {
  const { version } = JSON.parse(
    await readFile(new URL('../package.json', `file://${path}`), 'utf8'),
  );
  const contents = (await readFile(path, 'utf8')).replace(
    VERSION_REQUIRE,
    `(${JSON.stringify({ version })})`,
  );
  return { contents, loader: 'js' };
}

const result = await build({
  stdin: {
    contents: "export { main } from '@x/cli/main';\n",
    resolveDir: packageRoot,
    sourcefile: 'cli-entry.js',
  },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.11',
  outdir: `${packageRoot}dist`,
  entryNames: 'cli',
  chunkNames: 'cli-[hash]',
  outExtension: { '.js': '.mjs' },
  plugins: [
    {
      name: 'x-external',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('node:') ||
          EXTERNAL.test(args.path) ||
          (!INLINED.test(args.path) && !inPackage(args.importer))
            ? { external: true }
            : undefined,
        );
        build.onResolve({ filter: /^bindings$/ }, (args) =>
          args.importer.includes('/better-sqlite3/')
            ? { path: 'better-sqlite3-bindings', namespace: 'x-sqlite-bindings' }
            : undefined,
        );
        build.onLoad({ filter: /.*/, namespace: 'x-sqlite-bindings' }, () => ({
          contents: SQLITE_BINDINGS,
          loader: 'js',
        }));
        build.onLoad({ filter: /\/dist\/version\.js$/ }, (args) => withVersion(args.path));
      },
    },
  ],
  // commander and better-sqlite3 are CommonJS: their require() calls need a `require`. It is
  // created on its first call: each createRequire() is a CommonJS module record and a walk of
  // the node_modules paths, and most chunks never call it (see SQLITE_BINDINGS for why the
  // daemon's start-up keeps Node's path functions cold).
  banner: {
    js: `// Generated by packages/cli/scripts/build-cli.mjs from @x/cli/main: do not edit.
import { createRequire as __xCreateRequire } from 'node:module';
let __xRequire;
const __xRequireOf = () => (__xRequire ??= __xCreateRequire(import.meta.url));
const require = Object.assign((id) => __xRequireOf()(id), {
  resolve: (id, options) => __xRequireOf().resolve(id, options),
});`,
  },
  metafile: true,
  logLevel: 'warning',
});

await asciiOnlyOutputs(result.metafile);
const outputs = result.metafile.outputs;
// Chunks of earlier builds (named by content hash), once this one succeeded: a packed dist
// holds only what dist/cli.mjs can load.
const written = new Set(Object.keys(outputs).map((file) => file.replace(/^.*\//, '')));
for (const file of await readdir(`${packageRoot}dist`)) {
  if (/^cli-[A-Z0-9]+\.mjs$/.test(file) && !written.has(file)) {
    await rm(`${packageRoot}dist/${file}`);
  }
}
const entry = Object.keys(outputs).find((file) => file.endsWith('/cli.mjs'));
// What loads with every command: the entry and the chunks it imports statically.
const eager = new Set([entry]);
for (const file of eager) {
  for (const imported of outputs[file].imports) {
    if (imported.kind !== 'import-statement') {
      continue;
    }
    if (imported.external && !imported.path.startsWith('node:')) {
      console.error(
        `@x/cli build-cli: ${file} would import ${imported.path} at load time, for every command; import it lazily (await import) in the command that needs it`,
      );
      process.exit(1);
    }
    if (!imported.external) {
      eager.add(imported.path);
    }
  }
}
const kib = (files) =>
  (files.reduce((sum, file) => sum + outputs[file].bytes, 0) / 1024).toFixed(1);
console.log(
  `wrote dist/cli.mjs and ${Object.keys(outputs).length - 1} chunks (${kib(Object.keys(outputs))} KiB; ${kib([...eager])} KiB load with every command)`,
);

/**
 * `createRequire(import.meta.url)('<name>')` (how the ES modules load CommonJS lazily) as a
 * plain `require('<name>')`, which esbuild bundles: in the CommonJS file it costs nothing
 * until called.
 */
const LAZY_REQUIRE = /createRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g;

/**
 * string-width for cli-table3 in the fast path, with a shortcut for printable ASCII (what a
 * status table holds: ids, states, times, numbers), whose width is its length. string-width
 * 4 strips ANSI codes and replaces emoji with two regular expressions first, one of them
 * 12 KiB: compiling and running them was about 2.4 ms of `x agent status`'s ~42 ms of CPU
 * (a CPU profile of 6 runs, issue 12). Any other string goes to string-width itself. The
 * result is the same for printable ASCII: no ANSI escape, emoji sequence, control,
 * combining or wide character is printable ASCII. U+2026 (…) is taken too: cli-table3
 * measures its truncation mark for every cell, and string-width gives it width 1.
 */
const ASCII_STRING_WIDTH = `const stringWidth = require('string-width');
const PRINTABLE_ASCII = /^[\\x20-\\x7e\\u2026]*$/;
module.exports = (string) =>
  typeof string === 'string' && PRINTABLE_ASCII.test(string) ? string.length : stringWidth(string);
module.exports.default = module.exports;
`;

const cjs = await build({
  entryPoints: {
    client: `${packageRoot}dist/fast-path/run-fast.js`,
    'fast-start': `${packageRoot}dist/fast-path/fast-start.js`,
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.11',
  outdir: `${packageRoot}dist`,
  outExtension: { '.js': '.cjs' },
  // cli-table3's optional colours: absent, as in the ES module path (no colour is used).
  external: ['@colors/colors', '@colors/colors/*'],
  banner: { js: '// Generated by packages/cli/scripts/build-cli.mjs: do not edit.' },
  plugins: [
    {
      name: 'x-ascii-string-width',
      setup(build) {
        build.onResolve({ filter: /^string-width$/ }, (args) =>
          args.namespace !== 'x-string-width' && args.importer.includes('/cli-table3/')
            ? {
                path: 'string-width-ascii',
                namespace: 'x-string-width',
                pluginData: { resolveDir: args.resolveDir },
              }
            : undefined,
        );
        build.onLoad({ filter: /.*/, namespace: 'x-string-width' }, (args) => ({
          contents: ASCII_STRING_WIDTH,
          resolveDir: args.pluginData.resolveDir,
          loader: 'js',
        }));
      },
    },
    {
      name: 'x-inline-lazy-require',
      setup(build) {
        build.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
          const contents = await readFile(args.path, 'utf8');
          return contents.includes('createRequire(import.meta.url)(')
            ? { contents: contents.replace(LAZY_REQUIRE, 'require($1)'), loader: 'js' }
            : undefined;
        });
      },
    },
  ],
  metafile: true,
  logLevel: 'warning',
});
await asciiOnlyOutputs(cjs.metafile);
for (const [file, output] of Object.entries(cjs.metafile.outputs)) {
  const loaded = output.imports.filter(
    (imported) => !imported.path.startsWith('node:') && !imported.path.startsWith('@colors/'),
  );
  const source = await readFile(`${packageRoot}${file.replace(/^.*?dist\//, 'dist/')}`, 'utf8');
  if (loaded.length > 0 || /\bimport\(/.test(source) || source.includes('import.meta')) {
    console.error(
      `@x/cli build-cli: ${file} would load ${loaded.map((i) => i.path).join(', ') || 'a module with import() or use import.meta'} at run time; the fast path must be one CommonJS file (inline it, or leave the command to the full CLI)`,
    );
    process.exit(1);
  }
}
console.log(
  `wrote dist/client.cjs (${(cjs.metafile.outputs[Object.keys(cjs.metafile.outputs).find((f) => f.endsWith('client.cjs'))].bytes / 1024).toFixed(1)} KiB) and dist/fast-start.cjs`,
);
