#!/usr/bin/env node
/**
 * Writes the generated examples of the CLI and control-API references from a real run (see
 * docs-examples.mjs): a daemon in a temp state directory, the built `x`, its real output with
 * volatile values (pids, times, run ids, paths) normalised.
 *
 * Usage: `pnpm --filter @x/cli build && pnpm --filter @x/cli docs:examples`.
 * `test/docs-examples.test.ts` fails when a page's example and a real run differ in shape.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { blockIds, renderExample, replaceBlock } from './docs-example-blocks.mjs';
import { EXAMPLES, REPO_ROOT, runExamples } from './docs-examples.mjs';
import { createNormaliser } from './json-shape.mjs';

const { home, startedAt, results } = await runExamples();
const normaliser = createNormaliser({ home, repoRoot: REPO_ROOT, startedAt });
const pages = new Map();
for (const example of EXAMPLES.filter((entry) => entry.page !== undefined)) {
  const result = results.find((entry) => entry.id === example.id);
  const normal =
    result.lines === undefined
      ? { ...result, command: normaliser.text(result.command), json: normaliser.json(result.json) }
      : {
          lines: result.lines.map(({ sent, received }) => ({
            sent: normaliser.line(sent),
            received: normaliser.line(received),
          })),
        };
  const file = `${REPO_ROOT}${example.page}`;
  const page = pages.get(file) ?? (await readFile(file, 'utf8'));
  pages.set(file, await replaceBlock(page, example.id, renderExample(normal), file));
}
for (const [file, page] of pages) {
  const unknown = blockIds(page).filter((id) => !EXAMPLES.some((example) => example.id === id));
  if (unknown.length > 0) {
    console.error(`docs examples: ${file} has blocks no example writes: ${unknown.join(', ')}`);
    process.exitCode = 1;
  }
  await writeFile(file, page);
  console.log(`wrote ${blockIds(page).length} example(s) into ${file.slice(REPO_ROOT.length)}`);
}
