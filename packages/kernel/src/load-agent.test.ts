import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EX_CONFIG } from './constants.js';
import { AgentConfigError, KERNEL_ERROR_CODES, isKernelError } from './errors.js';
import { loadAgent } from './load-agent.js';

// Fixture modules are written to a temp dir; they are plain objects without imports because
// '@x/kernel' does not resolve from /tmp.
let dir: string;
const fixture = (name: string) => join(dir, name);
/** A fixture of examples/agents/fixtures (these import '@x/kernel'). */
const example = (name: string) =>
  fileURLToPath(new URL(`../../../examples/agents/fixtures/${name}`, import.meta.url));

beforeAll(() => {
  dir = mkdtempSync('/tmp/x-kern-');
  const files: Record<string, string> = {
    'plain.mjs':
      'export default { step(ctx) { return { summary: `plain ${ctx.iteration}` }; } };\n',
    'with-hooks.mjs': 'export default { setup() { return 1; }, step() {}, teardown() {} };\n',
    'throws.mjs': "throw new Error('boom while importing');\n",
    'throws-string.mjs': "throw 'a bare string';\n",
    'syntax-error.mjs': 'export default { step( {\n',
    'imports-missing.mjs':
      "import 'x-kern-package-that-does-not-exist';\nexport default { step() {} };\n",
    'no-default.mjs': 'export const agent = { step() {} };\n',
    'default-null.mjs': 'export default null;\n',
    'default-string-step.mjs': "export default { step: 'run' };\n",
    'default-bad-setup.mjs': 'export default { setup: 42, step() {} };\n',
  };
  for (const [name, source] of Object.entries(files)) {
    writeFileSync(fixture(name), source);
  }
  mkdirSync(join(dir, 'a-directory.mjs'));
  mkdirSync(join(dir, 'with space'));
  writeFileSync(join(dir, 'with space', 'agent.mjs'), files['plain.mjs']);
  mkdirSync(join(dir, 'ünïcode'));
  writeFileSync(join(dir, 'ünïcode', 'agent.mjs'), files['plain.mjs']);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<AgentConfigError> {
  try {
    await promise;
  } catch (error) {
    return error as AgentConfigError;
  }
  throw new Error('expected loadAgent to reject');
}

describe('loadAgent, modules that are agents', () => {
  it('accepts a plain-object default export with a step function', async () => {
    const agent = await loadAgent(fixture('plain.mjs'));
    expect(typeof agent.step).toBe('function');
    expect(await agent.step?.({ iteration: 3 } as never)).toEqual({ summary: 'plain 3' });
  });

  it('accepts a default export with setup and teardown', async () => {
    const agent = await loadAgent(fixture('with-hooks.mjs'));
    expect(typeof agent.setup).toBe('function');
    expect(typeof agent.teardown).toBe('function');
  });

  it('accepts a file: URL', async () => {
    const agent = await loadAgent(pathToFileURL(fixture('plain.mjs')).href);
    expect(typeof agent.step).toBe('function');
  });

  it('resolves a relative path against the working directory', async () => {
    const specifier = relative(process.cwd(), fixture('plain.mjs'));
    expect(specifier.startsWith('/')).toBe(false);
    const agent = await loadAgent(specifier);
    expect(typeof agent.step).toBe('function');
  });

  it('loads an agent made with defineAgent (the example counter fixture)', async () => {
    const agent = await loadAgent(example('counter.mjs'));
    expect(Object.isFrozen(agent)).toBe(true);
    expect(await agent.step?.({ iteration: 2, params: { doneAt: 2 } } as never)).toEqual({
      summary: 'count=2',
      done: true,
    });
  });

  // Regression (fixed; was: src/load-agent.ts): the existence check uses `new URL(url).pathname`, which is
  // percent-encoded ('/tmp/x-kern-…/with%20space/agent.mjs'), instead of fileURLToPath(url).
  // Input: an absolute path to an existing module in a directory whose name has a space.
  // Expected: the agent loads. Actual: AgentConfigError X_KERNEL_AGENT_NOT_FOUND.
  it('loads a module whose directory name contains a space', async () => {
    const agent = await loadAgent(join(dir, 'with space', 'agent.mjs'));
    expect(typeof agent.step).toBe('function');
  });

  // Same bug as above, for non-ASCII directory names ('ünïcode' becomes '%C3%BCn%C3%AFcode').
  it('loads a module whose directory name has non-ASCII characters', async () => {
    const agent = await loadAgent(join(dir, 'ünïcode', 'agent.mjs'));
    expect(typeof agent.step).toBe('function');
  });
});

describe('loadAgent, configuration errors (exit 78)', () => {
  it('a missing file is X_KERNEL_AGENT_NOT_FOUND with exitCode 78, naming the path', async () => {
    const missing = fixture('does-not-exist.mjs');
    const error = await rejectionOf(loadAgent(missing));
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(isKernelError(error)).toBe(true);
    expect(error.name).toBe('AgentConfigError');
    expect(error.code).toBe(KERNEL_ERROR_CODES.AGENT_NOT_FOUND);
    expect(error.code).toBe('X_KERNEL_AGENT_NOT_FOUND');
    expect(error.exitCode).toBe(EX_CONFIG);
    expect(error.exitCode).toBe(78);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('not found');
  });

  it('a missing relative path names both what was given and where it looked', async () => {
    const error = await rejectionOf(loadAgent('./no/such/agent.mjs'));
    expect(error.code).toBe('X_KERNEL_AGENT_NOT_FOUND');
    expect(error.message).toContain('./no/such/agent.mjs');
    expect(error.message).toContain(join(process.cwd(), 'no/such/agent.mjs'));
  });

  it('a module that throws on import is X_KERNEL_AGENT_IMPORT_FAILED with the cause chained', async () => {
    const error = await rejectionOf(loadAgent(fixture('throws.mjs')));
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(error.code).toBe('X_KERNEL_AGENT_IMPORT_FAILED');
    expect(error.exitCode).toBe(78);
    expect(error.message).toContain(fixture('throws.mjs'));
    expect(error.message).toContain('boom while importing');
    expect((error.cause as Error).message).toBe('boom while importing');
  });

  it('a module that throws a non-Error on import reports its string form', async () => {
    const error = await rejectionOf(loadAgent(fixture('throws-string.mjs')));
    expect(error.code).toBe('X_KERNEL_AGENT_IMPORT_FAILED');
    expect(error.message).toContain('a bare string');
  });

  it('a module with a syntax error is X_KERNEL_AGENT_IMPORT_FAILED', async () => {
    const error = await rejectionOf(loadAgent(fixture('syntax-error.mjs')));
    expect(error.code).toBe('X_KERNEL_AGENT_IMPORT_FAILED');
    expect(error.exitCode).toBe(78);
  });

  it('a module importing a package that is not installed is X_KERNEL_AGENT_IMPORT_FAILED', async () => {
    const error = await rejectionOf(loadAgent(fixture('imports-missing.mjs')));
    expect(error.code).toBe('X_KERNEL_AGENT_IMPORT_FAILED');
    expect(error.message).toContain('x-kern-package-that-does-not-exist');
  });

  it('a directory path is not an agent module: X_KERNEL_AGENT_IMPORT_FAILED', async () => {
    const error = await rejectionOf(loadAgent(join(dir, 'a-directory.mjs')));
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(error.code).toBe('X_KERNEL_AGENT_IMPORT_FAILED');
    expect(error.exitCode).toBe(78);
  });

  it('no default export is X_KERNEL_AGENT_INVALID, telling to export default defineAgent', async () => {
    const error = await rejectionOf(loadAgent(fixture('no-default.mjs')));
    expect(error.code).toBe('X_KERNEL_AGENT_INVALID');
    expect(error.exitCode).toBe(78);
    expect(error.message).toContain('has no default export');
    expect(error.message).toContain('export default defineAgent');
    expect(error.message).toContain(fixture('no-default.mjs'));
  });

  it('the example no-default-export fixture is X_KERNEL_AGENT_INVALID', async () => {
    const error = await rejectionOf(loadAgent(example('no-default-export.mjs')));
    expect(error.code).toBe('X_KERNEL_AGENT_INVALID');
  });

  it.each([
    ['null', 'default-null.mjs', 'got null'],
    [
      'an object whose step is a string',
      'default-string-step.mjs',
      'step must be a function when given, got string',
    ],
    [
      'an object whose setup is a number',
      'default-bad-setup.mjs',
      'setup must be a function when given, got number',
    ],
  ])(
    'a default export that is %s is X_KERNEL_AGENT_INVALID naming the problem',
    async (_label, name, problem) => {
      const error = await rejectionOf(loadAgent(fixture(name)));
      expect(error.code).toBe('X_KERNEL_AGENT_INVALID');
      expect(error.exitCode).toBe(78);
      expect(error.message).toContain('default export is not an agent');
      expect(error.message).toContain(problem);
      expect(error.message).toContain('export default defineAgent');
    },
  );
});
