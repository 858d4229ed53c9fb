#!/usr/bin/env node
/**
 * Writes `schema/runner-protocol-v1.schema.json` (JSON Schema draft 2020-12) from the built
 * package, and the message tables of `apps/docs/reference/protocol.md` from that schema.
 *
 * Usage: `pnpm --filter @x/ipc build && pnpm --filter @x/ipc schema`.
 * `test/schema-file.test.ts` fails when either output differs from what this would write.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCS_PAGE, renderMessageTables, replaceGenerated } from './message-tables.mjs';
import { buildSchemaDocument, renderSchemaFile, SCHEMA_PATH } from './schema-document.mjs';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const built = new URL('../dist/index.js', import.meta.url);
if (!existsSync(built)) {
  console.error(
    '@x/ipc schema: dist/index.js is missing; build the package first: pnpm --filter @x/ipc build',
  );
  process.exit(1);
}
const ipc = await import(built.href);
const document = buildSchemaDocument(ipc);

const schemaFile = `${packageRoot}${SCHEMA_PATH}`;
await mkdir(dirname(schemaFile), { recursive: true });
await writeFile(schemaFile, await renderSchemaFile(document, schemaFile));
console.log(`wrote ${SCHEMA_PATH} (${Object.keys(document.$defs).length} definitions)`);

const docsPage = fileURLToPath(new URL(`../../../${DOCS_PAGE}`, import.meta.url));
if (existsSync(docsPage)) {
  const page = await readFile(docsPage, 'utf8');
  await writeFile(docsPage, await replaceGenerated(page, renderMessageTables(document), docsPage));
  console.log(`wrote the message tables of ${DOCS_PAGE}`);
}
