/**
 * Renders `src/protocol/message-checks.ts`: for every message of runner protocol v1, the check
 * function TypeBox's `TypeCompiler.Code` emits for its schema, and the schema itself (for error
 * messages), in one object per direction, each built by a call marked pure, so that a bundle keeps only the
 * one it reads (a runner's, the messages it receives: the other is about 37 KB it would parse at
 * every start). A runner then validates messages without loading TypeBox or compiling anything;
 * TypeBox is loaded only to explain a message that fails its check.
 *
 * Pure: it takes the schema module's namespace (the built `dist/protocol/schema.js` for the
 * generator, the TypeScript source for the drift test), so both produce the same file.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { messageTypes } from './schema-document.mjs';

/** Where the file is committed, relative to the package root. */
export const CHECKS_PATH = 'src/protocol/message-checks.ts';

/** The command that rewrites it. */
export const REGENERATE_CHECKS = 'pnpm --filter @x/ipc build && pnpm --filter @x/ipc checks';

/**
 * The source text of `src/protocol/message-checks.ts`, formatted by the repository's prettier
 * configuration.
 * @param {{ MESSAGE_SCHEMAS: Record<string, object>, SupervisorMessage: object, RunnerMessage: object }} schema
 * @param {string} filePath where the file goes (for prettier's configuration)
 * @throws Error when a schema holds something other than JSON values and TypeBox's symbols.
 */
export async function renderMessageChecks(schema, filePath) {
  const { MESSAGE_SCHEMAS, SupervisorMessage, RunnerMessage } = schema;
  const entries = (union) =>
    messageTypes(union).map((type) => {
      const code = TypeCompiler.Code(MESSAGE_SCHEMAS[type], [], { language: 'javascript' });
      return `${JSON.stringify(type)}: {
        check: (() => { ${code} })(),
        schema: ${literal(MESSAGE_SCHEMAS[type], type)},
      },`;
    });
  const source = `// Generated from src/protocol/schema.ts by scripts/generate-checks.mjs: do not edit.
// Regenerate: \`${REGENERATE_CHECKS}\`.
// src/protocol/message-checks.test.ts fails when this file is stale.
/* eslint-disable */
// @ts-nocheck -- the check functions are emitted by TypeBox's TypeCompiler.Code.
import type { TSchema } from '@sinclair/typebox';

/** The generated check of one message type, and its TypeBox schema (for error messages). */
export interface MessageCheck {
  /** True when the value is a valid message of this type (same as TypeBox's \`Check\`). */
  readonly check: (value: unknown) => boolean;
  /** The message's schema, with TypeBox's symbol-keyed metadata, without descriptions. */
  readonly schema: TSchema;
}

/** The check of every message a runner receives, by \`type\`, in declaration order. */
export const SUPERVISOR_MESSAGE_CHECKS: Readonly<Record<string, MessageCheck>> = /* @__PURE__ */ (() => ({
  ${entries(SupervisorMessage).join('\n')}
}))();

/** The check of every message a supervisor receives, by \`type\`, in declaration order. */
export const RUNNER_MESSAGE_CHECKS: Readonly<Record<string, MessageCheck>> = /* @__PURE__ */ (() => ({
  ${entries(RunnerMessage).join('\n')}
}))();
`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(filePath)) ?? {};
  return prettier.format(source, { ...options, parser: 'typescript' });
}

/**
 * A JavaScript literal of a TypeBox schema: JSON values plus the `Symbol.for` keys TypeBox
 * reads (`TypeBox.Kind`, `TypeBox.Optional`). Descriptions of schema nodes are dropped: no
 * check or error message reads them.
 */
function literal(value, where) {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => literal(item, `${where}/${index}`)).join(', ')}]`;
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new Error(`@x/ipc checks: ${where} holds a ${typeof value}, not a JSON value`);
  }
  const symbols = Object.getOwnPropertySymbols(value);
  const fields = symbols.map((symbol) => {
    const key = Symbol.keyFor(symbol);
    if (key === undefined) {
      throw new Error(`@x/ipc checks: ${where} has a symbol key not from Symbol.for`);
    }
    return `[Symbol.for(${JSON.stringify(key)})]: ${literal(value[symbol], where)}`;
  });
  const isSchemaNode = symbols.length > 0;
  for (const [key, item] of Object.entries(value)) {
    if (isSchemaNode && key === 'description' && typeof item === 'string') {
      continue;
    }
    fields.push(`${JSON.stringify(key)}: ${literal(item, `${where}/${key}`)}`);
  }
  return `{ ${fields.join(', ')} }`;
}
