#!/usr/bin/env node
/**
 * Writes `test-vectors/valid.json`, `invalid-frames.json` and `invalid-messages.json` from
 * the built package. Deterministic: run it twice, get the same bytes.
 *
 * Usage: `pnpm --filter @x/ipc build && pnpm --filter @x/ipc vectors`.
 * `test/vectors.test.ts` fails when a committed file differs from what this would write.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildVectors, renderVectorFile, VECTOR_FILES } from './build-vectors.mjs';

const built = new URL('../dist/index.js', import.meta.url);
if (!existsSync(built)) {
  console.error(
    '@x/ipc vectors: dist/index.js is missing; build the package first: pnpm --filter @x/ipc build',
  );
  process.exit(1);
}
const documents = buildVectors(await import(built.href));
const directory = fileURLToPath(new URL('../test-vectors/', import.meta.url));
await mkdir(directory, { recursive: true });
for (const [key, file] of Object.entries(VECTOR_FILES)) {
  await writeFile(`${directory}${file}`, renderVectorFile(documents[key]));
  console.log(`wrote test-vectors/${file} (${documents[key].vectors.length} vectors)`);
}
