import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where an import failure points in the source, with the code there when known. */
export interface SourceLocation {
  /** File path (not a URL). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** The source line and a caret line under the column, when known. */
  codeFrame?: string;
}

/** Most modules `node --check` is run on to find a syntax error: 10. */
const MAX_CHECKED_MODULES = 10;
/** How long finding a syntax error may take in all: 5000 ms. */
const CHECK_BUDGET_MS = 5000;

/**
 * Where the error that `import(path)` rejected with points in the source: file, line,
 * column and, when Node shows it, the code there. Only on the failure path (the runner
 * exits 78 next), so it may cost a child process.
 *
 * - A link error (`does not provide an export named`) carries it in its stack's header.
 * - An error thrown while the module ran carries it in its first `file:` stack frame.
 * - A SyntaxError from `import()` carries none on Node 20 (the location is kept where
 *   only the fatal-exception printer sees it), so `node --check` is run on the module, and
 *   if that finds nothing, on the relative modules it imports (breadth first, at most 10,
 *   5000 ms in all): its stderr starts with `file:line`, the line and a caret.
 *
 * Never rejects; resolves undefined when no location is found.
 */
export async function locateImportError(
  error: unknown,
  path: string,
): Promise<SourceLocation | undefined> {
  const stack = readStack(error);
  const fromHeader = parseHeader(stack);
  if (fromHeader !== undefined) {
    return fromHeader;
  }
  const frame = /^\s+at (?:.*? \()?(file:\/\/[^\s)]+):(\d+):(\d+)\)?$/m.exec(stack);
  if (frame !== null) {
    return { file: toPath(frame[1]), line: Number(frame[2]), column: Number(frame[3]) };
  }
  if (!(error instanceof Error) || error.name !== 'SyntaxError') {
    return undefined;
  }
  return findSyntaxError(path).catch(() => undefined);
}

/** Runs `node --check` on `entry`, then on the relative modules it imports. */
async function findSyntaxError(entry: string): Promise<SourceLocation | undefined> {
  const { execFile } = await import('node:child_process');
  const deadline = performance.now() + CHECK_BUDGET_MS;
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0 && performance.now() < deadline) {
    const file = queue.shift()!;
    const stderr = await new Promise<string>((done) => {
      execFile(
        process.execPath,
        ['--check', file],
        { timeout: Math.max(1, Math.ceil(deadline - performance.now())), encoding: 'utf8' },
        (_error, _stdout, err) => done(err),
      );
    });
    const location = parseHeader(stderr);
    if (location !== undefined) {
      return location;
    }
    for (const imported of await relativeImports(file)) {
      if (!seen.has(imported) && seen.size < MAX_CHECKED_MODULES) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  return undefined;
}

/** Paths of the relative static imports of `file` (`from './x.mjs'`, `import './y.js'`). */
async function relativeImports(file: string): Promise<string[]> {
  const source = await readFile(file, 'utf8').catch(() => '');
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom|^\s*import)\s*(['"])(\.{1,2}\/[^'"]+)\1/gm)) {
    found.push(resolve(dirname(file), match[2]));
  }
  return found;
}

/** Node's decorated error header: `file:line`, the source line, a caret line. */
function parseHeader(text: string): SourceLocation | undefined {
  const match = /^(\S[^\n]*?):(\d+)\n([^\n]*)\n([^\n^]*)\^/.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, file, line, code, pad] = match;
  return {
    file: toPath(file),
    line: Number(line),
    column: pad.length + 1,
    codeFrame: `${code}\n${pad}^`,
  };
}

function readStack(error: unknown): string {
  try {
    const stack = (error as { stack?: unknown } | null)?.stack;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
}

function toPath(file: string): string {
  try {
    return file.startsWith('file:') ? fileURLToPath(file) : file;
  } catch {
    return file;
  }
}
