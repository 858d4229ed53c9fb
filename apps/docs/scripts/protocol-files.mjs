#!/usr/bin/env node
/**
 * Serves the runner protocol's JSON Schema and test vectors from the docs site, at stable URLs
 * (`/protocol/v1/runner-protocol-v1.schema.json`, `/protocol/v1/test-vectors/<name>.json`), so
 * that a runner author can fetch them without installing `@x/ipc`.
 *
 * `copy` (before `vitepress build` and `vitepress dev`) copies the files `@x/ipc` ships into
 * `public/protocol/v1/` (not committed: they are only ever copies). `check` (after the build)
 * fails when a file of the built site differs from the one in `@x/ipc`, byte for byte, or is
 * missing: what the site serves is what the package ships.
 *
 * Usage: `node scripts/protocol-files.mjs copy|check`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));
// @x/ipc in this repository: the published package holds the same files (`files` in its
// package.json lists `schema` and `test-vectors`).
const ipcRoot = fileURLToPath(new URL('../../../packages/ipc/', import.meta.url));
/** Where the files are served, under the site's root: one folder per protocol version. */
export const SERVED_DIR = 'protocol/v1';

/** Every file served: its path in `@x/ipc`, and under {@link SERVED_DIR}. */
export function protocolFiles() {
  const vectors = readdirSync(join(ipcRoot, 'test-vectors'))
    .filter((name) => name.endsWith('.json'))
    .sort();
  return [
    { from: 'schema/runner-protocol-v1.schema.json', to: 'runner-protocol-v1.schema.json' },
    ...vectors.map((name) => ({ from: `test-vectors/${name}`, to: `test-vectors/${name}` })),
  ];
}

function copy() {
  for (const { from, to } of protocolFiles()) {
    const target = join(docsRoot, 'public', SERVED_DIR, to);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(ipcRoot, from), target);
  }
  console.log(`copied ${protocolFiles().length} protocol files into public/${SERVED_DIR}/`);
}

function check() {
  const built = join(docsRoot, '.vitepress', 'dist', SERVED_DIR);
  const wrong = [];
  for (const { from, to } of protocolFiles()) {
    const served = join(built, to);
    if (!existsSync(served)) {
      wrong.push(`${SERVED_DIR}/${to} is missing from the built site`);
    } else if (!readFileSync(served).equals(readFileSync(join(ipcRoot, from)))) {
      wrong.push(`${SERVED_DIR}/${to} differs from @x/ipc's ${from}`);
    }
  }
  if (wrong.length > 0) {
    console.error(
      `docs: the built site does not serve what @x/ipc ships:\n  ${wrong.join('\n  ')}\nrun \`pnpm --filter @x/docs docs:build\` (it copies them first)`,
    );
    process.exit(1);
  }
  console.log(`checked ${protocolFiles().length} protocol files: identical to @x/ipc's`);
}

const command = process.argv[2];
if (command === 'copy') {
  copy();
} else if (command === 'check') {
  check();
} else {
  console.error(`usage: node scripts/protocol-files.mjs copy|check (got ${command ?? 'nothing'})`);
  process.exit(64);
}
