import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { VectorDocuments } from '../scripts/build-vectors.mjs';
import { DOCS_PAGE, renderMessageTables, replaceGenerated } from '../scripts/message-tables.mjs';
import {
  buildSchemaDocument,
  defName,
  DIRECTIONS,
  renderSchemaFile,
  SCHEMA_DIALECT,
  SCHEMA_PATH,
} from '../scripts/schema-document.mjs';
import * as ipc from '../src/index.js';

const packageFile = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const schemaFile = packageFile(SCHEMA_PATH);
const docsPage = fileURLToPath(new URL(`../../../${DOCS_PAGE}`, import.meta.url));
const regenerate = 'run `pnpm --filter @x/ipc build && pnpm --filter @x/ipc schema`';

const document = buildSchemaDocument(ipc);
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

describe('schema/runner-protocol-v1.schema.json', () => {
  it('is exactly what the generator writes from src/protocol/schema.ts', async () => {
    const committed = await readFile(schemaFile, 'utf8');
    expect(committed, `the schema file is stale; ${regenerate}`).toBe(
      await renderSchemaFile(document, schemaFile),
    );
  });

  it('has a $defs entry for every message and a oneOf union per direction', () => {
    expect(document.$schema).toBe(SCHEMA_DIALECT);
    for (const type of Object.keys(ipc.MESSAGE_SCHEMAS)) {
      expect(document.$defs[defName(type)], type).toMatchObject({
        properties: { type: { const: type } },
      });
    }
    const members = (union: string) =>
      (document.$defs[union].oneOf as { $ref: string }[]).map((ref) => ref.$ref);
    expect([...members('SupervisorMessage'), ...members('RunnerMessage')].sort()).toEqual(
      Object.keys(ipc.MESSAGE_SCHEMAS)
        .map((type) => `#/$defs/${defName(type)}`)
        .sort(),
    );
  });

  it('the message tables of the protocol docs page are generated from it', async () => {
    const page = await readFile(docsPage, 'utf8');
    expect(page, `${DOCS_PAGE} is stale; ${regenerate}`).toBe(
      await replaceGenerated(page, renderMessageTables(document), docsPage),
    );
  });
});

describe('the JSON Schema checked by a standard validator (ajv, draft 2020-12, strict)', () => {
  const ajv = new Ajv2020({ strict: true });
  ajv.addSchema(document, 'protocol');
  const validators = Object.fromEntries(
    Object.entries(DIRECTIONS).map(([direction, union]) => [
      direction,
      ajv.getSchema(`protocol#/$defs/${union}`)!,
    ]),
  );
  const root = ajv.getSchema('protocol')!;

  it('accepts every valid vector in its direction and at the root', async () => {
    const { vectors } = await readJson<VectorDocuments['valid']>(
      packageFile('test-vectors/valid.json'),
    );
    for (const vector of vectors) {
      const validate = validators[vector.direction];
      expect(validate(vector.message), `${vector.name}: ${ajv.errorsText(validate.errors)}`).toBe(
        true,
      );
      expect(root(vector.message), vector.name).toBe(true);
    }
  });

  it('refuses every invalid-message vector in its direction, as @x/ipc does', async () => {
    const { vectors } = await readJson<VectorDocuments['invalidMessages']>(
      packageFile('test-vectors/invalid-messages.json'),
    );
    for (const vector of vectors) {
      expect(validators[vector.direction](vector.value), vector.name).toBe(false);
    }
  });

  it('refuses a message sent in the wrong direction', () => {
    const stop = { type: 'stop', graceMs: 2000 };
    expect(validators.supervisor_to_runner(stop)).toBe(true);
    expect(validators.runner_to_supervisor(stop)).toBe(false);
  });
});
