// What bin.cjs loads first, as one CommonJS file (dist/fast-start.cjs): the parser that tells
// a fast-path command line from the rest, and the loader that compiles dist/client.cjs with
// its V8 code cache.
export { parseFastArgv } from './fast-argv.js';
export { loadCachedScript } from '../code-cache/cached-script.js';
