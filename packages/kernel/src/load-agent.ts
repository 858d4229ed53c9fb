import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { describeAgentProblem, type AgentDefinition } from './define-agent.js';
import { describeThrown } from './error-detail.js';
import { AgentConfigError, KERNEL_ERROR_CODES } from './errors.js';
import { locateImportError } from './locate-import-error.js';

/**
 * Imports an agent module and returns its default export.
 *
 * @param specifier absolute or relative file path, or a `file:` URL.
 * @throws AgentConfigError (exit 78, EX_CONFIG) when the file does not exist, its import
 *   throws, or it has no default export made with `defineAgent`. When the import throws, the
 *   message names the error and where it points: `x: agent module ./bad.mjs failed to load:
 *   SyntaxError: Unexpected token ';' at /srv/agents/bad.mjs:3:27`, then the source line and
 *   a caret under the column when Node shows them (see locateImportError).
 */
export async function loadAgent(
  specifier: string,
): Promise<AgentDefinition<Record<string, unknown>, unknown>> {
  const url = specifier.startsWith('file:')
    ? specifier
    : pathToFileURL(isAbsolute(specifier) ? specifier : resolve(specifier)).href;
  const path = url.startsWith('file:') ? fileURLToPath(url) : specifier;
  if (!existsSync(path)) {
    throw new AgentConfigError(
      KERNEL_ERROR_CODES.AGENT_NOT_FOUND,
      `x: agent module ${specifier} not found (looked for ${path}); check the path given to \`x agent start\``,
    );
  }
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (cause) {
    const where = await locateImportError(cause, path);
    const at =
      where === undefined
        ? ''
        : ` at ${where.file}:${where.line}:${where.column}${where.codeFrame === undefined ? '' : `\n${where.codeFrame}`}`;
    throw new AgentConfigError(
      KERNEL_ERROR_CODES.AGENT_IMPORT_FAILED,
      `x: agent module ${specifier} failed to load: ${describeThrown(cause)}${at}`,
      { cause },
    );
  }
  if (module.default === undefined) {
    throw new AgentConfigError(
      KERNEL_ERROR_CODES.AGENT_INVALID,
      `x: agent module ${specifier} has no default export; export default defineAgent({ step(ctx) { … } })`,
    );
  }
  const problem = describeAgentProblem(module.default);
  if (problem !== undefined) {
    throw new AgentConfigError(
      KERNEL_ERROR_CODES.AGENT_INVALID,
      `x: agent module ${specifier}: default export is not an agent (${problem}); export default defineAgent({ step(ctx) { … } })`,
    );
  }
  return module.default as AgentDefinition<Record<string, unknown>, unknown>;
}
