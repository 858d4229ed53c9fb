import { readFile, writeFile } from 'node:fs/promises';

/** A character outside ASCII (U+0080 and up; a surrogate pair as its two halves). */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Rewrites each non-ASCII character of the generated file `file` as `\uXXXX`. esbuild escapes
 * them in strings, templates and regular expressions (charset ascii) but leaves them in the
 * comments it keeps, and a single one makes V8 hold the whole source as UTF-16: twice the
 * memory, for as long as the process runs (the daemon's chunk: 0.7 MiB; every runner and
 * thread runner: 0.13 MiB). Only comments hold such characters, so the rewrite changes no
 * behaviour.
 * @param {string} file
 */
export async function asciiOnly(file) {
  const text = await readFile(file, 'utf8');
  if (NON_ASCII.test(text)) {
    const escape = (/** @type {string} */ c) =>
      `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    await writeFile(file, text.replace(new RegExp(NON_ASCII.source, 'g'), escape));
  }
}
