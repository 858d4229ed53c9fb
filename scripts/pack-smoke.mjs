#!/usr/bin/env node
/**
 * Packs the six published packages as `pnpm pack` would for the registry, installs the
 * tarballs with npm into a new app outside the workspace, typechecks the app's TypeScript with
 * `moduleResolution: nodenext` and `skipLibCheck: false`, and runs it: the kernel embedded, the
 * codecs, the daemon embedded, then `npx x daemon start` and an agent of the app's own started,
 * listed and stopped. So a missing `files` entry, a `workspace:` range left in a packed
 * package.json, an export without its types or a type that does not resolve fails here.
 *
 * Needs the packages built (`pnpm install` builds them) and the npm registry.
 * Usage: `node scripts/pack-smoke.mjs [--keep]` (`--keep` leaves the temp dir for a look).
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['ipc', 'kernel', 'daemon', 'client', 'cli', 'model-prices', 'ai-sdk'];
const started = Date.now();
const work = mkdtempSync('/tmp/x-pack-smoke-');
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
const keep = process.argv.includes('--keep');

/** Runs a command, echoing it; its output goes to ours. Throws (exit status) when it fails. */
function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  return execFileSync(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    ...options,
  });
}

function fail(message) {
  console.error(`pack smoke: ${message}`);
  process.exit(1);
}

try {
  // 1. Pack each package as it would be published: pnpm rewrites workspace: ranges.
  mkdirSync(tarballs);
  for (const name of PACKAGES) {
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name) });
  }
  const files = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
  if (files.length !== PACKAGES.length) {
    fail(`expected ${PACKAGES.length} tarballs, got ${files.join(', ')}`);
  }
  for (const file of files) {
    const listing = run('tar', ['-tzf', join(tarballs, file)]).split('\n');
    const manifest = run('tar', ['-xzOf', join(tarballs, file), 'package/package.json']);
    if (manifest.includes('workspace:')) {
      fail(`${file}: package.json still has a workspace: range:\n${manifest}`);
    }
    const pkg = JSON.parse(manifest);
    // Every file the exports map and bin name must be in the tarball.
    const targets = [...exportTargets(pkg.exports), ...Object.values(pkg.bin ?? {})];
    const missing = targets
      .filter((target) => !target.includes('*'))
      .filter((target) => !listing.includes(`package/${target.replace(/^\.\//, '')}`));
    if (missing.length > 0) {
      fail(
        `${file}: exports or bin name files the tarball lacks: ${missing.join(', ')} (see "files")`,
      );
    }
    if (!listing.includes('package/README.md')) {
      fail(`${file}: no README.md`);
    }
    console.log(
      `${file}: ${listing.filter(Boolean).length} files, exports and bin present, no workspace: range`,
    );
  }

  // 2. A new app outside the workspace: the tarballs and the app's own compiler, from npm.
  mkdirSync(app);
  cpSync(join(root, 'scripts', 'pack-smoke'), app, { recursive: true });
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const aiSdkPackage = JSON.parse(
    readFileSync(join(root, 'packages', 'ai-sdk', 'package.json'), 'utf8'),
  );
  // The same better-sqlite3 as the workspace, so its compiled addon can be reused (below).
  const requireFromDaemon = createRequire(join(root, 'packages', 'daemon', 'package.json'));
  const sqliteDir = join(requireFromDaemon.resolve('better-sqlite3/package.json'), '..');
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'x-pack-smoke-app', private: true, type: 'module', overrides: { 'better-sqlite3': sqliteVersion } }, null, 2)}\n`,
  );
  // No install scripts: better-sqlite3's would compile its addon from source (a minute without
  // a reachable prebuilt binary); the workspace's build of the same version, for the same Node,
  // is copied in instead. Everything else of the packages installs as for any user.
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      ...files.map((file) => join(tarballs, file)),
      // @x/ai-sdk's peer dependency (and its own peer, zod), as its users install them.
      `ai@${aiSdkPackage.devDependencies.ai}`,
      `zod@${aiSdkPackage.devDependencies.zod}`,
      // The AI SDK's own .d.ts import 'json-schema' without depending on its types: with
      // skipLibCheck false an AI SDK app needs them (TS7016), with or without @x/ai-sdk.
      '@types/json-schema@^7.0.15',
      `typescript@${rootPackage.devDependencies.typescript}`,
      `@types/node@${rootPackage.devDependencies['@types/node']}`,
    ],
    { cwd: app },
  );
  cpSync(join(sqliteDir, 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), {
    recursive: true,
  });

  // 3. Typecheck (and emit) with nodenext and skipLibCheck false, then run.
  run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: app, stdio: 'inherit' });
  process.stdout.write(run('node', ['dist/main.js'], { cwd: app }));

  // 4. The CLI as a user runs it: the daemon, the app's own agent started, listed, stopped.
  const home = join(work, 'home');
  // `--`: npx would take `--home`, `--json`, `--name` as its own options.
  const x = (...args) => run('npx', ['--no', '--', 'x', '--home', home, ...args], { cwd: app });
  x('daemon', 'start');
  try {
    const start = JSON.parse(
      x('agent', 'start', 'agent.mjs', '--name', 'app', '--interval', '100', '--json'),
    );
    if (start.state !== 'running') {
      fail(`x agent start: state ${start.state}`);
    }
    const list = JSON.parse(x('agent', 'list', '--json'));
    if (!list.runs.some((entry) => entry.name === 'app' && entry.state === 'running')) {
      fail(`x agent list does not show app running: ${JSON.stringify(list)}`);
    }
    const stop = JSON.parse(x('agent', 'stop', 'app', '--json'));
    if (stop.exit?.reason !== 'stopped') {
      fail(`x agent stop: exit ${JSON.stringify(stop.exit)}`);
    }
    console.log(`cli: app started (pid ${start.pid}), listed, stopped: ${stop.exit.explanation}`);
  } finally {
    x('daemon', 'stop');
  }
  console.log(`pack smoke: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  if (keep) {
    console.log(`left ${work}`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every file path an `exports` map points to (conditions and subpaths, nested). */
function exportTargets(exports) {
  if (typeof exports === 'string') {
    return [exports];
  }
  if (exports === null || typeof exports !== 'object') {
    return [];
  }
  return (
    Object.entries(exports)
      // The workspace-only condition points at sources, which are not published.
      .filter(([key]) => key !== '@x/source')
      .flatMap(([, value]) => exportTargets(value))
  );
}
